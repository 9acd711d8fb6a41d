"""Reading documents from files, folders and manifests, with a clear error for each bad input."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from counterclaim.dates import parse_published
from counterclaim.errors import (
    BinaryInputError,
    CounterclaimError,
    EmptyInputError,
    EncodingError,
    InputError,
    InputTooLargeError,
    ManifestError,
    MissingInputError,
)

#: Inputs larger than this are refused (a news article is rarely over 200 KB).
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
TEXT_SUFFIXES = frozenset({".txt", ".text", ".md"})
NOT_AN_OBJECT = "each line must be a JSON object"


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its id (the file name), text and what is known about it."""

    id: str
    text: str
    published: date | None = None
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    path: Path | None = None


def _describe_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def decode_text(data: bytes, source: str) -> str:
    """Decode bytes as UTF-8 text, refusing empty, binary and mis-encoded input."""
    if not data.strip():
        raise EmptyInputError(source, "the file is empty")
    head = data[:8192]
    if b"\x00" in head:
        raise BinaryInputError(source, "this is a binary file, not text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise EncodingError(
            source,
            f"not valid UTF-8 (byte 0x{data[error.start]:02x} at offset {error.start}); "
            "re-encode the file as UTF-8",
        ) from error
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 20):
        raise BinaryInputError(source, "this looks like a binary file (many control characters)")
    if not text.strip():
        raise EmptyInputError(source, "the file holds only whitespace")
    return text


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read one text file as UTF-8.

    Raises:
        InputError: missing, unreadable, too large, empty, binary or not UTF-8.
    """
    source = str(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError as error:
        raise MissingInputError(source, "no such file") from error
    except OSError as error:
        raise MissingInputError(source, f"cannot read it ({error.strerror})") from error
    if path.is_dir():
        raise MissingInputError(source, "this is a folder, not a file")
    if size > max_bytes:
        raise InputTooLargeError(
            source,
            f"the file is {_describe_size(size)}, over the {_describe_size(max_bytes)} limit (--max-bytes)",
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise MissingInputError(source, f"cannot read it ({error.strerror})") from error
    return decode_text(data, source)


def iter_paths(
    paths: Iterable[Path],
    *,
    published: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    fields: Mapping[str, str] | None = None,
) -> Iterator[Document | InputError]:
    """Documents of files, folders (recursively) and JSONL/CSV corpora, or the error of each.

    A text file's id is its file name; a corpus row's its ``id`` column, else ``FILE#ROW``;
    ``-`` reads standard input (id ``stdin``). ``fields`` maps corpus columns (see
    :mod:`counterclaim.corpora`).
    """
    for path in paths:
        if str(path) == "-":
            data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
            if len(data) > max_bytes:
                yield InputTooLargeError(
                    "stdin", f"the input is over the {_describe_size(max_bytes)} limit (--max-bytes)"
                )
                continue
            try:
                yield Document(id="stdin", text=decode_text(data, "stdin"), published=published)
            except InputError as error:
                yield error
        elif path.is_dir():
            readable = TEXT_SUFFIXES | _corpus_suffixes()
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in readable)
            if not files:
                yield MissingInputError(str(path), "the folder holds no .txt, .jsonl or .csv files")
            for file in files:
                yield from _file(file, published, max_bytes, fields)
        else:
            yield from _file(path, published, max_bytes, fields)


def _corpus_suffixes() -> frozenset[str]:
    from counterclaim.corpora import CORPUS_SUFFIXES

    return CORPUS_SUFFIXES


def _file(
    path: Path, published: date | None, max_bytes: int, fields: Mapping[str, str] | None
) -> Iterator[Document | InputError]:
    if path.suffix.lower() in _corpus_suffixes():
        from counterclaim.corpora import DEFAULT_FIELDS, read_corpus

        for item in read_corpus(path, fields=fields or DEFAULT_FIELDS, max_bytes=max_bytes):
            if isinstance(item, Document) and item.published is None and published is not None:
                item = Document(item.id, item.text, published, item.outlet, item.title, item.url, path)
            yield item
        return
    yield _document(path, published, max_bytes, {})


def _document(
    path: Path, published: date | None, max_bytes: int, meta: dict[str, Any]
) -> Document | InputError:
    try:
        text = read_text_file(path, max_bytes=max_bytes)
    except InputError as error:
        return error
    return Document(
        id=path.name,
        text=text,
        published=published,
        outlet=meta.get("outlet"),
        title=meta.get("title"),
        url=meta.get("url"),
        path=path,
    )


def json_lines(text: str, path: Path) -> Iterator[tuple[str, dict[str, Any] | str]]:
    """Each non-blank line of a JSONL text as ``(FILE:LINE, object)``, or ``(FILE:LINE, problem)``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            yield where, f"not valid JSON ({error.msg} at column {error.colno})"
            continue
        if not isinstance(entry, dict):
            yield where, NOT_AN_OBJECT
            continue
        yield where, entry


def read_manifest(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Iterator[Document | InputError]:
    """Documents listed by a manifest (one JSON object a line: file, published, outlet, title, url).

    ``file`` is relative to the manifest. Each bad line or file yields its error; the rest
    are still read.

    Raises:
        InputError: the manifest itself cannot be read.
    """
    text = read_text_file(path, max_bytes=max_bytes)
    base = path.parent
    for where, entry in json_lines(text, path):
        if isinstance(entry, str) and entry != NOT_AN_OBJECT:
            yield ManifestError(where, entry)
            continue
        if isinstance(entry, str) or not isinstance(entry.get("file"), str) or not entry["file"]:
            yield ManifestError(where, 'each line must be a JSON object with a "file" string')
            continue
        try:
            published = parse_published(entry.get("published"))
        except CounterclaimError:
            yield ManifestError(where, f'"published" is {entry.get("published")!r}, not a date (YYYY-MM-DD)')
            continue
        yield _document(base / entry["file"], published, max_bytes, entry)
