"""Use cases: validate input, run a transaction, write the audit event, return plain results."""
