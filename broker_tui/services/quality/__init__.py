"""Quality assurance: QA notes about a provider, a service, a spot agreement, a block contract or a
placement (visits, reviews, Ofsted and Regulation 44/45 reports, notifications, complaints, young people's
feedback, contract reviews), each with a red-amber-green rating, findings and actions.

- _common: the refusal (QARefused, problems by field), the views (NoteView, ActionView, StopStarted,
  KindChoice), the subject a note is about, the kind rules (Regulations 40, 44 and 45 for children's homes
  only), which notes are about a subject and which still count;
- _notes: recording a note (``add_note``, ``add_note_in``), superseding one (``supersede``), the kinds a
  subject may have (``kinds_for``), a red note's placement stop;
- _actions: an action's moves (``complete_action``, ``cancel_action``), an action added later, a stop
  started after the note (``stop_placements_after_note``);
- _lists: ``list_notes``, ``list_actions``, ``overdue_visits`` (Regulation 44 monthly, 45 six-monthly, for
  the homes where our children live), ``latest_rating``.

Notes are insert-only (the database refuses an UPDATE): a correction supersedes, and a superseded note
leaves every count and list. Every write runs in one transaction, audited by construction (store.audit).
Import from this package, never from its private modules.
"""

from broker_tui.services.quality._actions import (
    add_action,
    cancel_action,
    cancel_action_in,
    complete_action,
    complete_action_in,
    stop_placements_after_note,
)
from broker_tui.services.quality._common import (
    CHILDRENS_HOME_TYPES,
    ActionView,
    KindChoice,
    NoteView,
    QARefused,
    StopStarted,
    note_is_about,
    note_is_current,
)
from broker_tui.services.quality._lists import (
    LatestRating,
    VisitsDue,
    latest_rating,
    list_actions,
    list_notes,
    overdue_visits,
)
from broker_tui.services.quality._notes import (
    ActionInput,
    NoteInput,
    StopInput,
    add_note,
    add_note_in,
    check_note,
    kinds_for,
    supersede,
    supersede_in,
)
from broker_tui.store.errors import StaleEdit

__all__ = [
    "CHILDRENS_HOME_TYPES",
    "ActionInput",
    "ActionView",
    "KindChoice",
    "LatestRating",
    "NoteInput",
    "NoteView",
    "QARefused",
    "StaleEdit",
    "StopInput",
    "StopStarted",
    "VisitsDue",
    "add_action",
    "add_note",
    "add_note_in",
    "cancel_action",
    "cancel_action_in",
    "check_note",
    "complete_action",
    "complete_action_in",
    "kinds_for",
    "latest_rating",
    "list_actions",
    "list_notes",
    "note_is_about",
    "note_is_current",
    "overdue_visits",
    "stop_placements_after_note",
    "supersede",
    "supersede_in",
]
