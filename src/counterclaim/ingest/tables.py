"""Structured claim tables (CSV, JSON, JSONL, Parquet) read through a mapping file into ledger claims.

A mapping (TOML or YAML; the bundled ones are in data/mappings/, documented field by field in
docs/import.md) says how a table's rows become claims: which column holds the date, the value,
the low and high, the qualifier, the measure, party, role and claimant, and how to read them.
One row may give several claims (a ``[[claim]]`` block each, e.g. killed and injured). Every
row that cannot become a claim is rejected with its row number and reason; rows that simply
do not report a figure (an optional field left out that day) are counted, not rejected; a row
the ledger could not hold (a count past its 64-bit columns, a text past its column, a date at
the calendar's edge) is rejected too, before anything is written. The mapping itself, and its
checks, are in :mod:`counterclaim.ingest.mappings`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterclaim.errors import TableRowError
from counterclaim.ingest.mappings import EXTRACTOR_PREFIX, ClaimSpec, TableMapping, shown

# re-exported: the mapping and the file reader were parts of this module before it grew
from counterclaim.ingest.mappings import load_mapping as load_mapping
from counterclaim.ingest.mappings import strptime_format as strptime_format
from counterclaim.ingest.table_files import read_rows as read_rows
from counterclaim.models import QUALIFIERS, ROLES, SCOPES, Claim, Document, interval
from counterclaim.store import schema
from counterclaim.store.writer import claim_key

if TYPE_CHECKING:
    from counterclaim.actors import ActorRegistry
    from counterclaim.store.ledger import Ledger

#: The largest count a claim can hold (the columns are 64-bit integers).
MAX_COUNT = 2**63 - 1
#: The ledger matches a claim to stored ones a day either side of its date (store/writer.py), so
#: the calendar's first and last days cannot be stored.
FIRST_DAY, LAST_DAY = date.min + timedelta(days=1), date.max - timedelta(days=1)
#: The claim fields stored in VARCHAR columns, and their lengths (PostgreSQL refuses longer values).
LENGTHS = {
    name: schema.max_length(schema.claims, name)
    for name in ("measure", "unit", "qualifier", "subject_role", "scope")
}
MAX_KEY = schema.max_length(schema.claims, "key")
#: A claim's text fields, none of which may hold a NUL character (PostgreSQL's text holds none),
#: in the words of the mapping.
TEXT_FIELDS = {
    "measure": "measure",
    "unit": "unit",
    "subject": "subject",
    "subject_party": "party",
    "claimant_text": "claimant",
    "claimant": "claimant",
}


@dataclass
class TableRows:
    """The outcome of reading a table: claims, the rows rejected, the figures not reported."""

    claims: list[Claim] = field(default_factory=list)
    rejected: list[TableRowError] = field(default_factory=list)
    rows: int = 0
    not_reported: int = 0


def parse_number(cell: Any, thousands: str = ",") -> int | None:
    """A cell as a whole number: ``1200``, ``"1,200,000"``, ``1200.0``; empty is None.

    Raises:
        ValueError: the cell is not a number, or not one a 64-bit column holds.
    """
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool):
        raise ValueError(f"{cell!r} is not a number")
    if isinstance(cell, int):
        number = cell
    elif isinstance(cell, float):
        if cell != cell or not cell.is_integer():  # NaN, infinity, or a fraction of a person
            raise ValueError(f"{cell!r} is not a whole number")
        number = int(cell)
    else:
        text = str(cell).strip()
        if thousands:
            text = text.replace(thousands, "")
        text = text.replace("\u00a0", "").replace(" ", "")
        found = re.fullmatch(r"(-?)(\d+)(?:\.0+)?", text)
        if not found:
            raise ValueError(f"{shown(str(cell))} is not a number")
        digits = found[2].lstrip("0") or "0"
        if len(digits) > len(str(MAX_COUNT)):  # before int(): no float detour, no 4,300-digit limit
            raise ValueError(f"{shown(str(cell))} is too large: the ledger holds counts up to {MAX_COUNT:,}")
        number = int(found[1] + digits)
    if abs(number) > MAX_COUNT:
        figure = shown(str(number)) if number.bit_length() < 1000 else "a number"
        raise ValueError(f"{figure} is too large: the ledger holds counts up to {MAX_COUNT:,}")
    return number


def parse_date(cell: Any, formats: Sequence[str]) -> date:
    """A cell as a date, trying each format in turn.

    Raises:
        ValueError: no format fits.
    """
    if isinstance(cell, datetime):
        return cell.date()
    if isinstance(cell, date):
        return cell
    text = str(cell or "").strip()
    for fmt in formats:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"date {shown(text)} fits none of the formats {', '.join(formats)}")


def shift_date(day: date, days: int) -> date:
    """A row's date moved by the mapping's ``date_shift_days``, within the dates the ledger keeps.

    Raises:
        ValueError: the date leaves the calendar, or lands on its first or last day.
    """
    try:
        moved = day + timedelta(days=days)
    except OverflowError:
        raise ValueError(
            f"date {day.isoformat()} shifted by {days:+,} days (date_shift_days) leaves the calendar"
        ) from None
    if not FIRST_DAY <= moved <= LAST_DAY:
        raise ValueError(
            f"date {moved.isoformat()} is out of range: the ledger keeps dates from "
            f"{FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}"
        )
    return moved


def unfit(claim: Claim, registry: ActorRegistry | None = None) -> str | None:
    """Why the ledger cannot store a claim, or None: a NUL character in a text, a text longer than
    its column, a key (claimant, measure, party, role, figures) longer than the key column.
    SQLite would store them all; PostgreSQL refuses, and with it the whole batch."""
    for name, label in TEXT_FIELDS.items():
        text = getattr(claim, name)
        if text and "\x00" in text:
            return f"{label} {shown(text)} holds a NUL character, which the ledger cannot store"
    for name, longest in LENGTHS.items():
        text = getattr(claim, name)
        if len(text) > longest:
            return f"{name} {shown(text)} is {len(text)} characters; the ledger holds at most {longest}"
    key = claim_key(claim, registry)
    if len(key) > MAX_KEY:
        return (
            f"the claim's key (claimant, measure, party, role and figures) is {len(key)} characters; "
            f"the ledger holds at most {MAX_KEY}: the claimant is {len(claim.claimant or ''):,} characters, "
            f"the party {len(claim.subject_party or ''):,}"
        )
    return None


def _row_text(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    cells = {column: row.get(column) for column in columns if column in row}
    return json.dumps(cells, ensure_ascii=False, default=str)


def rows_to_claims(
    rows: Sequence[Mapping[str, Any]],
    mapping: TableMapping,
    *,
    source: str,
    claimant: str | None = None,
    registry: ActorRegistry | None = None,
) -> TableRows:
    """Turn table rows into claims; every row that cannot be one is rejected with its reason.

    A claim's ``start`` is its row number (1 = the first data row), its evidence the row's
    cells that made it, as JSON. ``registry`` names claimants as the actor registry does
    (``UK MoD`` -> ``UK Ministry of Defence``); the table's own spelling stays in
    ``claimant_text``. A claim the ledger could not store (:func:`unfit`) rejects its row.
    """
    canonical = registry.canonical if registry is not None else None
    outcome = TableRows(rows=len(rows))
    last: dict[tuple[str, ...], tuple[int, date, int]] = {}  # series -> (value, day, row)
    for number, row in enumerate(rows, start=1):
        where = f"{source}:row {number}"
        reason = _skip_reason(row, mapping)
        if reason:
            outcome.rejected.append(TableRowError(where, reason))
            continue
        try:
            day = parse_date(row.get(mapping.date_column), mapping.date_formats)
            day = shift_date(day, mapping.date_shift_days)
        except ValueError as error:
            outcome.rejected.append(TableRowError(where, str(error)))
            continue
        if mapping.conflict_start and day < mapping.conflict_start:
            outcome.rejected.append(
                TableRowError(
                    where,
                    f"dated {day.isoformat()}, before the conflict began "
                    f"({mapping.conflict_start.isoformat()})",
                )
            )
            continue
        for spec in mapping.claims:
            try:
                claim = _claim(row, spec, mapping, day, number, claimant, canonical)
            except ValueError as error:
                outcome.rejected.append(TableRowError(where, str(error)))
                continue
            if claim is None:
                outcome.not_reported += 1
                continue
            problem = unfit(claim, registry)
            if problem:
                outcome.rejected.append(TableRowError(where, problem))
                continue
            if claim.scope == "cumulative":
                falls = _falls(claim, day, last)
                if falls:
                    outcome.rejected.append(TableRowError(where, falls))
                    continue
                _remember(claim, day, number, last)
            outcome.claims.append(claim)
    return outcome


def _series_of(claim: Claim) -> tuple[str, ...]:
    return (claim.claimant or "", claim.measure, claim.subject_party or "", claim.subject_role)


def _falls(claim: Claim, day: date, last: Mapping[tuple[str, ...], tuple[int, date, int]]) -> str | None:
    """Why a cumulative claim contradicts an earlier one of its series: even its upper end is
    below the earlier claim's lower end. (A range or a bound that still reaches the earlier
    figure does not fall.)"""
    previous = last.get(_series_of(claim))
    upper = claim.high if claim.high is not None else (claim.value if claim.low is None else None)
    if previous is None or upper is None or previous[1] >= day or upper >= previous[0]:
        return None
    return (
        f"the cumulative {claim.measure} count falls from {previous[0]:,} "
        f"(row {previous[2]}, {previous[1].isoformat()}) to {upper:,}"
    )


def _remember(
    claim: Claim, day: date, number: int, last: dict[tuple[str, ...], tuple[int, date, int]]
) -> None:
    """Keep each series' latest lower end (rows may come in any date order)."""
    lower = claim.low if claim.low is not None else claim.value
    previous = last.get(_series_of(claim))
    if lower is not None and (previous is None or previous[1] <= day):
        last[_series_of(claim)] = (lower, day, number)


