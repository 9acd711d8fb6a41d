"""The `counterclaim` command line: a thin shell over counterclaim.api.

Exit codes: 0 success; 1 an error (nothing could be read, a data file is bad, a score is
below a required floor); 2 a usage error; 3 partial success (some inputs failed, the
rest were processed).
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Literal, TypeVar, cast, overload

import click
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from counterclaim import api
from counterclaim.about import __version__
from counterclaim.dates import parse_published
from counterclaim.errors import CounterclaimError, InputError
from counterclaim.evaluate import ATTRIBUTES, Report
from counterclaim.extract import Extractor
from counterclaim.formats import claims_to_csv, claims_to_jsonl, rows_to_parquet
from counterclaim.ingest.corpora import parse_fields
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.inputs import iter_paths, read_manifest
from counterclaim.ingest.language import screen
from counterclaim.ingest.pipeline import DEFAULT_BATCH
from counterclaim.ingest.text import DEFAULT_MAX_BYTES
from counterclaim.models import MEASURES, Claim, Document
from counterclaim.store import RunSummary
from counterclaim.store.queries import LISTING_COLUMNS

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_PARTIAL = 0, 1, 2, 3
F = TypeVar("F", bound=Callable[..., Any])

_stderr = Console(stderr=True, highlight=False)


def _stdout() -> Console:
    """The console for results: the terminal's width, or wide enough not to fold when piped."""
    return Console(highlight=False, width=None if sys.stdout.isatty() else 220)


def _error_line(message: str) -> None:
    click.echo(f"counterclaim: error: {message}", err=True)


def _parse_date(_: click.Context, __: click.Parameter, value: str | None) -> date | None:
    try:
        return parse_published(value)
    except CounterclaimError as error:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from error


def data_options(function: F) -> F:
    """--actors and --lexicon: the user's extensions of the built-in data files."""
    function = click.option(
        "--lexicon",
        type=click.Path(dir_okay=False, path_type=Path),
        default=None,
        help="A TOML file extending the built-in word lists (same shape as data/lexicon.toml).",
    )(function)
    return click.option(
        "--actors",
        "actors",
        multiple=True,
        type=click.Path(dir_okay=False, path_type=Path),
        help="A TOML file extending the actor registry (same shape as data/actors.toml); repeatable.",
    )(function)


def input_options(function: F) -> F:
    """PATH... (files, folders, or - for standard input), --manifest, --published, --max-bytes."""
    for option in reversed(
        [
            click.argument("paths", nargs=-1, metavar="PATH|URL..."),
            click.option(
                "--manifest",
                type=click.Path(dir_okay=False, path_type=Path),
                help="A JSONL manifest of articles.",
            ),
            click.option(
                "--published", callback=_parse_date, help="Publication date of the PATHS (YYYY-MM-DD)."
            ),
            click.option(
                "--max-bytes",
                type=click.IntRange(min=1),
                default=DEFAULT_MAX_BYTES,
                show_default=True,
                help="Refuse larger files.",
            ),
            click.option(
                "--timeout",
                type=click.FloatRange(min=0.1),
                default=20.0,
                show_default=True,
                help="Seconds to wait for a URL.",
            ),
            click.option(
                "--any-language",
                is_flag=True,
                help="Keep documents that are not in English (by default they are skipped with a reason).",
            ),
            click.option(
                "--fields",
                metavar="FIELD=COLUMN,...",
                help="Columns of JSONL/CSV corpora, e.g. text=body,published=date "
                "(fields: id, text, title, url, published, outlet).",
            ),
        ]
    ):
        function = option(function)
    return function


def format_option(*choices: str) -> Callable[[F], F]:
    """--format, the first choice by default."""
    return click.option(
        "--format", "output_format", type=click.Choice(list(choices)), default=choices[0], show_default=True
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="counterclaim")
def cli() -> None:
    """Who claimed how many were killed, wounded, captured or displaced, and when."""


@overload
def _stream_inputs(
    paths: Sequence[str],
    manifest: Path | None,
    published: date | None,
    max_bytes: int,
    fields: str | None,
    *,
    timeout: float = ...,
    any_language: bool = ...,
    parse_html: Literal[True] = ...,
) -> Iterator[Document | InputError]: ...


