"""Reports, headless: `report contracts-16plus [--from DATE] [--to DATE] --format csv|xlsx|json --out FILE`.

The commissioner's 16+ review (services.review) over a period (default: the 12 months to yesterday), written
as a zip of CSV tables, an Excel workbook or JSON (every figure the screen shows); `--out -` with json
prints it. Progress goes to standard error. A bad date is its field's message and exit 1; a file that cannot
be written is one line and exit 1, with nothing left half-written."""

from __future__ import annotations

import click

from broker_tui.cli import Root, fail, ready, say


@click.group()
def report() -> None:
    """Reports for commissioners, written to a file."""


@report.command("contracts-16plus")
@click.option("--from", "first_day", metavar="DATE", help="First night of the period (dd/mm/yyyy or ISO; default: "
              "a year before today).")
@click.option("--to", "last_day", metavar="DATE", help="Last night of the period, included (default: yesterday).")
@click.option("--format", "fmt", type=click.Choice(("csv", "xlsx", "json")), required=True,
              help="csv: a zip of one CSV per table; xlsx: an Excel workbook; json: every figure.")
@click.option("--out", "out", metavar="FILE", required=True,
              help="The file to write (owner-only; replaced whole). '-' prints the JSON (json only).")
@click.pass_obj
def contracts_16plus(root: Root, first_day: str | None, last_day: str | None, fmt: str, out: str) -> None:
    """The 16+ block contract review: block against spot, utilisation, voids and their cost, quality, contracts
    ending and the right block size, the two cohorts (16-17 in supported accommodation, care leavers 18+)
    apart."""
    if out == "-" and fmt != "json":
        raise click.BadParameter(f"'-' (standard output) is for --format json; give a file name for {fmt}",
                                 param_hint="--out")
    from broker_tui.services.review import ReviewRefused, review_16_plus

    ctx = ready(root)
    try:
        review = review_16_plus(ctx, first_day, last_day)
    except ReviewRefused as exc:
        for field, message in exc.problems.items():
            say(f"  --{field}: {message}", err=True)
        fail(f"the review period has {len(exc.problems)} problem(s); nothing was written", 1)
    from broker_tui.domain.dates import format_date
    from broker_tui.services.review.export import FileRefused, json_text, write_review

    period = f"{format_date(review.period.first_day)} to {format_date(review.period.last_day)}"
    if out == "-":
        say(json_text(review), nl=False)
        say(f"16+ review {period}: {len(review.contracts)} block contract(s), {len(review.spot_lines)} spot "
            "agreement(s)", err=True)
        return

    def progress(done: int, total: int, what: str) -> None:
        say(f"  {done}/{total} {what}", err=True)

    try:
        written = write_review(review, out, fmt, progress)
    except FileRefused as exc:
        fail(f"--out: {exc}; nothing was written", 1)
    say(f"16+ review {period} written to {written} ({fmt}): {len(review.contracts)} block contract(s), "
        f"{len(review.spot_lines)} spot agreement(s)")
