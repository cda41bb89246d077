"""Two costs of the start path and of each first F-key removed without changing what is drawn.

Textual re-parsed the whole stylesheet, without its parse cache, for each mode's new screen and each screen
with its own CSS (20-50 ms a time, 250 ms for the 16+ review); the app's stylesheet now parses again only the
sources whose text or variables changed. And the home screen's first frame with its counts is written when
the counts are shown, not at the update timer's next tick."""

from __future__ import annotations

from collections import Counter

import pytest
import textual.css.stylesheet as textual_stylesheet
from textual.color import Color
from textual.css.stylesheet import StylesheetParseError

from broker_tui.ui.stylesheet import CachedStylesheet
from tests.ui.conftest import SIZE, make_app, settle, sync


def count_parses(monkeypatch) -> Counter[tuple[str, str, int]]:
    """How many times each source (its place, and its rank among a widget's bases) is run through Textual's
    CSS parser. A widget's DEFAULT_CSS is ranked again when a subclass further from it is first mounted, and
    its rules carry that rank: that is a change, parsed again."""
    parsed: Counter[tuple[str, str, int]] = Counter()
    original = textual_stylesheet.parse

    def parse(scope, css, read_from, *args, **kwargs):
        parsed[(*read_from, kwargs.get("tie_breaker", 0))] += 1
        return original(scope, css, read_from, *args, **kwargs)

    monkeypatch.setattr(textual_stylesheet, "parse", parse)
    return parsed


def sheet(**variables: str) -> CachedStylesheet:
    return CachedStylesheet(variables={"accent": "#ff0000", **variables})


def color_of(stylesheet: CachedStylesheet, selector: str) -> Color:
    rule = next(rule for rule in stylesheet.rules if rule.selectors == selector)
    return rule.styles.color


def test_an_unchanged_source_is_not_parsed_again(monkeypatch) -> None:
    parsed = count_parses(monkeypatch)
    stylesheet = sheet()
    stylesheet.add_source(".a { color: $accent; }", read_from=("a.tcss", ""))
    stylesheet.reparse()
    stylesheet.add_source(".b { color: blue; }", read_from=("b.tcss", ""))
    stylesheet.reparse()
    stylesheet.set_variables({"accent": "#ff0000"})  # the same values, as Textual sets them on each restyle
    stylesheet.reparse()
    assert parsed == {("a.tcss", "", 0): 1, ("b.tcss", "", 0): 1}
    assert color_of(stylesheet, ".a") == Color.parse("#ff0000")
    assert color_of(stylesheet, ".b") == Color.parse("blue")


def test_changed_variables_parse_every_source_again_with_the_new_values(monkeypatch) -> None:
    parsed = count_parses(monkeypatch)
    stylesheet = sheet()
    stylesheet.add_source(".a { color: $accent; }", read_from=("a.tcss", ""))
    stylesheet.reparse()
    stylesheet.set_variables({"accent": "#00ff00"})
    stylesheet.reparse()
    assert parsed == {("a.tcss", "", 0): 2}
    assert color_of(stylesheet, ".a") == Color.parse("#00ff00")


def test_css_that_will_not_parse_is_reported_every_time_and_the_rules_stay() -> None:
    stylesheet = sheet()
    stylesheet.add_source(".a { color: red; }", read_from=("a.tcss", ""))
    stylesheet.reparse()
    stylesheet.add_source(".b { color: not-a-colour; }", read_from=("b.tcss", ""))
    for _ in range(2):  # Textual's in-place parse would skip it silently the second time
        with pytest.raises(StylesheetParseError):
            stylesheet.reparse()
    assert [rule.selectors for rule in stylesheet.rules] == [".a"]


@sync
async def test_each_source_is_parsed_once_across_the_start_and_every_first_f_key(market_ctx, monkeypatch) -> None:
    parsed = count_parses(monkeypatch)
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#home-date").visual_style.foreground.a == 1  # drawn, not see-through
        for key, mode in [("f3", "directory"), ("f4", "referrals"), ("f8", "audit"), ("f9", "review")]:
            await pilot.press(key)
            await settle(pilot)
            assert app.current_mode == mode
        assert any("referrals.tcss" in path for path, _, _ in parsed)  # a screen's own file is read and parsed
        assert set(parsed.values()) == {1}, [place for place, n in parsed.items() if n > 1]


@sync
async def test_a_changed_theme_is_parsed_again_and_drawn(market_ctx, monkeypatch) -> None:
    app = make_app(market_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        parsed = count_parses(monkeypatch)
        dark = app.screen.styles.background
        app.theme = "textual-light"
        await settle(pilot)
        assert parsed and set(parsed.values()) == {1}
        assert app.screen.styles.background.brightness > dark.brightness


@sync
async def test_the_first_home_frame_is_written_as_the_counts_are_shown(market_ctx, monkeypatch) -> None:
    from broker_tui.ui.screens.home import HomeScreen

    app = make_app(market_ctx)
    written: list[int] = []
    painted: list[int] = []
    batched: list[int] = []  # Textual's batch open when the counts were painted
    before_paint: list[int] = []
    original = HomeScreen._paint_figures

    def paint(self, w):
        before = len(written)
        batched.append(self.app._batch_count)
        before_paint.append(before)
        original(self, w)
        painted.append(len(written) - before)

    monkeypatch.setattr(HomeScreen, "_paint_figures", paint)
    # Counted from before the start: the counts can reach the screen before run_test hands over the pilot.
    display = app._display
    monkeypatch.setattr(app, "_display", lambda screen, renderable: (written.append(1), display(screen, renderable)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(painted) == 1
        if batched[0]:
            # The counts came inside the batch Textual opens for 50 ms when it shows the first mode (a slow
            # machine, a fast read): nothing may be written until it closes, and closing it repaints.
            assert len(written) > before_paint[0], "the frame with the counts was never written"
        else:
            assert painted[0] >= 1, "the frame waited for the next tick of the update timer"