@overload
def _stream_inputs(
    paths: Sequence[str],
    manifest: Path | None,
    published: date | None,
    max_bytes: int,
    fields: str | None,
    *,
    timeout: float = ...,
    any_language: bool = ...,
    parse_html: bool,
) -> Iterator[Document | RawPage | InputError]: ...


def _stream_inputs(
    paths: Sequence[str],
    manifest: Path | None,
    published: date | None,
    max_bytes: int,
    fields: str | None,
    *,
    timeout: float = 20.0,
    any_language: bool = False,
    parse_html: bool = True,
) -> Iterator[Document | RawPage | InputError]:
    """The documents of every input, read as they are needed (a crawl is never all in memory).

    Without ``parse_html``, HTML pages come unparsed (for a cluster's workers to parse), and
    no language is judged here.
    """
    columns = parse_fields(fields)  # a bad --fields fails before anything is read

    def documents() -> Iterator[Document | RawPage | InputError]:
        if manifest is not None:
            yield from read_manifest(manifest, max_bytes=max_bytes)
        yield from iter_paths(
            paths,
            published=published,
            max_bytes=max_bytes,
            fields=columns,
            timeout=timeout,
            parse_html=parse_html,
        )

    if any_language or not parse_html:
        return documents()
    return screen(cast("Iterator[Document | InputError]", documents()))  # parsed: no RawPage in it


def _progress(total: int) -> Progress:
    return Progress(
        TextColumn("extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[claims]} claims"),
        TimeElapsedColumn(),
        console=_stderr,
        transient=True,
        disable=total < 50 or not _stderr.is_terminal,
    )


def _run_extraction(items: list[Document | InputError], extractor: Extractor) -> api.Extraction:
    outcome = api.Extraction()
    with _progress(len(items)) as progress:
        task = progress.add_task("extract", total=len(items), claims=0)
        for result in api.extract_documents(items, extractor=extractor):
            if isinstance(result, InputError):
                outcome.errors.append(result)
                _error_line(str(result))
            else:
                outcome.documents.append(result)
            progress.update(task, advance=1, claims=len(outcome.claims))
    return outcome


def _value_text(claim: Claim) -> str:
    if claim.qualifier == "exact" and claim.value is not None:
        return f"{claim.value:,}"
    if claim.qualifier in {"range", "vague"}:
        return f"{claim.low:,}–{claim.high:,}" if claim.low is not None and claim.high is not None else "?"
    words = {"at_least": "≥", "more_than": ">", "at_most": "≤", "less_than": "<", "about": "≈"}
    return f"{words.get(claim.qualifier, '')}{claim.value:,}" if claim.value is not None else "?"


