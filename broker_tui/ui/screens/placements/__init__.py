"""Dialogs about one placement, whichever way it was bought (spot or block): ending it."""
