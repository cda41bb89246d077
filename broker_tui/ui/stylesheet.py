"""The app's stylesheet: Textual's, parsed again only where something changed.

Textual (8.2) re-parses the whole stylesheet into a fresh one, without its parse cache, whenever a mode's
new screen is opened (the home screen at start, each first F-key) and whenever a screen brings its own CSS:
20 to 50 ms each time, for rules that mostly come out the same. Here the stylesheet is parsed in place
instead, so each source's rules come from the cache unless its text or the theme's variables changed; and
setting the variables to what they already are keeps that cache (Textual clears it). Everything else (how
rules are applied, a changed theme, CSS that will not parse) is Textual's own."""

from __future__ import annotations

from typing import Any

from textual.cache import LRUCache
from textual.css.stylesheet import Stylesheet

PARSE_CACHE_SIZE = 512  # sources, each at each rank: Textual's 64 would turn over as the app's CSS grows


class CachedStylesheet(Stylesheet):
    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._parse_cache = LRUCache(PARSE_CACHE_SIZE)

    def set_variables(self, variables: dict[str, str]) -> None:
        if variables == self._variables:  # the parsed rules and styles still hold for these values
            return
        super().set_variables(variables)

    def reparse(self) -> None:
        if self._invalid_css:  # CSS that failed to parse: Textual's full re-parse reports it again
            super().reparse()
            return
        # A source whose text, place and the variables are unchanged parses to the same rules: from the cache.
        # On an error the rules stay as they were and the error is raised, as with Textual's re-parse.
        self.parse()