def claims_table(claims: Iterable[Claim], *, title: str | None = None) -> Table:
    """A Rich table of claims, one row each."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in ("doc", "measure", "value", "group", "party", "role", "claimant", "scope", "as of"):
        table.add_column(column, overflow="fold")
    for claim in claims:
        table.add_row(
            claim.doc or "",
            claim.measure,
            _value_text(claim),
            claim.subject,
            claim.subject_party or "",
            claim.subject_role,
            claim.claimant or "—",
            claim.scope,
            claim.as_of or "",
        )
    return table


def _emit(claims: list[Claim], output_format: str, title: str | None = None) -> None:
    if output_format == "jsonl":
        for line in claims_to_jsonl(claims):
            click.echo(line)
    elif output_format == "csv":
        click.echo(claims_to_csv(claims), nl=False)
    else:
        _stdout().print(claims_table(claims, title=title))


def _exit_code(outcome: api.Extraction) -> int:
    if outcome.errors and not outcome.documents:
        return EXIT_ERROR
    return EXIT_PARTIAL if outcome.errors else EXIT_OK


@cli.command()
@input_options
@format_option("table", "jsonl", "csv")
@data_options
def extract(
    paths: tuple[str, ...],
    manifest: Path | None,
    published: date | None,
    output_format: str,
    max_bytes: int,
    timeout: float,
    any_language: bool,
    fields: str | None,
    actors: tuple[Path, ...],
    lexicon: Path | None,
) -> None:
    """Extract the claims of articles: text or HTML files, folders, corpora, WARC files, URLs, a manifest.

    Example:
        counterclaim extract article.txt --published 2022-04-07 --format jsonl
    """
    if not paths and manifest is None:
        raise click.UsageError("give one or more PATHs, or --manifest FILE")
    extractor = api.build_extractor(actors=actors, lexicon=lexicon)
    outcome = _run_extraction(
        list(
            _stream_inputs(
                paths, manifest, published, max_bytes, fields, timeout=timeout, any_language=any_language
            )
        ),
        extractor,
    )
    _emit(outcome.claims, output_format)
    sys.exit(_exit_code(outcome))


def _parse_floors(_: click.Context, __: click.Parameter, values: tuple[str, ...]) -> dict[str, float]:
    floors: dict[str, float] = {}
    allowed = {"f1", "precision", "recall", "strict_f1", *ATTRIBUTES}
    for value in values:
        name, _sep, number = value.partition("=")
        if name not in allowed:
            raise click.BadParameter(f"{name!r} is not a score; use one of {', '.join(sorted(allowed))}")
        try:
            floors[name] = float(number)
        except ValueError as error:
            raise click.BadParameter(f"{value!r}: the floor must be a number, as in f1=0.9") from error
    return floors


def _score(report: Report, name: str) -> float:
    if name in {"f1", "precision", "recall", "strict_f1"}:
        return float(getattr(report, name))
    return report.accuracy(name)


def _claim_line(claim: Claim) -> str:
    return f"{claim.doc} @{claim.start} {claim.measure} {_value_text(claim)} — {claim.evidence[:110]}"


def _print_report(report: Report, extractor: Extractor, show_diff: bool) -> None:
    out = _stdout()
    table = Table(title="extraction scores", header_style="bold")
    table.add_column("score")
    table.add_column("value", justify="right")
    scores = report.scores()
    for name in ("gold", "predicted", "matched", "precision", "recall", "f1"):
        table.add_row(name, str(scores[name]))
    for name, value in scores["attributes"].items():
        table.add_row(f"{name} accuracy", f"{value}")
    table.add_row("strict f1", str(scores["strict_f1"]))
    if show_diff:
        for claim in report.misses:
            out.print(f"[red]miss[/] {_claim_line(claim)}")
        for claim in report.false_alarms:
            out.print(f"[yellow]false alarm[/] {_claim_line(claim)}")
        for row in report.mismatches(extractor.registry.same):
            diffs = "; ".join(f"{k}: {v['gold']!r} ≠ {v['predicted']!r}" for k, v in row["differs"].items())
            out.print(f"[cyan]differs[/] {row['doc']} @{row['start']} {row['measure']} — {diffs}")
    out.print(table)


@cli.command()
@click.option(
    "--gold", required=True, type=click.Path(dir_okay=False, path_type=Path), help="Gold claims (JSONL)."
)
@click.option(
    "--manifest",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The articles' manifest.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the scores and the per-claim diff as JSON.")
@click.option(
    "--diff/--no-diff",
    "show_diff",
    default=True,
    show_default=True,
    help="List misses, false alarms and attribute differences.",
)
@click.option(
    "--require",
    "floors",
    multiple=True,
    callback=_parse_floors,
    metavar="SCORE=FLOOR",
    help="Fail (exit 1) if a score is below FLOOR, e.g. --require f1=0.9.",
)
@data_options
def evaluate(
    gold: Path,
    manifest: Path,
    as_json: bool,
    show_diff: bool,
    floors: dict[str, float],
    actors: tuple[Path, ...],
    lexicon: Path | None,
) -> None:
    """Score the extractor against gold claims, as docs/claims.md defines it.

    Example:
        counterclaim evaluate --gold corpus/gold.jsonl --manifest corpus/manifest.jsonl --require f1=0.9
    """
    extractor = api.build_extractor(actors=actors, lexicon=lexicon)
    report, extraction = api.evaluate_manifest(gold, manifest, extractor=extractor)
    for error in extraction.errors:
        _error_line(str(error))
    if as_json:
        payload = report.scores()
        payload["misses"] = [c.to_dict() for c in report.misses]
        payload["false_alarms"] = [c.to_dict() for c in report.false_alarms]
        payload["mismatches"] = report.mismatches(extractor.registry.same)
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
    else:
        _print_report(report, extractor, show_diff)
    failed = [
        f"{name} {_score(report, name):.3f} < {floor}"
        for name, floor in floors.items()
        if _score(report, name) < floor
    ]
    if failed:
        _error_line("below the required floor: " + ", ".join(failed))
        sys.exit(EXIT_ERROR)
    sys.exit(_exit_code(extraction) if extraction.errors else EXIT_OK)


DEMO_DATABASE = "counterclaim-demo.db"


@cli.command()
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
    from counterclaim.ingest.tables import import_table, load_mapping

    _fresh_sqlite(path)
    ledger = api.open_ledger(str(path))
    imports = [
        import_table(ledger, api.SAMPLE_TABLES / folder / file, load_mapping(mapping))
        for folder, file, mapping in api.SAMPLE_TABLE_FILES
    ]
    summary = api.ingest(ledger, list(read_manifest(api.SAMPLE_MANIFEST)), extractor=api.build_extractor())
    for error in summary.errors:
        _error_line(str(error))
    if output_format != "table":
        _print_rows(ledger.claims(), output_format)
        sys.exit(EXIT_PARTIAL if summary.errors else EXIT_OK)
    from counterclaim.reconcile import build_series, load_priors
    from counterclaim.reconcile_cli import series_rows, series_table, write_plots

    console = _stdout()
    claims = ledger.claims()
    console.print(_ledger_table(claims, title=f"the ledger {path}: claims by measure and group"))
    counts = ledger.counts()
    claimants = {claim["claimant"] for claim in claims if claim["claimant"]}
    for outcome in imports:
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
    series = build_series(claims, registry=ledger.registry)
    priors = load_priors()
    console.print(
        series_table(
            series_rows(series, priors), title="series reconciled (model: 5th / 50th / 95th percentile)"
        )
    )
    plots = write_plots(series, priors, path.with_name(path.stem + "-plots"))
    if plots:
        console.print(f"{len(plots)} plots (series with two or more claims) in {plots[0].parent}/")
    console.print(f"Next: open the dashboard on this ledger: counterclaim serve --db {path}")
    sys.exit(EXIT_PARTIAL if summary.errors else EXIT_OK)


def _fresh_sqlite(path: Path) -> None:
    """Remove an earlier demo ledger at ``path``; refuse to touch any other file."""
    if not path.exists():
        return
    import sqlite3

    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            is_ledger = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
            ).fetchone()
    except sqlite3.DatabaseError:
        is_ledger = None
    if not is_ledger:
        raise click.UsageError(f"{path} exists and is not a counterclaim ledger; give another --db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _ledger_table(rows: list[dict[str, Any]], *, title: str) -> Table:
    """Claims grouped by measure, party and role: how many, by whom, the range, the latest."""
    groups: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for row in rows:
        groups.setdefault((row["measure"], row["subject_party"] or "", row["subject_role"]), []).append(row)
    table = Table(title=title, header_style="bold")
    for column in (
        "measure",
        "party",
        "role",
        "claims",
        "reports",
        "claimants",
        "lowest",
        "highest",
        "latest as of",
    ):
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


def db_option(function: F) -> F:
    """--db: the ledger's database URL or SQLite path."""
    return click.option(
        "--db",
        envvar="COUNTERCLAIM_DB",
        default="counterclaim.db",
        show_default=True,
        help="Database URL (sqlite:///file.db, postgresql+psycopg://...) or a SQLite file path; "
        "or set COUNTERCLAIM_DB.",
    )(function)


