"""WARC files (web crawls such as Common Crawl's news crawl) as documents, one per HTML or text response.

Records that are not pages (requests, metadata, images, scripts, redirects, error pages) are
passed over without a word: a crawl is mostly such records. A page's publication date is the
one found in its HTML; failing that, the day it was crawled (``WARC-Date``), which for a news
crawl is the day it was published or the next. A damaged file keeps the pages read before
the damage and records one error for the rest.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from counterclaim.errors import ArchiveError, InputError, InputTooLargeError
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.text import decode_bytes, describe_size, open_regular
from counterclaim.models import Document

WARC_ENDINGS = (".warc", ".warc.gz", ".arc", ".arc.gz")
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})
_CHUNK = 64 * 1024
#: What warcio and zlib raise on a damaged file while it is read.
_DAMAGE = (EOFError, zlib.error, OSError, ValueError)


def is_warc(path: Path) -> bool:
    """A WARC (or ARC) file, by its name."""
    return path.name.lower().endswith(WARC_ENDINGS)


def read_warc(
    path: Path, *, max_bytes: int, published: date | None = None, parse_html: bool = True
) -> Iterator[Document | RawPage | InputError]:
    """The pages of a WARC file as documents (id: the page's URL), or the error of each.

    Without ``parse_html`` the HTML pages come as :class:`RawPage`, to be parsed elsewhere.
    """
    from warcio.archiveiterator import ArchiveIterator
    from warcio.exceptions import ArchiveLoadFailed

    from counterclaim.ingest.html import document_from_html

    try:
        stream = open_regular(path)  # a FIFO or a device named .warc would block or never end
    except InputError as error:
        yield error
        return
    pages = records = 0
    with stream:
        try:
            for record in _records(ArchiveIterator(stream)):
                records += 1
                if not _says_its_length(record):
                    # every record says its length: the file ended inside this one's headers
                    raise EOFError(f"the file ends inside the headers of {_which(record)}")
                page = _page_of(record)
                data = record.content_stream().read(max_bytes + 1) if page is not None else b""
                if not _complete(record):
                    # the file ended inside this record: a cut-off download or copy. Records that
                    # are not pages count too: a file cut inside its only record is not an empty crawl
                    raise EOFError(f"the file ends inside {_which(record)}")
                if page is None:
                    continue
                pages += 1
                uri, content_type, crawled = page
                source = f"{path}#{uri}"
                if len(data) > max_bytes:
                    yield InputTooLargeError(source, f"the page is over the {describe_size(max_bytes)} limit")
                    continue
                try:
                    if content_type == "text/plain":
                        text, encoding = decode_bytes(data, source)
                        yield Document(uri, text, published or crawled, url=uri, path=path, encoding=encoding)
                    elif not parse_html:
                        yield RawPage(
                            data, source=source, name=uri, url=uri, published=published, path=path,
                            fallback_date=crawled,
                        )  # fmt: skip
                    else:
                        yield document_from_html(
                            data, source=source, name=uri, url=uri, published=published, path=path,
                            fallback_date=crawled,
                        )  # fmt: skip
                except InputError as error:
                    yield error
        except (ArchiveLoadFailed, _UnparsableRecordError, *_DAMAGE) as error:
            where = f"after {pages} pages" if pages else "at the start"
            yield ArchiveError(str(path), f"not a WARC file, or damaged {where}: {error}")
            return
    if not records:
        yield ArchiveError(str(path), "no WARC records in it: not a WARC file, or damaged")


class _UnparsableRecordError(Exception):
    """warcio raised something other than its own errors on a record it could not parse."""


def _records(archive: Iterable[Any]) -> Iterator[Any]:
    """The records warcio reads; anything else it raises on a damaged file, an ``_UnparsableRecordError``."""
    from warcio.exceptions import ArchiveLoadFailed

    records = iter(archive)
    while True:
        try:
            record = next(records)
        except StopIteration:
            return
        except (ArchiveLoadFailed, *_DAMAGE):
            raise
        except Exception as error:  # a record cut inside its headers can give an AttributeError
            message = f"a record cannot be parsed ({type(error).__name__}: {error})"
            raise _UnparsableRecordError(message) from error
        yield record


def _says_its_length(record: Any) -> bool:
    """Whether a record's headers give its length as a number (warcio reads a length it cannot
    parse as 0, and a missing one as "read to the end")."""
    value = record.rec_headers.get_header("Content-Length" if record.format == "warc" else "length")
    return isinstance(value, str) and value.strip().isdigit()


def _complete(record: Any) -> bool:
    """Read what is left of a record; whether all of it was in the file (its length says how much)."""
    while record.raw_stream.read(_CHUNK):
        pass
    return getattr(record.raw_stream, "limit", 0) == 0


def _which(record: Any) -> str:
    """The record, for a message: its URL if it has one (a cut one may not)."""
    uri = record.rec_headers.get_header("WARC-Target-URI")
    return f"the record of {uri}" if uri else "a record"


def _page_of(record: object) -> tuple[str, str, date | None] | None:
    """(URL, content type, crawl date) of a record that is a page worth reading, else None."""
    rec_type = getattr(record, "rec_type", None)
    if rec_type not in ("response", "resource"):
        return None
    headers = record.rec_headers  # type: ignore[attr-defined]
    uri = headers.get_header("WARC-Target-URI") or ""
    if rec_type == "response":
        http = record.http_headers  # type: ignore[attr-defined]
        if http is None or not http.get_statuscode().startswith("2"):
            return None
        content_type = http.get_header("Content-Type") or ""
    else:
        content_type = headers.get_header("Content-Type") or ""
    content_type = content_type.split(";")[0].strip().lower()
    if content_type not in _PAGE_TYPES:
        return None
    crawled = headers.get_header("WARC-Date") or ""
    try:
        crawl_date = date.fromisoformat(crawled[:10]) if crawled else None
    except ValueError:
        crawl_date = None
    return uri, content_type, crawl_date
