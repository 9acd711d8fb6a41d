"""Documents from what a user names: files, folders, manifests, corpora, WARC crawls, URLs and stdin."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO, Literal, overload

from counterclaim.dates import parse_published
from counterclaim.errors import (
    CounterclaimError,
    InputError,
    InputTooLargeError,
    ManifestError,
    MissingInputError,
)
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.text import (
    DEFAULT_MAX_BYTES,
    NOT_AN_OBJECT,
    TEXT_SUFFIXES,
    decode_bytes,
    describe_size,
    json_lines,
    read_bytes,
    read_text_file,
)
from counterclaim.models import Document


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
    :mod:`counterclaim.ingest.corpora`), WARC crawls (``.warc``, ``.warc.gz``), ``http(s)://`` URLs
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
                    from counterclaim.ingest.fetch import Fetcher

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
    from counterclaim.ingest.corpora import CORPUS_SUFFIXES
    from counterclaim.ingest.html import HTML_SUFFIXES
    from counterclaim.ingest.warc import is_warc

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
    from counterclaim.ingest.corpora import CORPUS_SUFFIXES
    from counterclaim.ingest.warc import is_warc, read_warc

    if path.suffix.lower() in CORPUS_SUFFIXES:
        from counterclaim.ingest.corpora import DEFAULT_FIELDS, read_corpus

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
        from counterclaim.ingest.html import looks_like_html

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
    from counterclaim.ingest.html import document_from_html, looks_like_html

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


def read_manifest(
    path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES, allow_outside: bool = False
) -> Iterator[Document | InputError]:
    """Documents listed by a manifest (one JSON object a line: file, published, outlet, title, url).

    ``file`` is relative to the manifest, and must lie in the manifest's folder (or under it)
    unless ``allow_outside``: a manifest from elsewhere must not read ``../../secret.txt``,
    ``/etc/hostname`` or a link out of its folder into the ledger. Each bad line or file
    yields its error; the rest are still read.

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
        outside = None if allow_outside else _outside(base, entry["file"], where)
        if outside is not None:
            yield outside
            continue
        yield _document(base / entry["file"], published, max_bytes, entry)


def _outside(base: Path, file: str, where: str) -> ManifestError | None:
    """The error of a manifest line whose file is not in the manifest's folder ``base``, else None.

    Both are resolved first, so ``..`` and links that lead out of the folder count as outside.
    """
    try:
        folder = base.resolve()
        target = (base / file).resolve()
    except (OSError, RuntimeError) as error:  # RuntimeError: a loop of links
        return ManifestError(where, f'"file" {file!r} cannot be resolved ({error})')
    if target.is_relative_to(folder):
        return None
    return ManifestError(
        where,
        f'"file" {file!r} is outside the manifest\'s folder {folder}; '
        "pass --allow-outside to read files outside it",
    )