@cli.command()
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
@db_option
@data_options
def ingest(
    paths: tuple[str, ...],
    manifest: Path | None,
    published: date | None,
    max_bytes: int,
    timeout: float,
    any_language: bool,
    fields: str | None,
    batch_size: int | None,
    scheduler: str | None,
    workers: int | None,
    quiet: bool,
    db: str,
    actors: tuple[Path, ...],
    lexicon: Path | None,
) -> None:
    """Store articles and their claims in the ledger; each document once, each claim once.

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
    items = _stream_inputs(
        paths, manifest, published, max_bytes, fields, timeout=timeout, any_language=any_language,
        parse_html=not clustered,
    )  # fmt: skip
    with _ingest_progress(None, quiet) as (progress, task):
        shown = 0

        def report(summary: RunSummary) -> None:
            nonlocal shown
            for error in summary.errors[shown:]:  # as they happen, above the progress bar
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

        with scale.connect(scheduler, workers) as client:
            if client is None:
                summary = api.ingest(
                    ledger,
                    cast("Iterator[Document | InputError]", items),  # parsed here: no RawPage in it
                    extractor=api.build_extractor(actors=actors, lexicon=lexicon),
                    batch_size=batch_size or DEFAULT_BATCH,
                    on_item=report,
                )
            else:
                summary = scale.ingest(
                    ledger,
                    items,
                    factory=scale.ExtractorSettings.of(actors, lexicon),
                    client=client,
                    batch_size=batch_size or scale.CLUSTER_BATCH,
                    english_only=not any_language,
                    on_item=report,
                )
    if not quiet:
        _stderr.print(_summary_table(summary))
    sys.exit({"ok": EXIT_OK, "partial": EXIT_PARTIAL}.get(summary.status, EXIT_ERROR))


class _RateColumn(ProgressColumn):
    """Documents per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} docs/s")


