"""The rules of the domain the database holds (unique indexes and checks), and which one a refusal broke.

PostgreSQL names the constraint in the error; SQLite names the table and columns
("UNIQUE constraint failed: referral.case_ref"), so each rule is listed with both. The services turn a
broken rule into their own message (a duplicate open case, a referral already sent, an offer already
accepted); nothing here ever reads the row's values, which may describe a child.
"""

from __future__ import annotations

import re

from sqlalchemy.exc import IntegrityError

# rule name -> (table, columns) as SQLite reports them
UNIQUE_RULES: dict[str, tuple[str, tuple[str, ...]]] = {
    "uq_referral_open_case": ("referral", ("case_ref",)),
    "uq_referral_sent_once": ("referral_sent", ("referral_id", "service_id")),
    "uq_offer_one_accepted": ("offer", ("referral_id",)),
    "uq_block_unit_label": ("block_unit", ("contract_id", "label")),
    "uq_sufficiency_import_sha256": ("sufficiency_import", ("sha256",)),
    "uq_ssda903_file_sha256": ("ssda903_file", ("sha256",)),
}

_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (.+)$")
_TRIGGER_RULE = re.compile(r"^(?:ERROR:\s*)?(insert_only_[a-z0-9_]+|placement_unit_nights|placement_child_nights):")
# the guards' names (revision 0003): a trigger's message starts with one; PostgreSQL's exclusion
# constraints carry the ex_ names
NIGHT_RULES = {"placement_unit_nights": "ex_placement_unit_nights", "placement_child_nights": "ex_placement_child_nights"}
_SAME_RULE = {constraint: rule for rule, constraint in NIGHT_RULES.items()}


def broken_rule(exc: IntegrityError) -> str:
    """The name of the rule an IntegrityError broke ('' when the database did not say which)."""
    diag = getattr(exc.orig, "diag", None)
    name = getattr(diag, "constraint_name", None)
    if name:
        return _SAME_RULE.get(str(name), str(name))
    message = str(exc.orig or "").strip().splitlines()[0] if str(exc.orig or "").strip() else ""
    named = _TRIGGER_RULE.match(message)
    if named:  # a guard trigger (insert-only history, one placement a night) names its rule first
        return named.group(1)
    found = _SQLITE_UNIQUE.search(message)
    if found:
        pairs = [c.strip().split(".", 1) for c in found.group(1).split(",")]
        if all(len(p) == 2 for p in pairs):
            table, columns = pairs[0][0], tuple(p[1] for p in pairs)
            for rule, (rule_table, rule_columns) in UNIQUE_RULES.items():
                if rule_table == table and rule_columns == columns:
                    return rule
            return f"unique {table}({', '.join(columns)})"
    for prefix, kind in (("NOT NULL constraint failed: ", "not null "), ("CHECK constraint failed: ", ""),
                         ("FOREIGN KEY constraint failed", "foreign key")):
        if message.startswith(prefix):
            return kind + message[len(prefix):]
    return ""
