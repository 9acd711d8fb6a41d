"""`counterclaim runs`: every ingest, import and re-extraction with its counts and how it ended."""

from __future__ import annotations

import json

import click

from counterclaim import api
from counterclaim.cli.common import db_option, format_option, stdout
from counterclaim.cli.output import simple_table


@click.command()
@click.option(
    "--limit", type=click.IntRange(min=1), default=20, show_default=True, help="The latest this many."
)
@format_option("table", "jsonl")
@db_option
def runs(limit: int, output_format: str, db: str) -> None:
    """List the latest runs: command, when, documents and claims, errors, and how each ended.

    A run ends ok, partial (some inputs failed), failed (with the reason), interrupted (Ctrl-C)
    or abandoned (its process died; found by the next run on the same machine); one still
    running says so.

    Example:
        counterclaim runs --db ledger.db
    """
    rows = api.open_ledger(db, create=False).runs(limit)
    if output_format == "jsonl":
        for row in rows:
            click.echo(json.dumps(row, default=str, ensure_ascii=False))
        return
    cells = [
        (
            str(row["id"]),
            row["command"],
            str(row["started_at"])[:19],
            str(row["finished_at"] or "")[:19],
            str(row["documents_read"]),
            str(row["documents_new"]),
            str(row["claims_new"]),
            str(row["errors"]),
            row["status"],
            row["message"] or "",
        )
        for row in rows
    ]
    header = ("run", "command", "started", "finished", "read", "new", "claims", "errors", "status", "why")
    stdout().print(simple_table(cells, header))
