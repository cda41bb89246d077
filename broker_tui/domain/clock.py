"""One clock for everything that depends on today, so tests and demos can fix it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Clock:
    """A clock fixed at ``fixed`` or, when None, the system's local date and UTC time."""

    fixed: dt.date | None = None

    def today(self) -> dt.date:
        return self.fixed or dt.date.today()

    def now(self) -> dt.datetime:
        if self.fixed:
            return dt.datetime.combine(self.fixed, dt.time(9, 0), tzinfo=dt.UTC)
        return dt.datetime.now(dt.UTC)
