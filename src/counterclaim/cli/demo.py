"""The demo command: the bundled samples into a fresh ledger, every series reconciled and plotted."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.table import Table

from counterclaim import api
from counterclaim.cli.common import EXIT_OK, EXIT_PARTIAL, error_line, format_option, stdout
from counterclaim.cli.output import print_rows
from counterclaim.cli.reconciling import series_table
from counterclaim.errors import NotALedgerError

DEMO_DATABASE = "counterclaim-demo.db"


@click.command()
@click.option(
    "--db",
    "path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEMO_DATABASE,
    show_default=True,
    help="The SQLite file to make (replaced if it is an earlier demo ledger).",
)
@format_option("table", "jsonl", "csv")
def demo(path: Path, output_format: str) -> None:
    """Ingest the bundled sample articles into a fresh SQLite ledger, reconcile every series, plot them.

    With --format jsonl or csv it prints the ledger's claims instead of the summary.

    Example:
        counterclaim demo
    """
    try:
        run = api.demo(path)
    except NotALedgerError as refused:
        message = f"{path} exists and is not a counterclaim ledger; give another --db"
        raise click.UsageError(message) from refused
    for error in run.summary.errors:
        error_line(str(error))
    if output_format == "table":
        _print_summary(run)
    else:
        print_rows(run.ledger.claims(), output_format)
    sys.exit(EXIT_PARTIAL if run.summary.errors else EXIT_OK)


def _print_summary(run: api.DemoLedger) -> None:
    """What is in the ledger, what each import and the articles gave, the series and their plots."""
    console, ledger, summary = stdout(), run.ledger, run.summary
    claims = ledger.claims()
    console.print(_ledger_table(claims, title=f"the ledger {run.path}: claims by measure and group"))
    counts = ledger.counts()
    claimants = {claim["claimant"] for claim in claims if claim["claimant"]}
    for outcome in run.imports:
        console.print(
            f"imported {Path(outcome.table).name} ({outcome.mapping}): {outcome.rows:,} rows → "
            f"{outcome.claims:,} claims ({outcome.new_claims:,} new, {outcome.merged:,} merged), "
            f"{len(outcome.rejected):,} rows rejected with reasons"
        )
    console.print(
        f"{summary.documents_read} sample articles ({api.SAMPLES}) → {summary.claims_new} new claims; "
        f"the ledger holds {counts['claims']:,} claims in {counts['reports']:,} reports, "
        f"by {len(claimants)} claimants; {len(summary.errors)} input errors\n"
    )
    conflicts, priors = api.read_conflicts(), api.read_priors()
    series = api.load_series(ledger, conflicts)
    rows = api.summarize_series(series, priors, conflicts=conflicts, ledger=ledger)  # kept: `revisions`
    console.print(series_table(rows, title="series reconciled (model: 5th / 50th / 95th percentile)"))
    plots = api.write_plots(series, priors, run.path.with_name(run.path.stem + "-plots"), conflicts=conflicts)
    if plots:
        console.print(f"{len(plots)} plots (series with two or more claims) in {plots[0].parent}/")
    console.print(f"Next: open the dashboard on this ledger: counterclaim serve --db {run.path}")


def _ledger_table(rows: list[dict[str, Any]], *, title: str) -> Table:
    """Claims grouped by measure, party and role: how many, by whom, the range, the latest."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["measure"], row["subject_party"] or "", row["subject_role"]), []).append(row)
    table = Table(title=title, header_style="bold")
    for column in ("measure", "party", "role", "claims", "reports", "claimants", "lowest", "highest",
                   "latest as of"):  # fmt: skip
        table.add_column(
            column, justify="right" if column in {"claims", "reports", "lowest", "highest"} else "left"
        )
    for (measure, party, role), claims in sorted(groups.items(), key=lambda item: (-len(item[1]), item[0])):
        lows = [c["low"] for c in claims if c["low"] is not None]
        highs = [c["high"] for c in claims if c["high"] is not None]
        claimants = sorted({c["claimant"] for c in claims if c["claimant"]})
        dates = [c["as_of"] for c in claims if c["as_of"]]
        table.add_row(
            measure,
            party or "—",
            role,
            str(len(claims)),
            str(sum(c["reports"] for c in claims)),
            ", ".join(claimants[:3]) + (f" +{len(claimants) - 3}" if len(claimants) > 3 else "") or "—",
            f"{min(lows):,}" if lows else "",
            f"{max(highs):,}" if highs else "",
            max(dates) if dates else "",
        )
    return table
