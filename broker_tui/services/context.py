"""What every use case needs: where the database is, the settings, the clock and who is acting."""

from __future__ import annotations

import datetime as dt
import os
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from broker_tui.domain.clock import Clock
from broker_tui.domain.settings import Settings
from broker_tui.store.location import DatabaseLocation, resolve

if TYPE_CHECKING:  # the engine (SQLAlchemy) is imported only when first used
    from sqlalchemy import Engine
    from sqlmodel import Session


def os_login() -> str:
    """The operating system's name for the user running this process (the account, not an environment
    variable anyone can set), or 'unknown' where it has none."""
    try:
        import pwd

        return pwd.getpwuid(os.getuid()).pw_name
    except (ImportError, KeyError, OSError):
        import getpass

        try:
            return getpass.getuser()
        except Exception:  # noqa: BLE001  (no login name in some containers)
            return "unknown"


@dataclass
class AppContext:
    location: DatabaseLocation
    settings: Settings = field(default_factory=Settings)
    clock: Clock = field(default_factory=Clock)
    is_default_location: bool = False
    acting_as: str | None = None  # who is acting, when a test or the demo seed says so; else see ``identity``
    _engine: Engine | None = None
    _identity: str | None = None

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
        """One transaction: committed at the end of the block, rolled back on any error. Every row it
        writes leaves an audit event naming ``actor``."""
        from broker_tui.store.engine import session_scope

        return session_scope(self.engine, actor=self.actor, now=self.clock.now)

    @property
    def identity(self) -> str:
        """Who is acting, as the system knows them, not as they call themselves: on PostgreSQL the
        database role (``current_user``), on SQLite the operating-system login. The ``[user] name``
        setting only labels it (``actor_label``); approvals compare identities."""
        if self.acting_as is not None:
            return self.acting_as
        if self._identity is None:
            from broker_tui.store.engine import database_role

            self._identity = database_role(self.engine) or os_login()
        return self._identity

    @property
    def actor(self) -> str:
        """The name the audit trail and every record give the person acting: their identity."""
        return self.identity

    @property
    def actor_label(self) -> str:
        """'Jo Broker (jbroker)' when the settings give a name, else the identity alone."""
        name, who = self.settings.user_name.strip(), self.identity
        return who if not name or name.casefold() == who.casefold() else f"{name} ({who})"

    def today(self) -> dt.date:
        return self.clock.today()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None
