"""How the QA screens put notes, ratings and refusals into words (presentation only: the rules live in
services.quality)."""

from __future__ import annotations

from rich.text import Text

from broker_tui.services.quality import ActionView, NoteView, QARefused, StaleEdit

RAG_STYLES = {"red": "bold white on red", "amber": "bold black on dark_orange", "green": "bold black on green"}
SUBJECTS = {"service": "Service", "provider": "Provider", "block_contract": "Block contract",
            "spot_agreement": "Spot agreement", "placement": "Placement"}
SUBJECT_HINTS = {
    "service": "the home's name, Ofsted URN or id (→ accepts a suggestion)",
    "provider": "the provider's name or id",
    "block_contract": "the contract's reference or id (→ accepts a suggestion)",
    "spot_agreement": "the agreement's id",
    "placement": "the placement's id",
}
ACTION_STATES = {"open": "Open", "done": "Done", "cancelled": "Cancelled"}


def rag_text(rag: str, label: str | None = None) -> Text:
    """The rating as a coloured badge: ' Red ', ' Amber ', ' Green '."""
    return Text(f" {label or rag.capitalize()} ", style=RAG_STYLES.get(rag, ""))


def action_state(a: ActionView) -> str:
    if a.status == "done" and a.done_on is not None:
        from broker_tui.domain.dates import format_date

        return f"Done {format_date(a.done_on)}" + (f" by {a.done_by}" if a.done_by else "")
    if a.status == "cancelled":
        return "Cancelled"
    return "Overdue" if a.overdue else "Open"


def open_actions_text(n: NoteView) -> Text:
    if not n.open_actions:
        return Text("—", style="dim")
    text = Text(str(n.open_actions))
    if n.overdue_actions:
        text.append(f" ({n.overdue_actions} overdue)", style="bold red")
    return text


def problems_text(problems: dict[str, str]) -> str:
    return "; ".join(f"{k.replace('_', ' ').capitalize()}: {v}" if k else v for k, v in problems.items())


def refusal_text(exc: BaseException) -> str:
    """One line for the person at the keyboard, whatever went wrong."""
    if isinstance(exc, StaleEdit):
        changed = ", ".join(k.replace("_", " ") for k in sorted(exc.changed)) or "it"
        return (f"Not saved: someone else changed this {exc.entity.replace('_', ' ')} since it was opened "
                f"({changed}). It has been reloaded: check it and try again.")
    if isinstance(exc, QARefused):
        return "; ".join(exc.problems.values())
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return f"Something went wrong: {text}"
