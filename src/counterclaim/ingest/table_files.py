"""A table file's rows (CSV, JSON, JSONL, Parquet), once its content is seen to be of its declared format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from counterclaim.errors import TableRowError
from counterclaim.ingest.corpora import allow_cells_of

#: The formats a file's suffix gives when the mapping names none.
SUFFIXES = {".csv": "csv", ".json": "json", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
#: What each format's content looks like, for the messages.
LOOKS = {
    "parquet": "a Parquet file",
    "json": "JSON (an array)",
    "jsonl": "JSON lines (an object a line)",
    "csv": "CSV (text that is not JSON)",
}
#: How far into a file its format is judged: the opening bytes say it.
_HEAD = 4096


def read_rows(path: Path, data: bytes, fmt: str | None) -> list[dict[str, Any]]:
    """The rows of a table file as dicts.

    The file is read as the mapping's ``format`` says, else as its suffix says; a file whose
    content is of another format is refused, saying which, rather than read as nonsense (JSON
    read as CSV is a table of no rows, or of rows that are each one fragment of JSON).

    Raises:
        TableRowError: the file is not a table of the format it is read as.
    """
    source = str(path)
    suffix = SUFFIXES.get(path.suffix.lower())
    kind = fmt or suffix
    if kind is None:
        raise TableRowError(
            source, "not a table: give a .csv, .json, .jsonl or .parquet file, or format in the mapping"
        )
    found = content_format(data)
    if found in ("json", "jsonl") and kind == "csv" and not _is_json(data, found):
        found = "csv"  # a CSV file whose first column's name begins with a bracket
    if found != kind and not (kind == "json" and found == "jsonl"):  # "json" reads objects a line too
        raise TableRowError(source, _mismatch(path, fmt, kind, found, suffix))
    try:
        if kind == "parquet":
            import pyarrow.parquet as pq

            return [dict(row) for row in pq.read_table(io.BytesIO(data)).to_pylist()]
        text = data.decode("utf-8-sig")
        if kind == "csv":
            allow_cells_of(len(data))  # a cell may be as long as its file (the file is under the limit)
            return [dict(row) for row in csv.DictReader(io.StringIO(text))]
        if found == "json":
            rows = json.loads(text)
        else:
            rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    except (ValueError, OverflowError, RecursionError, NotImplementedError, OSError, csv.Error) as error:
        # UnicodeDecodeError, JSONDecodeError and pyarrow's ArrowInvalid are ValueErrors
        raise TableRowError(source, f"cannot read it as {kind}: {_first_line(error)}") from error
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise TableRowError(source, "a JSON table is an array of objects (or one object a line)")
    return rows


def content_format(data: bytes) -> str:
    """The format a file's opening bytes say it is: ``parquet``, ``json`` (an array), ``jsonl``
    (an object first) or ``csv`` (any other text)."""
    if data[:4] == b"PAR1":
        return "parquet"
    head = data[:_HEAD].removeprefix(b"\xef\xbb\xbf").lstrip()
    if head.startswith(b"["):
        return "json"
    if head.startswith(b"{"):
        return "jsonl"
    return "csv"


def _is_json(data: bytes, found: str) -> bool:
    """Whether a file that opens like JSON is JSON: the whole array, or the first object's line."""
    try:
        text = data.decode("utf-8-sig")
        json.loads(text if found == "json" else text.lstrip().split("\n", 1)[0])
    except (ValueError, RecursionError):
        return False
    return True


def _mismatch(path: Path, declared: str | None, kind: str, found: str, suffix: str | None) -> str:
    if kind == "parquet":
        seen = "is not a Parquet file (it does not begin with PAR1)"
    else:
        seen = f"looks like {LOOKS[found]}"
    if declared is None:
        hint = f'rename it, or set format = "{found}" in the mapping'
        return f"{path.name} is named {path.suffix} but {seen}: {hint}"
    hint = f'set format = "{found}" in the mapping'
    if suffix == found:
        hint += f" (or leave format out: the suffix {path.suffix} says {found})"
    return f'the mapping says format = "{declared}", but {path.name} {seen}: {hint}'


def _first_line(error: BaseException) -> str:
    return str(error).strip().split("\n", 1)[0][:300]