def _ingest_progress(total: int | None, quiet: bool, verb: str = "ingesting") -> Any:
    """A progress bar on stderr when it is a terminal (and not --quiet); ``total`` None if unknown."""
    from contextlib import contextmanager

    @contextmanager
    def managed() -> Any:
        progress = Progress(
            TextColumn(verb),
            BarColumn(),
            MofNCompleteColumn() if total is not None else TextColumn("{task.completed:,.0f} documents"),
            _RateColumn(),
            TextColumn("{task.fields[claims]:,} new claims"),
            TextColumn("{task.fields[errors]} errors"),
            TimeElapsedColumn(),
            console=_stderr,
            transient=True,
            disable=quiet or not _stderr.is_terminal,
        )
        with progress:
            yield progress, progress.add_task("ingest", total=total, claims=0, errors=0)

    return managed()


def _counts_table(title: str, counts: Iterable[tuple[str, int]]) -> Table:
    """A two-column table of what a run did: label, count."""
    table = Table(title=title, header_style="bold")
    table.add_column("")
    table.add_column("count", justify="right")
    for label, value in counts:
        table.add_row(label, f"{value:,}")
    return table


def _summary_table(summary: RunSummary) -> Table:
    return _counts_table(
        f"run {summary.run_id}: {summary.status}",
        [
            ("documents read", summary.documents_read),
            ("new documents", summary.documents_new),
            ("already stored", summary.documents_known),
            ("new claims", summary.claims_new),
            ("new reports", summary.reports_new),
            ("input errors", len(summary.errors)),
            *((f"decoded from {encoding}", count) for encoding, count in sorted(summary.decoded.items())),
            *(
                (f"  {code} {_ERROR_NAMES.get(code, '')}", count)
                for code, count in sorted(Counter(error.code for error in summary.errors).items())
            ),
        ],
    )


#: Short names of the input error codes, for the summary table.
_ERROR_NAMES = {
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
}


@cli.command(name="claims")
@click.option("--measure", type=click.Choice(list(MEASURES)))
@click.option("--party")
@click.option("--role", type=click.Choice(["military", "civilian", "unspecified"]))
@click.option("--claimant")
@click.option("--since", callback=_parse_date, help="Claims as of this date or later (YYYY-MM-DD).")
@click.option("--until", callback=_parse_date, help="Claims as of this date or earlier (YYYY-MM-DD).")
@click.option("--doc", help="Claims carried by this document (its name).")
@format_option("table", "jsonl", "csv", "parquet")
@db_option
def list_claims(
    measure: str | None,
    party: str | None,
    role: str | None,
    claimant: str | None,
    since: date | None,
    until: date | None,
    doc: str | None,
    output_format: str,
    db: str,
) -> None:
    """List the ledger's claims with the number of documents reporting each.

    Parquet is binary: redirect it to a file (`> claims.parquet`), or use `counterclaim export`.

    Example:
        counterclaim claims --measure killed --party Russia --since 2022-03-01 --format jsonl
    """
    if output_format == "parquet" and sys.stdout.isatty():
        raise click.UsageError("Parquet is binary: redirect it to a file (> claims.parquet)")
    rows = api.open_ledger(db, create=False).claims(
        measure=measure, party=party, role=role, claimant=claimant, since=since, until=until, doc=doc
    )
    _print_rows(rows, output_format)


