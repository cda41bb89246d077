"""The row tables' cells are rendered once for what they show (issue 14: a keystroke that narrowed Find
placements re-rendered every visible cell, because DataTable forgets its renders on every change of rows).

Kept renders must never show stale text, must keep each row's own position for the mouse, and must follow
a change of theme."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any, ClassVar

from textual.app import App, ComposeResult

from broker_tui.ui.widgets.sized_table import SizedTable, cell


@dataclass(frozen=True)
class Thing:
    id: str
    name: str
    weekly: int


class ThingTable(SizedTable[Thing]):
    COLUMNS: ClassVar = (("name", "Name", None, 1, 10), ("weekly", "£/week", 8, 0, 0))

    def cells(self, item: Thing) -> tuple[Any, ...]:
        return cell(item.name), cell(item.weekly, right=True)


class TableApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ThingTable(id="things")


def things(*names: str, weekly: int = 100) -> list[Thing]:
    return [Thing(id=n.lower(), name=n, weekly=weekly) for n in names]


def lines(table: ThingTable, count: int) -> list[str]:
    return [table.render_line(y).text for y in range(1, count + 1)]  # (line 0: the header)


class Counting:
    """Counts the cells the console renders for the table (each call renders one cell)."""

    def __init__(self, app: App[None]) -> None:
        self.calls = 0
        self._render_lines = app.console.render_lines

        def render_lines(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            return self._render_lines(*args, **kwargs)

        app.console.render_lines = render_lines  # type: ignore[method-assign]


def test_showing_the_same_rows_again_renders_no_cell_again() -> None:
    async def run() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            table = app.query_one(ThingTable)
            table.show(things("Ash", "Birch", "Cedar"))
            await pilot.pause()
            before = lines(table, 3)
            counting = Counting(app)
            table.show(things("Ash", "Birch", "Cedar"))  # new objects, same content: as a keystroke re-shows
            await pilot.pause()
            assert lines(table, 3) == before
            assert counting.calls == 0

    asyncio.run(run())


def test_a_changed_cell_is_rendered_afresh_never_stale() -> None:
    async def run() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            table = app.query_one(ThingTable)
            table.show(things("Ash", "Birch"))
            await pilot.pause()
            table.show([Thing("ash", "Ash", 100), Thing("birch", "Birch Lodge", 250)])
            await pilot.pause()
            shown = lines(table, 2)
            assert "Birch Lodge" in shown[1] and "250" in shown[1]
            assert "100" in shown[0] and "Ash" in shown[0]

    asyncio.run(run())


def test_a_click_selects_the_row_under_the_mouse_after_rows_moved() -> None:
    async def run() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            table = app.query_one(ThingTable)
            table.show(things("Ash", "Birch", "Cedar", "Damson"))
            await pilot.pause()
            await pilot.click(ThingTable, offset=(3, 4))  # Damson's line, rendered as row 3
            await pilot.pause()
            table.show(things("Cedar", "Damson"))  # narrowed: Damson is now row 1, its cells as before
            await pilot.pause()
            await pilot.click(ThingTable, offset=(3, 2))
            await pilot.pause()
            assert table.highlighted() == Thing("damson", "Damson", 100)

    asyncio.run(run())


def test_a_change_of_theme_renders_the_cells_again() -> None:
    async def run() -> None:
        app = TableApp()
        async with app.run_test(size=(60, 12)) as pilot:
            table = app.query_one(ThingTable)
            table.show(things("Ash", "Birch"))
            await pilot.pause()
            styled = [seg.style for seg in table.render_line(2)]
            counting = Counting(app)
            app.theme = "textual-light" if app.theme != "textual-light" else "nord"
            await pilot.pause()
            assert [seg.style for seg in table.render_line(2)] != styled
            assert counting.calls > 0

    asyncio.run(run())
