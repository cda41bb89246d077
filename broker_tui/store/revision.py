"""The schema revision this code expects. Kept light (no Alembic import) for the start-up check;
a test asserts it equals the head of db/versions."""

HEAD_REVISION = "0007_sufficiency_records"