def _print_rows(rows: list[dict[str, Any]], output_format: str) -> None:
    if output_format == "parquet":
        sys.stdout.flush()
        rows_to_parquet(rows, sys.stdout.buffer, LISTING_COLUMNS)
        sys.stdout.buffer.flush()
    elif output_format == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif output_format == "csv":
        import csv
        import io

        buffer = io.StringIO()
        if rows:
            writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
        click.echo(buffer.getvalue(), nl=False)
    else:
        table = Table(header_style="bold")
        for column in ("id", "measure", "value", "group", "party", "role", "claimant", "as of", "reports"):
            table.add_column(column, overflow="fold")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["measure"],
                _value_text(Claim.from_dict(row)),
                row["subject"],
                row["subject_party"] or "",
                row["subject_role"],
                row["claimant"] or "—",
                row["as_of"] or "",
                str(row["reports"]),
            )
        _stdout().print(table)


@cli.command()
@format_option("table", "jsonl")
@db_option
def documents(output_format: str, db: str) -> None:
    """List the ledger's documents with how many claim reports each carries.

    Example:
        counterclaim documents --db ledger.db
    """
    rows = api.open_ledger(db, create=False).documents()
    if output_format == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False, default=str))
        return
    table = Table(header_style="bold")
    for column in ("id", "name", "outlet", "published", "reports"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]), row["name"], row["outlet"] or "", str(row["published"] or ""), str(row["reports"])
        )
    _stdout().print(table)


@cli.command()
@click.argument("claim_id", type=int)
@click.option("--claimant", help="The right claimant (a canonical name or an alias).")
@click.option("--measure", type=click.Choice(list(MEASURES)))
@click.option(
    "--value", type=click.IntRange(min=0), help="The right number (also its interval for an exact claim)."
)
@click.option("--as-of", "as_of", callback=_parse_date, help="The right as-of date (YYYY-MM-DD).")
@click.option("--party", help="The right subject party.")
@click.option("--role", type=click.Choice(["military", "civilian", "unspecified"]))
@click.option("--reject", is_flag=True, help="The claim is not a claim: hide it from every view.")
@click.option("--note", required=True, help="Why: kept in the audit log.")
@click.option(
    "--by", default=lambda: os.environ.get("USER", "analyst"), show_default="$USER", help="Who corrects."
)
@db_option
def correct(
    claim_id: int,
    claimant: str | None,
    measure: str | None,
    value: int | None,
    as_of: date | None,
    party: str | None,
    role: str | None,
    reject: bool,
    note: str,
    by: str,
    db: str,
) -> None:
    """Correct or reject a claim; the extraction is kept and the change audited.

    Example:
        counterclaim correct 12 --claimant "Russia Ministry of Defence" --note "speaker is the MoD"
    """
    ledger = api.open_ledger(db, create=False)
    current = ledger.claim(claim_id, include_rejected=True)
    changes: dict[str, str | None] = {}
    if claimant is not None:
        changes["claimant"] = ledger.registry.canonical(claimant)
    if measure is not None:
        changes["measure"] = measure
    if value is not None:
        changes["value"] = str(value)
        if current["qualifier"] == "exact":
            changes["low"] = changes["high"] = str(value)
    if as_of is not None:
        changes["as_of"] = as_of.isoformat()
    if party is not None:
        changes["subject_party"] = party
    if role is not None:
        changes["subject_role"] = role
    if reject:
        changes["rejected"] = "true"
    if not changes:
        raise click.UsageError(
            "say what to correct (--claimant, --measure, --value, --as-of, --party, --role or --reject)"
        )
    changed = ledger.correct(claim_id, changes, note=note, by=by)
    _stderr.print(
        f"claim {claim_id}: {changed} field(s) corrected" if changed else f"claim {claim_id}: nothing changed"
    )


