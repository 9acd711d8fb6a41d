"""How the commands show results: claim values, tables, rows in each format, and progress bars."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import click
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table
from rich.text import Text

from counterclaim.cli.common import stderr, stdout
from counterclaim.formats import claims_to_csv, claims_to_jsonl, csv_text, rows_to_parquet
from counterclaim.models import Claim
from counterclaim.store.queries import LISTING_COLUMNS


def value_text(claim: Claim) -> str:
    """A claim's number as people read it: 19,000, ≥1,500, 100–200, ? when there is none."""
    if claim.qualifier == "exact" and claim.value is not None:
        return f"{claim.value:,}"
    if claim.qualifier in {"range", "vague"}:
        return f"{claim.low:,}–{claim.high:,}" if claim.low is not None and claim.high is not None else "?"
    words = {"at_least": "≥", "more_than": ">", "at_most": "≤", "less_than": "<", "about": "≈"}
    return f"{words.get(claim.qualifier, '')}{claim.value:,}" if claim.value is not None else "?"


def number(value: float | None) -> str:
    """An estimate rounded to a whole number with thousands separators; empty for none."""
    return "" if value is None else f"{round(value):,}"


def claims_table(claims: Iterable[Claim], *, title: str | None = None) -> Table:
    """A Rich table of claims, one row each."""
    table = Table(title=title, show_lines=False, header_style="bold")
    for column in ("doc", "measure", "value", "group", "party", "role", "claimant", "scope", "as of"):
        table.add_column(column, overflow="fold")
    for claim in claims:
        table.add_row(
            claim.doc or "",
            claim.measure,
            value_text(claim),
            claim.subject,
            claim.subject_party or "",
            claim.subject_role,
            claim.claimant or "—",
            claim.scope,
            claim.as_of or "",
        )
    return table


def emit_claims(claims: list[Claim], output_format: str, title: str | None = None) -> None:
    """Extracted claims on stdout as JSONL, CSV or a table."""
    if output_format == "jsonl":
        for line in claims_to_jsonl(claims):
            click.echo(line)
    elif output_format == "csv":
        click.echo(claims_to_csv(claims), nl=False)
    else:
        stdout().print(claims_table(claims, title=title))


def print_rows(rows: list[dict[str, Any]], output_format: str) -> None:
    """The ledger's claim rows on stdout as Parquet, JSONL, CSV or a table."""
    if output_format == "parquet":
        sys.stdout.flush()
        rows_to_parquet(rows, sys.stdout.buffer, LISTING_COLUMNS)
        sys.stdout.buffer.flush()
    elif output_format == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, ensure_ascii=False))
    elif output_format == "csv":
        if rows:
            click.echo("".join(csv_text(rows, list(rows[0]))), nl=False)
    else:
        stdout().print(rows_table(rows))


def rows_table(rows: Iterable[dict[str, Any]]) -> Table:
    """The ledger's claim rows as a table, one row each, with the number of reports."""
    table = Table(header_style="bold")
    for column in ("id", "measure", "value", "group", "party", "role", "claimant", "as of", "reports"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["measure"],
            value_text(Claim.from_dict(row)),
            row["subject"],
            row["subject_party"] or "",
            row["subject_role"],
            row["claimant"] or "—",
            row["as_of"] or "",
            str(row["reports"]),
        )
    return table


def simple_table(rows: Iterable[Iterable[str]], columns: Iterable[str], *, title: str | None = None) -> Table:
    """A table of text cells that fold rather than get cut."""
    table = Table(title=title, header_style="bold")
    for column in columns:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*row)
    return table


def counts_table(title: str, counts: Iterable[tuple[str, int]]) -> Table:
    """A two-column table of what a run did: label, count."""
    table = Table(title=title, header_style="bold")
    table.add_column("")
    table.add_column("count", justify="right")
    for label, value in counts:
        table.add_row(label, f"{value:,}")
    return table


def extraction_progress(total: int) -> Progress:
    """A bar on stderr for extracting ``total`` documents (only for 50 or more, on a terminal)."""
    return Progress(
        TextColumn("extracting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[claims]} claims"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=total < 50 or not stderr.is_terminal,
    )


class _RateColumn(ProgressColumn):
    """Documents per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.0f} docs/s")


@contextmanager
def ingest_progress(
    total: int | None, quiet: bool, verb: str = "ingesting"
) -> Iterator[tuple[Progress, TaskID]]:
    """A progress bar on stderr when it is a terminal (and not --quiet); ``total`` None if unknown."""
    progress = Progress(
        TextColumn(verb),
        BarColumn(),
        MofNCompleteColumn() if total is not None else TextColumn("{task.completed:,.0f} documents"),
        _RateColumn(),
        TextColumn("{task.fields[claims]:,} new claims"),
        TextColumn("{task.fields[errors]} errors"),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
        disable=quiet or not stderr.is_terminal,
    )
    with progress:
        yield progress, progress.add_task("ingest", total=total, claims=0, errors=0)
