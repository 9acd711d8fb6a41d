"""JSONL and CSV corpora: one article a row, field names configurable, a bad row never stops the rest."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from counterclaim.dates import parse_published
from counterclaim.errors import CorpusRowError, CounterclaimError, InputError
from counterclaim.ingest.text import DEFAULT_MAX_BYTES, json_lines, read_text_file
from counterclaim.models import Document

CORPUS_SUFFIXES = frozenset({".jsonl", ".ndjson", ".csv"})
#: The largest limit :func:`csv.field_size_limit` takes everywhere (a C long on Windows too).
_LARGEST_FIELD_LIMIT = 2**31 - 1
#: Our field -> the corpus's column; override any of them with ``--fields text=body,...``.
DEFAULT_FIELDS: Mapping[str, str] = {
    "id": "id",
    "text": "text",
    "title": "title",
    "url": "url",
    "published": "published",
    "outlet": "outlet",
}


def parse_fields(spec: str | None) -> dict[str, str]:
    """``"text=body,published=date"`` -> the field map, defaults for the rest.

    Raises:
        CorpusRowError: a part is not ``name=column`` or names an unknown field.
    """
    fields = dict(DEFAULT_FIELDS)
    for part in (spec or "").split(","):
        if not part.strip():
            continue
        name, sep, column = part.partition("=")
        if not sep or name.strip() not in DEFAULT_FIELDS or not column.strip():
            raise CorpusRowError(
                "--fields", f"{part!r} is not FIELD=COLUMN with FIELD one of {', '.join(DEFAULT_FIELDS)}"
            )
        fields[name.strip()] = column.strip()
    return fields


def _document(
    row: Mapping[str, Any], where: str, name: str, fields: Mapping[str, str]
) -> Document | InputError:
    text = row.get(fields["text"])
    if not isinstance(text, str) or not text.strip():
        return CorpusRowError(where, f"no text in column {fields['text']!r}")
    try:
        published = parse_published(row.get(fields["published"]) or None)
    except CounterclaimError:
        return CorpusRowError(
            where, f"{fields['published']} {row.get(fields['published'])!r} is not a date (YYYY-MM-DD)"
        )
    ident = row.get(fields["id"])
    return Document(
        id=str(ident) if ident not in (None, "") else name,
        text=text,
        published=published,
        outlet=_text(row.get(fields["outlet"])),
        title=_text(row.get(fields["title"])),
        url=_text(row.get(fields["url"])),
    )


def _text(value: Any) -> str | None:
    return str(value) if value not in (None, "") else None


def read_corpus(
    path: Path, *, fields: Mapping[str, str] = DEFAULT_FIELDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | InputError]:
    """Articles of a JSONL or CSV corpus; a document without an id column is ``FILE#ROW``."""
    try:
        content = read_text_file(path, max_bytes=max_bytes)
    except InputError as error:
        yield error
        return
    if path.suffix.lower() == ".csv":
        yield from _csv_rows(content, path, fields, max_bytes)
        return
    for where, entry in json_lines(content, path):
        if isinstance(entry, str):
            yield CorpusRowError(where, entry)
            continue
        yield _document(entry, where, f"{path.name}#{where.rsplit(':', 1)[1]}", fields)


def _csv_rows(
    content: str, path: Path, fields: Mapping[str, str], max_bytes: int
) -> Iterator[Document | InputError]:
    """The articles of a CSV corpus; a row the csv module cannot read is that row's error."""
    allow_cells_of(max_bytes)
    reader = csv.DictReader(io.StringIO(content))
    try:
        header = reader.fieldnames
    except csv.Error as error:
        yield CorpusRowError(str(path), f"the header cannot be read as CSV ({error})")
        return
    if header is None or fields["text"] not in header:
        yield CorpusRowError(str(path), f"the header has no {fields['text']!r} column (--fields text=COLUMN)")
        return
    rows = iter(reader)
    number = 1  # the header's
    while True:
        number += 1
        where = f"{path}:{number}"
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:  # the reader goes on at the next line
            yield CorpusRowError(where, f"the row cannot be read as CSV ({error})")
            continue
        if None in row:  # more cells than the header names
            yield CorpusRowError(where, "the row has more cells than the header")
            continue
        yield _document(row, where, f"{path.name}#{number}", fields)


def allow_cells_of(max_bytes: int) -> None:
    """Let the csv module read a cell as long as a whole corpus may be (``max_bytes``).

    Its default limit, 131,072 characters, is under the default --max-bytes: a long article
    or a page's HTML in one cell would be an error. The limit is the process's, so it is only
    ever raised: a cell is no longer than its file, which is under ``max_bytes``.
    """
    wanted = min(max_bytes, _LARGEST_FIELD_LIMIT)
    if csv.field_size_limit() < wanted:
        csv.field_size_limit(wanted)