def _skip_reason(row: Mapping[str, Any], mapping: TableMapping) -> str | None:
    for column, reasons in mapping.skip.items():
        cell = str(row.get(column, "") or "").strip().lower()
        if cell in reasons:
            return reasons[cell]
    return None


def _setting(row: Mapping[str, Any], spec: ClaimSpec, name: str) -> str | None:
    if name in spec.columns:
        cell = row.get(spec.columns[name])
        text = "" if cell is None else str(cell).strip()
        if name in spec.maps:
            return spec.maps[name].get(text.lower(), text) or None
        return text or None
    return spec.constants.get(name)


def _claim(
    row: Mapping[str, Any],
    spec: ClaimSpec,
    mapping: TableMapping,
    day: date,
    number: int,
    claimant: str | None,
    canonical: Callable[[str | None], str | None] | None,
) -> Claim | None:
    figures = {
        name: parse_number(row.get(column), mapping.thousands) for name, column in spec.numbers.items()
    }
    value, low, high = figures.get("value"), figures.get("low"), figures.get("high")
    if value is None and low is None and high is None:
        return None
    for name, figure in figures.items():
        if figure is not None and figure < 0:
            raise ValueError(f"{name} {figure} is negative")
    word = _setting(row, spec, "qualifier")
    qualifier = mapping.qualifier_words.get(word.lower(), word) if word else None
    if word and qualifier not in QUALIFIERS:
        raise ValueError(f"qualifier {shown(word)} is not one of the mapping's qualifier_words")
    if low is not None and high is not None:
        if low > high:
            raise ValueError(f"low {low:,} is above high {high:,}")
        qualifier = "range"
    elif low is not None and value is None:  # a lone lower end is a lower bound, whatever the mapping's word
        qualifier, high = qualifier if qualifier in ("at_least", "more_than") else "at_least", None
    elif high is not None and value is None:
        qualifier, low = qualifier if qualifier in ("at_most", "less_than") else "at_most", None
    else:
        qualifier = qualifier or "exact"
        implied_low, implied_high = interval(qualifier, value)
        low = low if low is not None else implied_low
        high = high if high is not None else implied_high
    measure = _setting(row, spec, "measure")
    if not measure:
        raise ValueError("no measure in the row")
    role = _setting(row, spec, "role") or "unspecified"
    scope = _setting(row, spec, "scope") or "cumulative"
    if role not in ROLES or scope not in SCOPES:
        raise ValueError(f"role {shown(role)} or scope {shown(scope)} is not allowed")
    who = claimant or _setting(row, spec, "claimant") or mapping.claimant
    evidence = _row_text(row, [mapping.date_column, *spec.numbers.values(), *spec.columns.values()])
    return Claim(
        doc=None,
        measure=measure,
        qualifier=qualifier,
        value=value,
        low=low,
        high=high,
        evidence=evidence,
        start=number,
        end=number,
        unit=_setting(row, spec, "unit") or "people",
        subject=_setting(row, spec, "subject") or "",
        subject_party=_setting(row, spec, "party"),
        subject_role=role,
        claimant=(canonical(who) or who) if who and canonical else who,
        claimant_text=who,
        scope=scope,
        as_of=day.isoformat(),
        extras={"extractor": f"{EXTRACTOR_PREFIX}{mapping.name}", "row": number},
    )


