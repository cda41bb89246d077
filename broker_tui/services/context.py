"""What every use case needs: where the database is, the settings, the clock and who is acting."""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from broker_tui.domain.clock import Clock
from broker_tui.domain.settings import Settings
from broker_tui.store.location import DatabaseLocation, resolve

if TYPE_CHECKING:  # the engine (SQLAlchemy) is imported only when first used
    from sqlalchemy import Engine
    from sqlmodel import Session


@dataclass
class AppContext:
    location: DatabaseLocation
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=Clock)
    is_default_location: bool = False
    _engine: Engine | None = None

    @classmethod
    def for_target(cls, target: str, *, settings: Settings | None = None, today: dt.date | None = None,
                   is_default_location: bool = False) -> AppContext:
        return cls(resolve(target), settings or Settings(), Clock(today), is_default_location)

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            from broker_tui.store.engine import make_engine

            self._engine = make_engine(self.location)
        return self._engine

    def session(self) -> AbstractContextManager[Session]:
        """One transaction: committed at the end of the block, rolled back on any error."""
        from broker_tui.store.engine import session_scope

        return session_scope(self.engine)

    @property
    def actor(self) -> str:
        return self.settings.user_name or "unknown"

    def today(self) -> dt.date:
        return self.clock.today()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
