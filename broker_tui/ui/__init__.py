"""The Textual app: screens, widgets, styles and the command palette. Talks to services only.

Frames: Textual paints at most TEXTUAL_FPS frames a second (60 by default), and a change made just after
a frame waits 17 to 33 ms for the next one. A keystroke in a search box echoes in one frame and the
narrowed table comes in the next, so at 60 that wait was most of the keystroke's latency (issue 14: a
median of 38 ms, 25 of them waiting). 120 halves it; a frame is painted only when something changed, so
an idle app does no more work. A value the user sets is kept. Read when Textual is first imported:
the app's entry imports this package first."""

import os

os.environ.setdefault("TEXTUAL_FPS", "120")
