"""The database: tables, engine and sessions, migrations, and queries that need SQL."""
