"""The audit trail screen: who changed what, when, filtered by record, type, person and dates."""
