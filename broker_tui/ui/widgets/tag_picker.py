"""Risks and specialist needs typed as free text: the closest tags are offered as you type."""

from __future__ import annotations

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from broker_tui.domain.tags import TAG_BY_CODE, resolve_tag, suggest_tags
from broker_tui.ui.widgets.in_order_input import InOrderInput

FREE_TEXT = "__free_text__"


class TagPicker(Vertical):
    """An input with suggestions below it and the chosen tags and free-text phrases above it.

    Enter takes the highlighted suggestion: the tag the words clearly name (domain.tags.resolve_tag), else
    the last one, which keeps the words as free text. ↓ moves into the suggestions, from the first, to
    pick one there (Enter). Backspace in the empty input takes back the last choice.
    """

    BINDINGS = [Binding("down", "focus_suggestions", "Suggestions", show=False)]

    class TagChosen(Message):
        def __init__(self, picker: TagPicker, code: str) -> None:
            super().__init__()
            self.picker = picker
            self.code = code

    class Changed(Message):
        def __init__(self, picker: TagPicker) -> None:
            super().__init__()
            self.picker = picker

    def __init__(self, *, tags: list[str] | None = None, free_text: list[str] | None = None,
                 id: str | None = None) -> None:
        super().__init__(id=id, classes="tag-picker")
        self.tags: list[str] = list(tags or [])
        self.free_text: list[str] = list(free_text or [])

    def compose(self) -> ComposeResult:
        yield Static(self._chosen_text(), classes="tag-chosen")
        yield InOrderInput(placeholder="Type a need or risk: autism, CCE, self-harm…", classes="tag-input", compact=True)
        yield OptionList(classes="tag-suggestions")

    def on_mount(self) -> None:
        self.query_one(OptionList).display = False

    def _chosen_text(self) -> str:
        parts = [TAG_BY_CODE[c].label for c in self.tags]
        parts += [f"“{t}” (free text)" for t in self.free_text]
        return "Chosen: " + ("; ".join(parts) if parts else "none yet")

    def _refresh_chosen(self) -> None:
        self.query_one(".tag-chosen", Static).update(self._chosen_text())
        self.post_message(self.Changed(self))

    @on(Input.Changed, ".tag-input")
    def _suggest(self, event: Input.Changed) -> None:
        event.stop()
        options = self.query_one(OptionList)
        options.clear_options()
        text = event.value.strip()
        if not text:
            options.display = False
            return
        suggestions = [(s.code, s.label) for s in suggest_tags(text, limit=5)]
        clear = resolve_tag(text)
        if clear is not None and clear not in dict(suggestions):
            suggestions.insert(0, (clear, TAG_BY_CODE[clear].label))
        for code, label in suggestions:
            options.add_option(Option(label, id=code))
        options.add_option(Option(f"Keep “{text}” as free text", id=FREE_TEXT))
        # Enter takes a tag only when the words clearly name it; else it keeps them as free text, and a
        # tag that was only suggested is taken when the broker moves to it (↓) and picks it.
        options.highlighted = [code for code, _l in suggestions].index(clear) if clear else len(suggestions)
        options.display = True

    @on(Input.Submitted, ".tag-input")
    def _take_highlighted(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.display and options.highlighted is not None:
            self._choose(options.get_option_at_index(options.highlighted).id or FREE_TEXT)

    @on(OptionList.OptionSelected, ".tag-suggestions")
    def _take_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._choose(event.option.id or FREE_TEXT)
        self.query_one(".tag-input", Input).focus()

    def _choose(self, choice: str) -> None:
        field = self.query_one(".tag-input", Input)
        text = field.value.strip()
        if choice == FREE_TEXT:
            if text and text not in self.free_text:
                self.free_text.append(text)
        elif choice in TAG_BY_CODE:
            if TAG_BY_CODE[choice].kind == "specialist":
                if choice not in self.tags:
                    self.tags.append(choice)
            else:
                self.post_message(self.TagChosen(self, choice))
        field.value = ""
        self._refresh_chosen()

    def on_key(self, event: events.Key) -> None:
        field = self.query_one(".tag-input", Input)
        if event.key == "backspace" and field.has_focus and not field.value:
            if self.free_text:
                self.free_text.pop()
            elif self.tags:
                self.tags.pop()
            else:
                return
            event.stop()
            self._refresh_chosen()

    def action_focus_suggestions(self) -> None:
        options = self.query_one(OptionList)
        if options.display:
            options.highlighted = 0
            options.focus()