def _why_nothing(rows: Sequence[Mapping[str, Any]], mapping: TableMapping, outcome: TableRows) -> str | None:
    """Why rows that gave no claim are a table and a mapping that do not fit, or None: rejected
    rows say their own reasons."""
    present = {column for row in rows for column in row}
    missing = [] if mapping.date_column in present else [mapping.date_column]
    for spec in mapping.claims:
        if not present & set(spec.numbers.values()):  # no row can give this block a figure
            missing += [column for column in spec.numbers.values() if column not in missing]
    if missing:
        columns = ", ".join(shown(str(column)) for column in sorted(present, key=str)[:20])
        return (
            f"no row gives a claim: no row has the column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(shown(column) for column in missing)} the mapping reads "
            f"(the table's columns: {columns})"
        )
    if outcome.rejected:
        return None
    figures = sorted({column for spec in mapping.claims for column in spec.numbers.values()})
    empty = ", ".join(shown(column) for column in figures)
    return f"no row gives a figure: every row leaves {empty} empty, so nothing to import"


@dataclass
class ImportSummary:
    """What one import did."""

    run_id: int
    table: str
    mapping: str
    rows: int
    claims: int  # claims the rows gave
    new_claims: int
    merged: int  # claims that repeat one already in the ledger (or an earlier row): reports only
    rejected: list[TableRowError]
    not_reported: int
    already_imported: bool


