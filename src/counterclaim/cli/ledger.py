"""The commands that read and amend the ledger: claims, documents, show, history, correct, actors, export."""

from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.text import Text

from counterclaim import api
from counterclaim.cli.common import (
    EXIT_ERROR,
    db_option,
    error_line,
    format_option,
    parse_date,
    stderr,
    stdout,
)
from counterclaim.cli.history import alerts_option, refresh_after
from counterclaim.cli.output import print_rows, simple_table, value_text
from counterclaim.errors import NothingToCorrectError
from counterclaim.formats import csv_text, rows_to_parquet
from counterclaim.models import MEASURES, Claim
from counterclaim.store.queries import LISTING_COLUMNS

ROLES = ["military", "civilian", "unspecified"]


@click.command(name="claims")
@click.option("--measure", type=click.Choice(list(MEASURES)))
@click.option("--party")
@click.option("--role", type=click.Choice(ROLES))
@click.option("--claimant")
@click.option("--since", callback=parse_date, help="Claims as of this date or later (YYYY-MM-DD).")
@click.option("--until", callback=parse_date, help="Claims as of this date or earlier (YYYY-MM-DD).")
@click.option("--doc", help="Claims carried by this document (its name).")
@click.option("--language", help="Claims reported by a document in this language (en, ru, uk, ar, es, fr).")
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
    language: str | None,
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
        measure=measure, party=party, role=role, claimant=claimant, since=since, until=until, doc=doc,
        language=language,
    )  # fmt: skip
    print_rows(rows, output_format)


def _print_jsonl(rows: list[dict[str, Any]], **dumps: Any) -> None:
    for row in rows:
        click.echo(json.dumps(row, ensure_ascii=False, **dumps))


@click.command()
@format_option("table", "jsonl")
@db_option
def documents(output_format: str, db: str) -> None:
    """List the ledger's documents with how many claim reports each carries.

    Example:
        counterclaim documents --db ledger.db
    """
    rows = api.open_ledger(db, create=False).documents()
    if output_format == "jsonl":
        _print_jsonl(rows, default=str)
        return
    cells = [
        (str(row["id"]), row["name"], row["outlet"] or "", str(row["published"] or ""), str(row["reports"]))
        for row in rows
    ]
    stdout().print(simple_table(cells, ("id", "name", "outlet", "published", "reports")))


@click.command()
@click.argument("claim_id", type=int)
@click.option("--claimant", help="The right claimant (a canonical name or an alias).")
@click.option("--measure", type=click.Choice(list(MEASURES)))
@click.option(
    "--value", type=click.IntRange(min=0), help="The right number (also its interval for an exact claim)."
)
@click.option("--as-of", "as_of", callback=parse_date, help="The right as-of date (YYYY-MM-DD).")
@click.option("--party", help="The right subject party.")
@click.option("--role", type=click.Choice(ROLES))
@click.option("--reject", is_flag=True, help="The claim is not a claim: hide it from every view.")
@click.option("--note", required=True, help="Why: kept in the audit log.")
@click.option(
    "--by", default=lambda: os.environ.get("USER", "analyst"), show_default="$USER", help="Who corrects."
)
@alerts_option
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
    alerts_file: Path | None,
    db: str,
) -> None:
    """Correct or reject a claim; the extraction is kept and the change audited.

    With --alerts (or `alerts` in the settings), its series' estimates are kept and the rules of
    kind "corrected" (and any other the change triggers) raise their alerts.

    Example:
        counterclaim correct 12 --claimant "Russia Ministry of Defence" --note "speaker is the MoD"
    """
    ledger = api.open_ledger(db, create=False)
    try:
        given = {"claimant": claimant, "measure": measure, "value": value, "as_of": as_of, "party": party,
                 "role": role, "reject": reject or None}  # fmt: skip
        changes = {name: value for name, value in given.items() if value is not None}
        changed = api.correct_claim(ledger, claim_id, changes, note=note, by=by)
    except NothingToCorrectError as error:
        raise click.UsageError(
            "say what to correct (--claimant, --measure, --value, --as-of, --party, --role or --reject)"
        ) from error
    stderr.print(
        f"claim {claim_id}: {changed} field(s) corrected" if changed else f"claim {claim_id}: nothing changed"
    )
    if changed:
        refresh_after(ledger, alerts_file, [claim_id])


