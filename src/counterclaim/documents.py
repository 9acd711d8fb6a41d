"""Reading documents from files, folders and manifests, with a clear error for each bad input."""

from __future__ import annotations

import codecs
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Literal, overload

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
#: File signatures of the binary files most often fed by mistake, for a precise message.
_MAGIC = (
    (b"%PDF", "a PDF file"),
    (b"PK\x03\x04", "a ZIP archive (or a .docx/.xlsx/.odt file)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"\xd0\xcf\x11\xe0", "an old Microsoft Office file (.doc/.xls)"),
)


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
    encoding: str = "utf-8"  # what the bytes were decoded from
    kind: str = "article"  # or "table": an imported table of claims (see counterclaim.tables)


def describe_size(size: int) -> str:
    """A byte count for people: 512 bytes, 3.2 KB, 10.0 MB."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size} bytes"


def decode_bytes(data: bytes, source: str, *, html: bool = False) -> tuple[str, str]:
    """Decode a text file's bytes: UTF-8, else the encoding they are detected to be in.

    Returns the text and the encoding it was decoded from (see :mod:`counterclaim.charsets`).

    Raises:
        InputError: empty, binary, or in no encoding that fits.
    """
    from counterclaim.charsets import detect_encoding

    if not data.strip():
        raise EmptyInputError(source, "the file is empty")
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            raise BinaryInputError(source, f"this is {kind}, not text")
    if b"\x00" in data[:8192] and not data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise BinaryInputError(source, "this is a binary file, not text")
    encoding = detect_encoding(data, html=html)
    if encoding is None:
        raise EncodingError(source, "not UTF-8, and no other text encoding fits; re-encode the file as UTF-8")
    text = data.decode(encoding, errors="replace")
    controls = sum(1 for ch in text[:8192] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if controls > max(8, len(text[:8192]) // 20):
        raise BinaryInputError(source, "this looks like a binary file (many control characters)")
    if not text.strip():
        raise EmptyInputError(source, "the file holds only whitespace")
    return text, encoding


def decode_text(data: bytes, source: str) -> str:
    """Decode a text file's bytes (see :func:`decode_bytes`)."""
    return decode_bytes(data, source)[0]


def read_bytes(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> bytes:
    """The bytes of one input file.

    Raises:
        InputError: missing, unreadable, a folder, or over the size limit.
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
            f"the file is {describe_size(size)}, over the {describe_size(max_bytes)} limit (--max-bytes)",
        )
    try:
        return path.read_bytes()
    except OSError as error:
        raise MissingInputError(source, f"cannot read it ({error.strerror})") from error


def read_text_file(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> str:
    """Read one text file, decoded (see :func:`decode_bytes`).

    Raises:
        InputError: missing, unreadable, too large, empty, binary or in no encoding that fits.
    """
    return decode_text(read_bytes(path, max_bytes=max_bytes), str(path))


@dataclass(frozen=True, slots=True)
class RawPage:
    """An HTML page read but not parsed yet: :meth:`parse` finds its article where it is extracted.

    Finding a page's article (trafilatura) costs more than extracting its claims, so a cluster
    ingest sends the page's bytes to the workers rather than parse every page in the one
    process that reads the inputs.
    """

    data: bytes
    source: str
    name: str
    url: str | None = None
    published: date | None = None
    outlet: str | None = None
    title: str | None = None
    path: Path | None = None
    fallback_date: date | None = None

    def parse(self) -> Document | InputError:
        """The page's article as a document, or the error that says why it has none."""
        from counterclaim.webpages import document_from_html

        try:
            return document_from_html(
                self.data,
                source=self.source,
                name=self.name,
                url=self.url,
                published=self.published,
                outlet=self.outlet,
                title=self.title,
                path=self.path,
                fallback_date=self.fallback_date,
            )
        except InputError as error:
            return error


@overload
def iter_paths(
    paths: Iterable[Path | str],
    *,
    published: date | None = ...,
    max_bytes: int = ...,
    stdin: BinaryIO | None = ...,
    fields: Mapping[str, str] | None = ...,
    timeout: float = ...,
    parse_html: Literal[True] = ...,
) -> Iterator[Document | InputError]: ...


@overload
def iter_paths(
    paths: Iterable[Path | str],
    *,
    published: date | None = ...,
    max_bytes: int = ...,
    stdin: BinaryIO | None = ...,
    fields: Mapping[str, str] | None = ...,
    timeout: float = ...,
    parse_html: bool,
) -> Iterator[Document | RawPage | InputError]: ...


def iter_paths(
    paths: Iterable[Path | str],
    *,
    published: date | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    stdin: BinaryIO | None = None,
    fields: Mapping[str, str] | None = None,
    timeout: float = 20.0,
    parse_html: bool = True,
) -> Iterator[Document | RawPage | InputError]:
    """Documents of files, folders (recursively), corpora, WARC files and URLs, or the error of each.

    Text files (``.txt``, ``.text``, ``.md``), HTML pages (``.html``, ``.htm``, or any file
    that starts like one), JSONL/CSV corpora (``fields`` maps their columns, see
    :mod:`counterclaim.corpora`), WARC crawls (``.warc``, ``.warc.gz``), ``http(s)://`` URLs
    (fetched with ``timeout`` seconds and the ``max_bytes`` limit) and ``-`` for standard input.
    A file's id is its file name; a corpus row's its ``id`` column, else ``FILE#ROW``; a page's
    its URL; standard input's ``stdin``. Without ``parse_html``, the HTML files and WARC pages
    come as :class:`RawPage` (to be parsed elsewhere); fetched URLs are always parsed.
    """
    fetcher = None
    try:
        for path in paths:
            if isinstance(path, str) and is_url(path):
                if fetcher is None:
                    from counterclaim.webpages import Fetcher

                    fetcher = Fetcher(timeout=timeout, max_bytes=max_bytes)
                try:
                    yield fetcher.fetch(path, published=published)
                except InputError as error:
                    yield error
                continue
            path = Path(path)
            if str(path) == "-":
                yield _stdin(stdin, published, max_bytes)
            elif path.is_dir():
                files = sorted(p for p in path.rglob("*") if p.is_file() and _readable(p))
                if not files:
                    yield MissingInputError(
                        str(path), "the folder holds no .txt, .html, .jsonl, .csv or .warc files"
                    )
                for file in files:
                    yield from _file(file, published, max_bytes, fields, parse_html)
            else:
                yield from _file(path, published, max_bytes, fields, parse_html)
    finally:
        if fetcher is not None:
            fetcher.close()


def is_url(text: str) -> bool:
    """An http(s) URL rather than a path."""
    return text.lower().startswith(("http://", "https://"))


def _readable(path: Path) -> bool:
    """A file a folder walk picks up, by its name."""
    from counterclaim.corpora import CORPUS_SUFFIXES
    from counterclaim.warc import is_warc
    from counterclaim.webpages import HTML_SUFFIXES

    suffix = path.suffix.lower()
    return suffix in TEXT_SUFFIXES or suffix in HTML_SUFFIXES or suffix in CORPUS_SUFFIXES or is_warc(path)


def _stdin(stdin: BinaryIO | None, published: date | None, max_bytes: int) -> Document | InputError:
    data = (stdin or sys.stdin.buffer).read(max_bytes + 1)
    if len(data) > max_bytes:
        return InputTooLargeError(
            "stdin", f"the input is over the {describe_size(max_bytes)} limit (--max-bytes)"
        )
    try:
        return _from_bytes(data, "stdin", "stdin", published, {}, None)
    except InputError as error:
        return error


def _file(
    path: Path,
    published: date | None,
    max_bytes: int,
    fields: Mapping[str, str] | None,
    parse_html: bool = True,
) -> Iterator[Document | RawPage | InputError]:
    from counterclaim.corpora import CORPUS_SUFFIXES
    from counterclaim.warc import is_warc, read_warc

    if path.suffix.lower() in CORPUS_SUFFIXES:
        from counterclaim.corpora import DEFAULT_FIELDS, read_corpus

        for item in read_corpus(path, fields=fields or DEFAULT_FIELDS, max_bytes=max_bytes):
            if isinstance(item, Document) and item.published is None and published is not None:
                item = replace(item, published=published, path=path)
            yield item
        return
    if is_warc(path):
        yield from read_warc(path, max_bytes=max_bytes, published=published, parse_html=parse_html)
        return
    if not parse_html:
        try:
            data = read_bytes(path, max_bytes=max_bytes)
        except InputError as error:
            yield error
            return
        from counterclaim.webpages import looks_like_html

        if looks_like_html(data, path):
            yield RawPage(data, source=str(path), name=path.name, published=published, path=path)
            return
        try:
            yield _from_bytes(data, str(path), path.name, published, {}, path)
        except InputError as error:
            yield error
        return
    yield _document(path, published, max_bytes, {})


def _document(
    path: Path, published: date | None, max_bytes: int, meta: dict[str, Any]
) -> Document | InputError:
    try:
        return _from_bytes(read_bytes(path, max_bytes=max_bytes), str(path), path.name, published, meta, path)
    except InputError as error:
        return error


def _from_bytes(
    data: bytes, source: str, name: str, published: date | None, meta: dict[str, Any], path: Path | None
) -> Document:
    """A document from a file's bytes: an HTML page's article, or the decoded text."""
    from counterclaim.webpages import document_from_html, looks_like_html

    if looks_like_html(data, path):
        return document_from_html(
            data,
            source=source,
            name=name,
            url=meta.get("url"),
            published=published,
            outlet=meta.get("outlet"),
            title=meta.get("title"),
            path=path,
        )
    text, encoding = decode_bytes(data, source)
    return Document(
        id=name,
        text=text,
        published=published,
        outlet=meta.get("outlet"),
        title=meta.get("title"),
        url=meta.get("url"),
        path=path,
        encoding=encoding,
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
