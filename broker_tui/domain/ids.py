"""Keys are UUIDv7 made by the app (time-ordered, mergeable), never database sequences."""

from __future__ import annotations

import uuid

from uuid6 import uuid7


def new_id() -> uuid.UUID:
    return uuid.UUID(int=uuid7().int)
