"""The Textual app: screens, widgets, styles and the command palette. Talks to services only."""
