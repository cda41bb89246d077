"""Widgets that show things; no business rules."""
