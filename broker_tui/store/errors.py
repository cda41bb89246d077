"""Errors the store raises with one clear line for the person at the keyboard."""


class DatabaseError(Exception):
    """The database cannot be used (unwritable, not a database, unreachable). ``str()`` is one line."""


class StaleEdit(Exception):
    """Someone saved a newer version of this record first."""

    def __init__(self, entity: str, changed: dict[str, tuple[object, object]]):
        self.entity = entity
        self.changed = changed
        names = ", ".join(sorted(changed)) or "the record"
        super().__init__(f"This {entity} was changed by someone else since you opened it ({names}); reload it")


class RuleBroken(Exception):
    """A write broke a rule the database holds (a unique index, a check): the transaction was rolled back.
    ``rule`` is the index or constraint name (store.rules lists ours); ``str()`` is one line without any of
    the row's values."""

    def __init__(self, rule: str):
        self.rule = rule
        super().__init__(f"The database refused the change (rule: {rule}); nothing was saved")