def import_table(
    ledger: Ledger,
    path: Path,
    mapping: TableMapping,
    *,
    claimant: str | None = None,
    source_url: str | None = None,
    max_bytes: int = 200 * 1024 * 1024,
) -> ImportSummary:
    """Import a table into the ledger: one document for the table (its provenance), a claim per row.

    The same file imported again with the same mapping changes nothing (its document is known
    by the file's and the mapping's sha256). The claims go through the ledger's dedup and
    corrections like extracted ones.

    Raises:
        InputError: the file cannot be read as a table, or it gives nothing to import: no rows,
            or no claim and no rejected row (the run is not recorded, the ledger is left alone).
    """
    from counterclaim.ingest.pipeline import store
    from counterclaim.ingest.text import read_bytes
    from counterclaim.store.writer import Extracted

    data = read_bytes(path, max_bytes=max_bytes)
    file_digest = hashlib.sha256(data).hexdigest()
    rows = read_rows(path, data, mapping.format)
    if not rows:
        raise TableRowError(str(path), f"no rows: {path.name} holds no data rows, so nothing to import")
    outcome = rows_to_claims(rows, mapping, source=str(path), claimant=claimant, registry=ledger.registry)
    if not outcome.claims:
        nothing = _why_nothing(rows, mapping, outcome)
        if nothing:
            raise TableRowError(str(path), nothing)
    header = (
        f"Table {path.name} (sha256 {file_digest}), {len(rows)} rows, imported with the mapping "
        f"{mapping.name} (sha256 {mapping.digest})"
        + (f" for the claimant {claimant}" if claimant else "")
        + (f". {mapping.description}" if mapping.description else "")
        + "\n"
    )
    document = Document(
        id=path.name,
        text=header,
        outlet=mapping.outlet,
        title=f"{mapping.name}: {path.name}",
        url=source_url or mapping.source_url,
        path=path,
        kind="table",
    )
    summary = store(ledger, [[*outcome.rejected, Extracted(document, outcome.claims)]], command="import")
    already = summary.documents_new == 0
    return ImportSummary(
        run_id=summary.run_id,
        table=str(path),
        mapping=mapping.name,
        rows=len(rows),
        claims=len(outcome.claims),
        new_claims=summary.claims_new,
        merged=0 if already else len(outcome.claims) - summary.claims_new,
        rejected=outcome.rejected,
        not_reported=outcome.not_reported,
        already_imported=already,
    )
