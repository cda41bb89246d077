"""A level chosen with the keyboard on one line: a need level (0-3) or a risk (not present, or 1-3).

Lighter than a Select (one widget, no overlay), which matters on a form with twenty of them.
Keys: left/right or - / + step, 0-3 jump, space steps round.
"""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class LevelPicker(Widget, can_focus=True):
    DEFAULT_CSS = """
    LevelPicker { height: 1; width: 1fr; }
    LevelPicker:focus { background: $accent 30%; }
    """
    BINDINGS = [
        Binding("left,minus", "step(-1)", "Lower", show=False),
        Binding("right,plus,equals_sign", "step(1)", "Higher", show=False),
        Binding("space", "cycle", "Next level", show=False),
        Binding("0", "set(0)", show=False),
        Binding("1", "set(1)", show=False),
        Binding("2", "set(2)", show=False),
        Binding("3", "set(3)", show=False),
    ]

    level: reactive[int] = reactive(0)

    class Changed(Message):
        def __init__(self, picker: LevelPicker, level: int) -> None:
            super().__init__()
            self.picker = picker
            self.level = level

        @property
        def control(self) -> LevelPicker:
            return self.picker

    def __init__(self, labels: tuple[str, ...], level: int = 0, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.labels = labels
        self.set_reactive(LevelPicker.level, max(0, min(level, len(labels) - 1)))

    def render(self) -> Text:
        text = Text()
        for i, label in enumerate(self.labels):
            if i:
                text.append(" ")
            if i == self.level:
                text.append(f"[{label}]", style="bold reverse")
            else:
                text.append(f" {label} ")
        return text

    def watch_level(self, level: int) -> None:
        self.post_message(self.Changed(self, level))

    def action_step(self, delta: int) -> None:
        self.level = max(0, min(len(self.labels) - 1, self.level + delta))

    def action_cycle(self) -> None:
        self.level = (self.level + 1) % len(self.labels)

    def action_set(self, level: int) -> None:
        if 0 <= level < len(self.labels):
            self.level = level