@cli.command()
@click.argument("claim_id", type=int)
@db_option
def history(claim_id: int, db: str) -> None:
    """The audit trail of a claim's corrections.

    Example:
        counterclaim history 12
    """
    rows = api.open_ledger(db, create=False).history(claim_id)
    table = Table(title=f"claim {claim_id}: {len(rows)} correction(s)", header_style="bold")
    for column in ("when", "by", "field", "before", "after", "why"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["at"])[:19],
            row["by"],
            row["field"],
            row["before"] or "—",
            row["after"] or "—",
            row["note"],
        )
    _stdout().print(table)


@cli.command()
@click.argument("claim_id", type=int)
@db_option
def show(claim_id: int, db: str) -> None:
    """One claim: its sentence with the number highlighted, every report, its corrections.

    Example:
        counterclaim show 12
    """
    from rich.text import Text

    ledger = api.open_ledger(db, create=False)
    claim = ledger.claim(claim_id, include_rejected=True)
    out = _stdout()
    status = " (rejected)" if claim["rejected"] else (" (corrected)" if claim["corrected"] else "")
    out.print(
        f"[bold]claim {claim_id}{status}[/]: {claim['measure']} {_value_text(Claim.from_dict(claim))} "
        f"{claim['subject']} · {claim['subject_party'] or '?'} · {claim['subject_role']} · "
        f"claimant {claim['claimant'] or '—'} · {claim['scope']} · as of {claim['as_of'] or '?'}"
    )
    for report in ledger.reports_of(claim_id):
        sentence = Text(report["evidence"])
        offset = _evidence_offset(report)
        if offset is not None:
            sentence.stylize("bold reverse", offset, offset + report["end"] - report["start"])
        source = (
            f"{report['outlet'] or report['name']} · {report['published'] or 'undated'} · {report['name']}"
        )
        out.print(f"\n[dim]{source}[/]")
        out.print(sentence)
    corrections = ledger.history(claim_id)
    if corrections:
        out.print(f"\n{len(corrections)} correction(s); `counterclaim history {claim_id}` shows them")


@cli.command()
@format_option("table", "jsonl")
@db_option
def actors(output_format: str, db: str) -> None:
    """The actors the ledger knows: kind, side, and how many claims each made.

    Example:
        counterclaim actors --format jsonl
    """
    rows = api.open_ledger(db, create=False).actors()
    if output_format == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
        return
    table = Table(header_style="bold")
    for column in ("name", "kind", "side", "claims"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            row["name"],
            row["kind"],
            row["side"] or ("(party)" if row["is_party"] else "—"),
            str(row["claims"]),
        )
    _stdout().print(table)


@cli.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@format_option("csv", "jsonl", "parquet")
@db_option
def export(path: Path, output_format: str, db: str) -> None:
    """Write every claim (corrections applied, with id and reports) to a CSV, JSONL or Parquet file.

    Example:
        counterclaim export claims.parquet --format parquet
    """
    rows = api.open_ledger(db, create=False).claims()
    try:
        if output_format == "parquet":
            rows_to_parquet(rows, path, LISTING_COLUMNS)
        else:
            with path.open("w", encoding="utf-8", newline="") as handle:
                if output_format == "jsonl":
                    handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
                else:
                    import csv

                    writer = csv.DictWriter(handle, fieldnames=list(LISTING_COLUMNS), lineterminator="\n")
                    writer.writeheader()
                    writer.writerows(rows)
    except OSError as error:
        _error_line(f"cannot write {path}: {error.strerror}")
        sys.exit(EXIT_ERROR)
    _stderr.print(f"{len(rows)} claims written to {path}")


