"""The commands that fill the ledger: ingest (articles), reextract (stored texts again), import (tables)."""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click
from rich.progress import Progress, TaskID
from rich.table import Table

from counterclaim import api
from counterclaim.cli.common import (
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PARTIAL,
    data_options,
    db_option,
    error_line,
    input_options,
    stderr,
)
from counterclaim.cli.history import alerts_option, refresh_after
from counterclaim.cli.output import counts_table, ingest_progress
from counterclaim.errors import InputError
from counterclaim.ingest.html import RawPage
from counterclaim.models import Document
from counterclaim.store import Ledger, RunSummary

if TYPE_CHECKING:
    from distributed import Client

    from counterclaim.ingest.tables import ImportSummary

#: Short names of the input error codes, for the summary table.
ERROR_NAMES = {
    "E101": "empty",
    "E102": "binary",
    "E103": "unknown encoding",
    "E104": "too large",
    "E105": "missing",
    "E106": "bad manifest line",
    "E107": "bad corpus row",
    "E108": "no article in HTML",
    "E109": "URL failed",
    "E110": "not English",
    "E111": "damaged WARC",
    "E112": "extraction failed",
    "E114": "NUL or lone surrogate",
    "E115": "not prose",
}


@click.command()
@input_options
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Documents per transaction, and per task on a cluster  [default: 100; 500 on a cluster, "
    "where fewer, larger tasks leave the one writer more time to write]",
)
@click.option(
    "--scheduler",
    metavar="tcp://HOST:PORT",
    help="Extract on the Dask cluster of this scheduler; the ledger is written here "
    "(needs counterclaim[dask]; see docs/scale.md).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    help="Extract on a local Dask cluster of N worker processes (needs counterclaim[dask]).",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
@alerts_option
@db_option
@data_options
def ingest(
    paths: tuple[str, ...],
    manifest: Path | None,
    allow_outside: bool,
    published: date | None,
    max_bytes: int,
    timeout: float,
    any_language: bool,
    fields: str | None,
    batch_size: int | None,
    scheduler: str | None,
    workers: int | None,
    quiet: bool,
    alerts_file: Path | None,
    db: str,
    actors: tuple[Path, ...],
    lexicon: Path | None,
) -> None:
    """Store articles and their claims in the ledger; each document once, each claim once.

    With --alerts (or `alerts` in the settings) the estimates of the series the new claims
    entered are kept and checked against the rules, and the alerts sent (docs/alerts.md).

    With --scheduler or --workers the extraction runs on a Dask cluster, a partition of
    --batch-size documents per task, and this process writes the results in input order.

    Example:
        counterclaim ingest articles/ --published 2022-04-07 --db ledger.db
    """
    if not paths and manifest is None:
        raise click.UsageError("give one or more PATHs, or --manifest FILE")
    from counterclaim.ingest import cluster as scale

    # before the ledger is touched: a missing Dask is one line
    clustered = scale.check_options(scheduler, workers)
    ledger = api.open_ledger(db, actors=actors)
    # on a cluster the workers find pages' articles and judge the language, not this process
    items = api.read_inputs(
        paths, manifest=manifest, published=published, max_bytes=max_bytes, fields=fields, timeout=timeout,
        any_language=any_language, allow_outside=allow_outside, parse_html=not clustered,
    )  # fmt: skip
    with ingest_progress(None, quiet) as (progress, task), scale.connect(scheduler, workers) as client:
        summary = _ingest(
            ledger, items, client, _reporter(progress, task), actors=actors, lexicon=lexicon,
            batch_size=batch_size, english_only=not any_language,
        )  # fmt: skip
    if not quiet:
        stderr.print(summary_table(summary))
    if summary.claims_new:
        refresh_after(ledger, alerts_file, ledger.claims_of_run(summary.run_id))
    sys.exit({"ok": EXIT_OK, "partial": EXIT_PARTIAL}.get(summary.status, EXIT_ERROR))


def _ingest(
    ledger: Ledger,
    items: Iterator[Document | RawPage | InputError],
    client: Client | None,
    report: Callable[[RunSummary], None],
    *,
    actors: tuple[Path, ...],
    lexicon: Path | None,
    batch_size: int | None,
    english_only: bool,
) -> RunSummary:
    """Extract here, or on a Dask cluster's workers (``client``) with this process writing the ledger."""
    from counterclaim.ingest.cluster import ExtractorSettings

    return api.ingest(
        ledger,
        items,
        extractor=api.build_extractor(actors=actors, lexicon=lexicon) if client is None else None,
        client=client,
        factory=ExtractorSettings.of(actors, lexicon) if client is not None else None,
        batch_size=batch_size,
        english_only=english_only and client is not None,  # here the inputs come screened
        on_item=report,
    )


def _reporter(progress: Progress, task: TaskID) -> Callable[[RunSummary], None]:
    """The callback of an ingest: each new input error above the bar as it happens, the bar moved."""
    shown = 0

    def report(summary: RunSummary) -> None:
        nonlocal shown
        for error in summary.errors[shown:]:
            progress.console.print(
                f"counterclaim: error: {error}", highlight=False, markup=False, soft_wrap=True
            )
        shown = len(summary.errors)
        progress.update(
            task,
            completed=summary.documents_read + len(summary.errors),
            claims=summary.claims_new,
            errors=len(summary.errors),
        )

    return report


def summary_table(summary: RunSummary) -> Table:
    """An ingest's counts: documents read, new, known; claims, reports; input errors by code."""
    by_code = sorted(Counter(error.code for error in summary.errors).items())
    return counts_table(
        f"run {summary.run_id}: {summary.status}",
        [
            ("documents read", summary.documents_read),
            ("new documents", summary.documents_new),
            ("already stored", summary.documents_known),
            ("new claims", summary.claims_new),
            ("new reports", summary.reports_new),
            ("input errors", len(summary.errors)),
            *((f"decoded from {encoding}", count) for encoding, count in sorted(summary.decoded.items())),
            *((f"  {code} {ERROR_NAMES.get(code, '')}", count) for code, count in by_code),
        ],
    )


@click.command()
@click.option("--all", "everything", is_flag=True, help="Every document, not only those of older extractors.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Documents per transaction.",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no summary table.")
@db_option
@data_options
def reextract(
    everything: bool, batch_size: int, quiet: bool, db: str, actors: tuple[Path, ...], lexicon: Path | None
) -> None:
    """Run the current extractor again over the stored texts, keeping every correction.

    Claims still found keep their id, reports and corrections; claims no longer found are
    deleted unless an analyst corrected them (then they stay, with no reports).

    Example:
        counterclaim reextract --db ledger.db
    """
    ledger = api.open_ledger(db, actors=actors, create=False)
    total = ledger.counts()["documents"]
    with ingest_progress(total, quiet, verb="re-extracting") as (progress, task):
        summary = api.reextract(
            ledger,
            extractor=api.build_extractor(actors=actors, lexicon=lexicon),
            everything=everything,
            batch_size=batch_size,
            on_item=lambda s: progress.update(
                task, completed=s.documents_read, claims=s.claims_new, errors=0
            ),
        )
    if quiet:
        return
    stderr.print(
        counts_table(
            f"run {summary.run_id}: re-extracted",
            [
                ("documents re-extracted", summary.documents_read),
                ("new claims", summary.claims_new),
                ("reports", summary.reports_new),
                ("claims no longer found, deleted", summary.claims_removed),
                ("claims no longer found, kept for their corrections", summary.claims_kept),
            ],
        )
    )


@click.command(name="import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--map",
    "mapping_name",
    required=True,
    metavar="MAPPING",
    help="A mapping file (TOML or YAML), or a bundled mapping's name: "
    "ua-gs-russian-losses, gaza-moh-daily, economist-ukraine.",
)
@click.option("--claimant", help="The claimant of every row (overrides the mapping's).")
@click.option("--source-url", help="Where the table comes from (overrides the mapping's).")
@click.option("--quiet", "-q", is_flag=True, help="No line per rejected row and no summary table.")
@db_option
def import_command(
    path: Path, mapping_name: str, claimant: str | None, source_url: str | None, quiet: bool, db: str
) -> None:
    """Import a table of claims (CSV, JSON, JSONL, Parquet) through a mapping file.

    Each row becomes a claim with its provenance (the file, its row, the file's sha256, the
    mapping); rows that cannot be claims are recorded with their row number and reason.
    Importing the same file with the same mapping again changes nothing.

    Example:
        counterclaim import russia_losses_personnel.json --map ua-gs-russian-losses --db ledger.db
    """
    from counterclaim.ingest.mappings import load_mapping

    mapping = load_mapping(mapping_name)  # first: a bad mapping leaves no new ledger behind
    summary = api.import_table(api.open_ledger(db), path, mapping, claimant=claimant, source_url=source_url)
    if not quiet:
        for error in summary.rejected:
            error_line(str(error))
        stderr.print(import_summary_table(summary))
    sys.exit(EXIT_PARTIAL if summary.rejected else EXIT_OK)


def import_summary_table(summary: ImportSummary) -> Table:
    """An import's counts: rows, claims, new, merged, rejected by reason, not reported."""
    title = f"run {summary.run_id}: {Path(summary.table).name} with {summary.mapping}"
    reasons = Counter(error.reason for error in summary.rejected)
    return counts_table(
        title + (" (already imported)" if summary.already_imported else ""),
        [
            ("rows", summary.rows),
            ("claims in the rows", summary.claims),
            ("new claims", summary.new_claims),
            ("merged into claims already in the ledger", summary.merged),
            ("figures not reported in a row", summary.not_reported),
            ("rows rejected", len(summary.rejected)),
            *((f"  {reason[:90]}", count) for reason, count in reasons.most_common(5)),
        ],
    )