@click.command()
@click.argument("claim_id", type=int)
@db_option
def history(claim_id: int, db: str) -> None:
    """The audit trail of a claim's corrections.

    Example:
        counterclaim history 12
    """
    rows = api.open_ledger(db, create=False).history(claim_id)
    cells = [
        (str(row["at"])[:19], row["by"], row["field"], row["before"] or "—", row["after"] or "—", row["note"])
        for row in rows
    ]
    title = f"claim {claim_id}: {len(rows)} correction(s)"
    stdout().print(simple_table(cells, ("when", "by", "field", "before", "after", "why"), title=title))


@click.command()
@click.argument("claim_id", type=int)
@db_option
def show(claim_id: int, db: str) -> None:
    """One claim: its sentence with the number highlighted, every report, its corrections.

    Example:
        counterclaim show 12
    """
    detail = api.claim_detail(api.open_ledger(db, create=False), claim_id)
    claim = detail["claim"]
    out = stdout()
    status = " (rejected)" if claim["rejected"] else (" (corrected)" if claim["corrected"] else "")
    out.print(
        f"[bold]claim {claim_id}{status}[/]: {claim['measure']} {value_text(Claim.from_dict(claim))} "
        f"{claim['subject']} · {claim['subject_party'] or '?'} · {claim['subject_role']} · "
        f"claimant {claim['claimant'] or '—'} · {claim['scope']} · as of {claim['as_of'] or '?'}"
    )
    for report in detail["reports"]:
        sentence = Text(report["evidence"])
        offset = report["number_offset"]
        if offset is not None:
            sentence.stylize("bold reverse", offset, offset + report["end"] - report["start"])
        source = (
            f"{report['outlet'] or report['name']} · {report['published'] or 'undated'} · {report['name']}"
        )
        out.print(f"\n[dim]{source}[/]")
        out.print(sentence)
    if detail["corrections"]:
        count = len(detail["corrections"])
        out.print(f"\n{count} correction(s); `counterclaim history {claim_id}` shows them")


@click.command()
@format_option("table", "jsonl")
@db_option
def actors(output_format: str, db: str) -> None:
    """The actors the ledger knows: kind, side, and how many claims each made.

    Example:
        counterclaim actors --format jsonl
    """
    rows = api.open_ledger(db, create=False).actors()
    if output_format == "jsonl":
        _print_jsonl(rows)
        return
    cells = [
        (row["name"], row["kind"], row["side"] or ("(party)" if row["is_party"] else "—"), str(row["claims"]))
        for row in rows
    ]
    stdout().print(simple_table(cells, ("name", "kind", "side", "claims")))


@click.command()
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--language",
    help="Only claims reported by a document in this language (ISO code: en, ru, uk, ar, es, fr).",
)
@format_option("csv", "jsonl", "parquet")
@db_option
def export(path: Path, language: str | None, output_format: str, db: str) -> None:
    """Write every claim (corrections applied, with id and reports) to a CSV, JSONL or Parquet file.

    Example:
        counterclaim export claims.parquet --format parquet
        counterclaim export russian.jsonl --format jsonl --language ru
    """
    rows = api.open_ledger(db, create=False).claims(language=language)
    try:
        _write_rows(rows, path, output_format)
    except OSError as error:
        error_line(f"cannot write {path}: {error.strerror}")
        sys.exit(EXIT_ERROR)
    stderr.print(f"{len(rows)} claims written to {path}")


def _write_rows(rows: list[dict[str, Any]], path: Path, output_format: str) -> None:
    """The ledger's claim rows to a file as Parquet, JSONL or CSV (the listing's columns)."""
    if output_format == "parquet":
        rows_to_parquet(rows, path, LISTING_COLUMNS)
        return
    with path.open("w", encoding="utf-8", newline="") as handle:
        if output_format == "jsonl":
            handle.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        else:
            handle.writelines(csv_text(rows, LISTING_COLUMNS))
