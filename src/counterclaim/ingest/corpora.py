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
        reader = csv.DictReader(io.StringIO(content))
        if reader.fieldnames is None or fields["text"] not in reader.fieldnames:
            yield CorpusRowError(
                str(path), f"the header has no {fields['text']!r} column (--fields text=COLUMN)"
            )
            return
        for number, row in enumerate(reader, start=2):
            if None in row:  # more cells than the header names
                yield CorpusRowError(f"{path}:{number}", "the row has more cells than the header")
                continue
            yield _document(row, f"{path}:{number}", f"{path.name}#{number}", fields)
        return
    for where, entry in json_lines(content, path):
        if isinstance(entry, str):
            yield CorpusRowError(where, entry)
            continue
        yield _document(entry, where, f"{path.name}#{where.rsplit(':', 1)[1]}", fields)
