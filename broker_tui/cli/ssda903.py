"""`broker-tui ssda903 import DIR|FILES`: the council's SSDA903 return read as forecasting keeps it."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import click

from broker_tui.cli import Root, fail, ready, say

QUERY_LINES = 20


@click.group()
def ssda903() -> None:
    """The SSDA903 (children looked after) return: sufficiency evidence for forecasting."""


@ssda903.command("import")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Refuse the return on DfE queries too, not only on errors.")
@click.option("--queries", "all_queries", is_flag=True, help="List every DfE query (default: the first 20).")
@click.pass_obj
def import_cmd(root: Root, paths: tuple[Path, ...], strict: bool, all_queries: bool) -> None:
    """Read the return's Header, Episodes, UASC and OC3 CSV files (a folder: its .csv files), of one or
    several years (a YEAR column, or the year in the file name: episodes_2024-25.csv). The whole return is
    checked first: any error in any file and nothing is written, every error listed by file and line. Kept:
    a pseudonymous child id, year and month of birth, sex, UASC, episodes with their placement's council and
    postcode district, OC3; never the CHILD id, a full date of birth or a full postcode. A file is read once."""
    from broker_tui.services.sufficiency import ReturnAlreadyImported, ReturnInvalid, import_ssda903

    ctx = ready(root)
    try:
        done = import_ssda903(ctx, paths, strict=strict)
    except ReturnInvalid as exc:
        for p in exc.errors:
            say(p.text(), err=True)
        queries = len(exc.problems) - len(exc.errors)
        if queries:
            say(f"and {queries} DfE quer{'y' if queries == 1 else 'ies'} (not errors; --strict refuses them)", err=True)
        fail(f"the return has {len(exc.errors)} error(s); nothing was written", 1)
    except ReturnAlreadyImported as exc:
        fail(str(exc), 1)
    say(f"Read the SSDA903 return: {done.children} children, {done.episodes} episodes (an episode in several "
        f"years' returns once), {done.uasc} UASC, {done.oc3} OC3 row(s)")
    for f in done.files:
        years = ", ".join(f"{year}: {n}" for year, n in sorted(f.years.items()))
        say(f"  {f.name} ({f.table}): {f.rows} row(s); {years}")
    if done.queries:
        by_rule = Counter(q.rule or "-" for q in done.queries)
        say(f"{len(done.queries)} DfE quer{'y' if len(done.queries) == 1 else 'ies'} (read, not refused): "
            + ", ".join(f"{rule} x{n}" for rule, n in sorted(by_rule.items())))
        shown = done.queries if all_queries else done.queries[:QUERY_LINES]
        for q in shown:
            say(f"  {q.text()}")
        if len(shown) < len(done.queries):
            say(f"  and {len(done.queries) - len(shown)} more (--queries lists every one)")


COMMANDS = (ssda903,)
