"""Textual only: the app, its screens and widgets. Talks to services, never the store."""
