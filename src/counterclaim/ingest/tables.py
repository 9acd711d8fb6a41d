"""Structured claim tables (CSV, JSON, JSONL, Parquet) read through a mapping file into ledger claims.

A mapping (TOML or YAML; the bundled ones are in data/mappings/, documented field by field in
docs/import.md) says how a table's rows become claims: which column holds the date, the value,
the low and high, the qualifier, the measure, party, role and claimant, and how to read them.
One row may give several claims (a ``[[claim]]`` block each, e.g. killed and injured). Every
row that cannot become a claim is rejected with its row number and reason; rows that simply
do not report a figure (an optional field left out that day) are counted, not rejected.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import tomllib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counterclaim.errors import DataFileError, TableRowError
from counterclaim.models import QUALIFIERS, ROLES, SCOPES, Claim, Document, interval

if TYPE_CHECKING:
    from counterclaim.store.ledger import Ledger

MAPPINGS = Path(__file__).parents[1] / "data" / "mappings"
TABLE_FORMATS = ("csv", "json", "jsonl", "parquet")
#: The claim fields a ``[[claim]]`` block may set, as a constant or from a column.
CLAIM_SETTINGS = ("measure", "party", "role", "claimant", "qualifier", "scope", "subject", "unit")
NUMBER_SETTINGS = ("value", "low", "high")
_DATE_TOKENS = (("yyyy", "%Y"), ("mm", "%m"), ("dd", "%d"), ("m", "%m"), ("d", "%d"), ("yy", "%y"))


@dataclass(frozen=True)
class ClaimSpec:
    """One ``[[claim]]`` block: how a row gives one claim."""

    constants: Mapping[str, str]
    columns: Mapping[str, str]
    maps: Mapping[str, Mapping[str, str]]
    numbers: Mapping[str, str]


@dataclass(frozen=True)
class TableMapping:
    """A parsed mapping file."""

    name: str
    source: str  # where the mapping was read from
    digest: str  # sha256 of the mapping file
    format: str | None
    date_column: str
    date_formats: tuple[str, ...]
    date_shift_days: int
    conflict_start: date | None
    conflict: str | None
    claimant: str | None
    source_url: str | None
    outlet: str | None
    thousands: str
    qualifier_words: Mapping[str, str]
    skip: Mapping[str, Mapping[str, str]]  # column -> cell value -> reason
    claims: tuple[ClaimSpec, ...]
    description: str = ""


@dataclass
class TableRows:
    """The outcome of reading a table: claims, the rows rejected, the figures not reported."""

    claims: list[Claim] = field(default_factory=list)
    rejected: list[TableRowError] = field(default_factory=list)
    rows: int = 0
    not_reported: int = 0


def strptime_format(pattern: str) -> str:
    """``d/m/yyyy`` -> ``%d/%m/%Y``; a pattern with ``%`` is already a strptime format."""
    if "%" in pattern:
        return pattern
    out, i = "", 0
    while i < len(pattern):
        for token, directive in _DATE_TOKENS:
            if pattern.startswith(token, i):
                out += directive
                i += len(token)
                break
        else:
            out += pattern[i]
            i += 1
    return out


def _strings(table: Mapping[str, Any], key: str, where: str) -> dict[str, str]:
    value = table.get(key, {})
    if not isinstance(value, Mapping) or not all(isinstance(v, str | int) for v in value.values()):
        raise DataFileError(f"{where}: {key} must be a table of words")
    return {str(k).lower(): str(v) for k, v in value.items()}


def _claim_spec(block: Mapping[str, Any], where: str) -> ClaimSpec:
    constants: dict[str, str] = {}
    columns: dict[str, str] = {}
    maps: dict[str, dict[str, str]] = {}
    numbers: dict[str, str] = {}
    for key, value in block.items():
        if key in NUMBER_SETTINGS:
            numbers[key] = str(value)
        elif key in CLAIM_SETTINGS:
            constants[key] = str(value)
        elif key.endswith("_column") and key[: -len("_column")] in CLAIM_SETTINGS:
            columns[key[: -len("_column")]] = str(value)
        elif key.endswith("_map") and key[: -len("_map")] in CLAIM_SETTINGS:
            maps[key[: -len("_map")]] = _strings(block, key, where)
        else:
            raise DataFileError(
                f"{where}: unknown key {key!r} in [[claim]]; use value/low/high (columns), "
                f"{', '.join(CLAIM_SETTINGS)} (constants), or FIELD_column / FIELD_map"
            )
    if not numbers:
        raise DataFileError(f"{where}: a [[claim]] needs value, low or high (the column holding the number)")
    if "measure" not in constants and "measure" not in columns:
        raise DataFileError(f"{where}: a [[claim]] needs a measure (measure = ... or measure_column = ...)")
    for name, allowed in (("role", ROLES), ("scope", SCOPES), ("qualifier", QUALIFIERS)):
        if name in constants and constants[name] not in allowed:
            raise DataFileError(f"{where}: {name} {constants[name]!r} is not one of {', '.join(allowed)}")
    if len(constants.get("measure", "")) > 40:
        raise DataFileError(f"{where}: measure names are at most 40 characters")
    return ClaimSpec(constants, columns, maps, numbers)


def mapping_from_table(table: Mapping[str, Any], *, source: str, digest: str) -> TableMapping:
    """Check and parse a mapping's table.

    Raises:
        DataFileError: a key is missing, unknown or of the wrong type.
    """
    try:
        blocks = table["claim"]
        if not isinstance(blocks, list) or not blocks:
            raise DataFileError(f"{source}: a mapping needs at least one [[claim]] block")
        formats = table.get("date_format", "yyyy-mm-dd")
        formats = [formats] if isinstance(formats, str) else list(formats)
        fmt = table.get("format")
        if fmt is not None and fmt not in TABLE_FORMATS:
            raise DataFileError(f"{source}: format {fmt!r} is not one of {', '.join(TABLE_FORMATS)}")
        skip_table = table.get("skip", {})
        skip = {str(column): _strings(skip_table, column, source) for column in skip_table}
        conflict_start = table.get("conflict_start")
        qualifiers = _strings(table, "qualifier_words", source)
        for word, qualifier in qualifiers.items():
            if qualifier not in QUALIFIERS:
                raise DataFileError(f"{source}: qualifier_words.{word} = {qualifier!r} is not a qualifier")
        return TableMapping(
            name=str(table.get("name") or Path(source).stem),
            source=source,
            digest=digest,
            format=fmt,
            date_column=str(table["date_column"]),
            date_formats=tuple(strptime_format(str(f)) for f in formats),
            date_shift_days=int(table.get("date_shift_days", 0)),
            conflict_start=date.fromisoformat(str(conflict_start)) if conflict_start else None,
            conflict=table.get("conflict"),
            claimant=table.get("claimant"),
            source_url=table.get("source_url"),
            outlet=table.get("outlet"),
            thousands=str(table.get("thousands", ",")),
            qualifier_words=qualifiers,
            skip=skip,
            claims=tuple(_claim_spec(block, f"{source} [[claim]] {n}") for n, block in enumerate(blocks, 1)),
            description=str(table.get("description", "")),
        )
    except KeyError as error:
        raise DataFileError(f"{source}: the mapping needs {error.args[0]!r}") from error
    except (TypeError, ValueError) as error:
        raise DataFileError(f"{source}: {error}") from error


def load_mapping(name_or_path: str | Path) -> TableMapping:
    """A mapping file by path, or a bundled one by name (``ua-gs-russian-losses``, ...).

    Raises:
        DataFileError: no such mapping, or it is malformed.
    """
    path = Path(name_or_path)
    if not path.exists():
        bundled = MAPPINGS / f"{name_or_path}.toml"
        if not bundled.exists():
            names = ", ".join(sorted(p.stem for p in MAPPINGS.glob("*.toml")))
            raise DataFileError(f"no mapping file {name_or_path}; the bundled mappings are: {names}")
        path = bundled
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DataFileError(f"{path}: cannot read the mapping ({error.strerror})") from error
    if path.suffix.lower() in (".yaml", ".yml"):
        import yaml

        try:
            table = yaml.safe_load(data.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as error:
            raise DataFileError(f"{path}: not valid YAML ({error})") from error
    else:
        try:
            table = tomllib.loads(data.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            raise DataFileError(f"{path}: not valid TOML ({error})") from error
    if not isinstance(table, dict):
        raise DataFileError(f"{path}: a mapping is a table of keys")
    return mapping_from_table(table, source=str(path), digest=hashlib.sha256(data).hexdigest())


def read_rows(path: Path, data: bytes, fmt: str | None) -> list[dict[str, Any]]:
    """The rows of a table file as dicts.

    Raises:
        InputError: the file is not a table of the format it claims.
    """
    kind = fmt or {
        ".csv": "csv",
        ".json": "json",
        ".jsonl": "jsonl",
        ".ndjson": "jsonl",
        ".parquet": "parquet",
    }.get(path.suffix.lower())
    source = str(path)
    if kind is None:
        raise TableRowError(
            source, "not a table: give a .csv, .json, .jsonl or .parquet file, or format in the mapping"
        )
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return [dict(row) for row in pq.read_table(io.BytesIO(data)).to_pylist()]
        text = data.decode("utf-8-sig")
        if kind == "csv":
            return [dict(row) for row in csv.DictReader(io.StringIO(text))]
        if kind == "json" and text.lstrip().startswith("["):
            rows = json.loads(text)
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (UnicodeDecodeError, json.JSONDecodeError, ValueError, OSError) as error:
        raise TableRowError(source, f"cannot read it as {kind}: {error}") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise TableRowError(source, "a JSON table is an array of objects (or one object a line)")
    return rows


def parse_number(cell: Any, thousands: str = ",") -> int | None:
    """A cell as a whole number: ``1200``, ``"1,200,000"``, ``1200.0``; empty is None.

    Raises:
        ValueError: the cell is not a number.
    """
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return None
    if isinstance(cell, bool):
        raise ValueError(f"{cell!r} is not a number")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell != cell or not cell.is_integer():  # NaN, or a fraction of a person
            raise ValueError(f"{cell!r} is not a whole number")
        return int(cell)
    text = str(cell).strip()
    if thousands:
        text = text.replace(thousands, "")
    text = text.replace("\u00a0", "").replace(" ", "")
    if not re.fullmatch(r"-?\d+(?:\.0+)?", text):
        raise ValueError(f"{cell!r} is not a number")
    return int(float(text))


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
    raise ValueError(f"date {text!r} fits none of the formats {', '.join(formats)}")


def _row_text(row: Mapping[str, Any], columns: Sequence[str]) -> str:
    shown = {column: row.get(column) for column in columns if column in row}
    return json.dumps(shown, ensure_ascii=False, default=str)


def rows_to_claims(
    rows: Sequence[Mapping[str, Any]],
    mapping: TableMapping,
    *,
    source: str,
    claimant: str | None = None,
    canonical: Callable[[str], str | None] | None = None,
) -> TableRows:
    """Turn table rows into claims; every row that cannot be one is rejected with its reason.

    A claim's ``start`` is its row number (1 = the first data row), its evidence the row's
    cells that made it, as JSON. ``canonical`` names claimants as the actor registry does
    (``UK MoD`` -> ``UK Ministry of Defence``); the table's own spelling stays in
    ``claimant_text``.
    """
    outcome = TableRows(rows=len(rows))
    last: dict[tuple[str, ...], tuple[int, date, int]] = {}  # series -> (value, day, row)
    for number, row in enumerate(rows, start=1):
        where = f"{source}:row {number}"
        reason = _skip_reason(row, mapping)
        if reason:
            outcome.rejected.append(TableRowError(where, reason))
            continue
        try:
            day = parse_date(row.get(mapping.date_column), mapping.date_formats) + timedelta(
                days=mapping.date_shift_days
            )
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
    canonical: Callable[[str], str | None] | None,
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
    if qualifier is not None and qualifier not in QUALIFIERS:
        raise ValueError(f"qualifier {word!r} is not one of the mapping's qualifier_words")
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
        raise ValueError(f"role {role!r} or scope {scope!r} is not allowed")
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
        extras={"extractor": f"table:{mapping.name}", "row": number},
    )


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
        InputError: the file cannot be read as a table.
    """
    from counterclaim.ingest.pipeline import store
    from counterclaim.ingest.text import read_bytes
    from counterclaim.store.writer import Extracted

    data = read_bytes(path, max_bytes=max_bytes)
    file_digest = hashlib.sha256(data).hexdigest()
    rows = read_rows(path, data, mapping.format)
    outcome = rows_to_claims(
        rows, mapping, source=str(path), claimant=claimant, canonical=ledger.registry.canonical
    )
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
