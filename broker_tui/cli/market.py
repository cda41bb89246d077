"""`providers import-ofsted`, `providers import`, `providers list`, `seed --demo`: the market, headless."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from broker_tui.cli import Root, database_errors, fail, ready, say

if TYPE_CHECKING:
    from broker_tui.services.market.importers import ImportFileError


@click.group()
def providers() -> None:
    """The market: providers and their services."""


@providers.command("import-ofsted")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_obj
def import_ofsted_cmd(root: Root, csv_file: Path) -> None:
    """Import or refresh services from Ofsted's provider-level register (CSV)."""
    from broker_tui.services.market.importers import ImportFileError, import_ofsted

    ctx = ready(root)
    with database_errors():
        try:
            report = import_ofsted(ctx, csv_file, progress=lambda m: say(m, err=True))
        except ImportFileError as exc:
            _refused(csv_file, exc)
    for line in report.summary_lines():
        say(line)


@providers.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--skip-bad", is_flag=True, help="Import the good rows (in one transaction) even when some are bad.")
@click.pass_obj
def import_cmd(root: Root, csv_file: Path, skip_bad: bool) -> None:
    """Import a council's own provider list (CSV; columns in docs/provider-import.md)."""
    from broker_tui.services.market.importers import ImportFileError, import_council_csv
    from broker_tui.store.errors import StaleEdit

    ctx = ready(root)
    with database_errors():
        try:
            report = import_council_csv(ctx, csv_file, skip_bad=skip_bad,
                                        progress=lambda m: say(m, err=True))
        except ImportFileError as exc:
            _refused(csv_file, exc)
        except StaleEdit as exc:
            fail(str(exc))
    for line in report.problem_lines():
        say(line, err=True)
    for line in report.summary_lines():
        say(line)
    if not report.written:
        hint = "; --skip-bad imports the good rows" if report.refused and not skip_bad else ""
        fail(f"{csv_file} was not imported: {len(report.skipped_lines)} bad row(s); nothing was written{hint}", 1)


@providers.command("list")
@click.option("--type", "service_type", metavar="TYPE", help="Service type code (see --help-types).")
@click.option("--search", default="", help="Words to look for in name, owner, town, authority, specialisms or "
              "description (typos tolerated: leicster, autsim); best match first unless --sort says otherwise.")
@click.option("--sort", type=click.Choice(["relevance", "name", "distance", "price", "judgement"]),
              default="relevance", show_default=True, help="Order (relevance: best match, by name without --search).")
@click.option("--limit", type=click.IntRange(1, 1_000_000), default=None, help="At most this many rows.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one array of services).")
@click.option("--help-types", is_flag=True, help="List the service type codes and stop.")
@click.pass_obj
def list_cmd(root: Root, service_type: str | None, search: str, sort: str, limit: int | None, as_json: bool,
             help_types: bool) -> None:
    """List services in the market."""
    from broker_tui.domain.vocabulary import SERVICE_TYPE_BY_CODE, SERVICE_TYPES

    if help_types:
        for t in SERVICE_TYPES:
            say(f"{t.code:28} {t.label}")
        return
    if service_type and service_type not in SERVICE_TYPE_BY_CODE:
        fail(f"unknown service type {service_type!r}; known: {', '.join(SERVICE_TYPE_BY_CODE)}")
    from broker_tui.services.market import DirectoryQuery, iter_services

    ctx = ready(root)
    with database_errors():
        query = DirectoryQuery(service_type=service_type, text=search, sort=sort)
        rows = list(iter_services(ctx, query, limit=limit))
    if as_json:
        say(json.dumps([r.to_json() for r in rows], indent=2))
        return
    for r in rows:
        say(r.to_line())


@click.command()
@click.option("--demo", is_flag=True, required=True, help="Fill an empty database with the demo market.")
@click.pass_obj
def seed(root: Root, demo: bool) -> None:
    """Fill an empty database with the demo market (a database with data in it is refused, untouched)."""
    from broker_tui.services.demo import DemoRefused, seed_demo

    ctx = ready(root)
    with database_errors():
        try:
            summary = seed_demo(ctx, progress=lambda m: say(m, err=True))
        except DemoRefused as exc:
            fail(str(exc))
    for line in summary.summary_lines():
        say(line)


def _refused(csv_file: Path, exc: ImportFileError) -> NoReturn:
    """An import refused whole: every problem, then one line saying nothing was written (exit 1)."""
    for line in exc.lines():
        say(line, err=True)
    fail(f"{csv_file} was not imported: {len(exc.problems)} problem(s); nothing was written", 1)


COMMANDS = (providers, seed)