@cli.command()
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
    with _ingest_progress(total, quiet, verb="re-extracting") as (progress, task):
        summary = ledger.reextract(
            extractor=api.build_extractor(actors=actors, lexicon=lexicon),
            everything=everything,
            batch_size=batch_size,
            on_item=lambda s: progress.update(
                task, completed=s.documents_read, claims=s.claims_new, errors=0
            ),
        )
    if not quiet:
        _stderr.print(
            _counts_table(
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


@cli.command(name="import")
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
    from counterclaim.ingest.tables import import_table, load_mapping

    mapping = load_mapping(mapping_name)
    summary = import_table(api.open_ledger(db), path, mapping, claimant=claimant, source_url=source_url)
    if not quiet:
        for error in summary.rejected:
            _error_line(str(error))
        _stderr.print(_import_table(summary))
    sys.exit(EXIT_PARTIAL if summary.rejected else EXIT_OK)


def _import_table(summary: Any) -> Table:
    """An import's counts: rows, claims, new, merged, rejected by reason, not reported."""
    title = f"run {summary.run_id}: {Path(summary.table).name} with {summary.mapping}"
    reasons = Counter(error.reason for error in summary.rejected)
    return _counts_table(
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


def _evidence_offset(report: dict[str, Any]) -> int | None:
    """Where the number sits in the evidence sentence (reports keep document offsets)."""
    return report.get("number_offset")


LOOPBACK = ("127.0.0.1", "::1", "localhost")


@cli.command()
@db_option
@click.option(
    "--host", default="127.0.0.1", show_default=True, help="The address to listen on (loopback by default)."
)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--allow-writes",
    is_flag=True,
    help="Add the write endpoints (upload an article, correct a claim); they need the bearer token.",
)
@click.option(
    "--token",
    envvar="COUNTERCLAIM_TOKEN",
    show_envvar=True,
    help="The bearer token the write endpoints need (safer in COUNTERCLAIM_TOKEN than on the command line).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Server processes; each keeps its own cache (2 on a 2-core machine halves the tail latency).",
)
@click.option(
    "--recheck",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="How often the ledger is looked at for changes made by other processes (an ingest running "
    "meanwhile); answers are kept until it changes.",
)
def serve(
    db: str, host: str, port: int, allow_writes: bool, token: str | None, workers: int, recheck: float
) -> None:
    """Serve the dashboard and its JSON API (read-only unless --allow-writes); see docs/dashboard.md.

    Example:
        counterclaim serve --db counterclaim-demo.db
    """
    import uvicorn

    from counterclaim.web import create_app
    from counterclaim.web.app import SERVE_DB_ENV, SERVE_RECHECK_ENV, SERVE_WRITES_ENV

    if allow_writes and not token:
        raise click.UsageError("--allow-writes needs a token: set COUNTERCLAIM_TOKEN (or pass --token)")
    # opens the ledger: errors show here
    app = create_app(db, allow_writes=allow_writes, token=token, recheck=recheck)
    if host not in LOOPBACK:
        _error_line(
            f"warning: listening on {host}, not loopback: anyone who can reach this address reads the ledger"
            + (" and, with the token, writes to it" if allow_writes else "")
        )
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"counterclaim: serving {db} on http://{shown}:{port}/ (Ctrl-C stops)", err=True)
    if workers == 1:
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # worker processes build their own app, from the settings passed down in the environment
    os.environ.update(
        {
            SERVE_DB_ENV: db,
            SERVE_WRITES_ENV: "1" if allow_writes else "",
            SERVE_RECHECK_ENV: str(recheck),
            "COUNTERCLAIM_TOKEN": token or "",
        }
    )
    uvicorn.run(
        "counterclaim.web.app:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        log_level="warning",
    )


def _register_reconcile_commands() -> None:
    from counterclaim.reconcile_cli import register

    register(cli)


_register_reconcile_commands()


def main(argv: Sequence[str] | None = None) -> None:
    """Run the CLI; project errors become one line on stderr and exit status 1."""
    try:
        cli.main(
            args=list(argv) if argv is not None else None, prog_name="counterclaim", standalone_mode=True
        )
    except CounterclaimError as error:
        _error_line(str(error))
        sys.exit(EXIT_ERROR)
    except KeyboardInterrupt:
        _error_line("interrupted")
        sys.exit(130)


if __name__ == "__main__":
    main()
