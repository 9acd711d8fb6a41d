"""Claims to and from JSONL, CSV and Parquet, the formats the CLI writes and the gold files use."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import IO, Any

from counterclaim.errors import DataFileError
from counterclaim.models import CLAIM_FIELDS, MEASURES, QUALIFIERS, Claim

#: How a spreadsheet recognises a formula (OWASP, "CSV Injection"): a text cell starting with one of
#: these is prefixed with ``'``, so Excel, LibreOffice and Google Sheets show it and never run it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: About how many characters :func:`csv_text` gathers before it yields them.
CSV_CHUNK = 65536


def spreadsheet_safe(value: Any) -> Any:
    """A CSV cell a spreadsheet shows as it is and never runs: text starting like a formula gets a ``'``.

    Only text is changed: a number stays a number (a negative count is not a formula).
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_text(
    rows: Iterable[Mapping[str, Any]], columns: Sequence[str], *, chunk: int = CSV_CHUNK
) -> Iterator[str]:
    """Rows as CSV, in pieces of about ``chunk`` characters: the header, then each row's ``columns``.

    Every CSV the project writes is made here, so every cell goes through :func:`spreadsheet_safe`
    (article text, names and outlets are anybody's, and a spreadsheet would run their formulas).
    Text cells are always quoted, numbers never: with lines ending in ``\\n`` alone, the csv module
    would leave a text holding a bare ``\\r`` unquoted, and readers would see a line break in it.
    """
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(columns)  # the header: our own names, bare
    writer = csv.DictWriter(
        buffer,
        fieldnames=list(columns),
        extrasaction="ignore",
        lineterminator="\n",
        quoting=csv.QUOTE_NONNUMERIC,
    )
    for row in rows:
        writer.writerow({key: spreadsheet_safe(value) for key, value in row.items()})
        if buffer.tell() >= chunk:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def claims_to_jsonl(claims: Iterable[Claim]) -> Iterator[str]:
    """One JSON line per claim, keys in contract order (extra fields last)."""
    for claim in claims:
        yield json.dumps(claim.to_dict(), ensure_ascii=False)


def claims_to_csv(claims: Iterable[Claim]) -> str:
    """The claims as CSV with the contract's columns (formula-like text escaped: :func:`csv_text`)."""
    return "".join(csv_text((claim.to_dict() for claim in claims), CLAIM_FIELDS))


def read_claims(path: Path) -> list[Claim]:
    """Read a JSONL file of claims (a gold file, or the extractor's own output).

    Raises:
        DataFileError: the file cannot be read, or a line is not a valid claim.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise DataFileError(f"cannot read claims file {path}: {error}") from error
    claims = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as error:
            raise DataFileError(f"{path}:{number}: not valid JSON ({error.msg})") from error
        if not isinstance(data, dict):
            raise DataFileError(f"{path}:{number}: each line must be a JSON object")
        if data.get("measure") not in MEASURES or data.get("qualifier") not in QUALIFIERS:
            raise DataFileError(
                f"{path}:{number}: measure {data.get('measure')!r} / qualifier "
                f"{data.get('qualifier')!r} is not one of docs/claims.md's values"
            )
        claims.append(Claim.from_dict(data))
    return claims


#: Arrow types of the ledger's claim columns; any other column is written as text.
_PARQUET_TYPES = {
    "id": "int64",
    "value": "int64",
    "low": "int64",
    "high": "int64",
    "start": "int32",
    "end": "int32",
    "reports": "int32",
    "rejected": "bool_",
    "corrected": "bool_",
    "as_of": "date32",
}


def rows_to_parquet(
    rows: Sequence[Mapping[str, Any]], target: str | Path | IO[bytes], columns: Sequence[str]
) -> None:
    """Write ledger rows (``Ledger.claims()``) as a Parquet file with typed columns.

    ``columns`` fixes the schema, so an empty listing still has every column.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    def arrow_type(name: str) -> Any:
        return getattr(pa, _PARQUET_TYPES.get(name, "string"))()

    schema = pa.schema([pa.field(name, arrow_type(name)) for name in columns])
    data = {name: [_parquet_value(name, row.get(name)) for row in rows] for name in columns}
    pq.write_table(pa.Table.from_pydict(data, schema=schema), target)


def _parquet_value(name: str, value: Any) -> Any:
    if value is None:
        return None
    if name == "as_of":
        return value if isinstance(value, date) else date.fromisoformat(str(value))
    if _PARQUET_TYPES.get(name) in {"int64", "int32"}:
        return int(value)
    if _PARQUET_TYPES.get(name) == "bool_":
        return bool(value)
    return str(value)
