"""WARC files (web crawls such as Common Crawl's news crawl) as documents, one per HTML or text response.

Records that are not pages (requests, metadata, images, scripts, redirects, error pages) are
passed over without a word: a crawl is mostly such records. A page's publication date is the
one found in its HTML; failing that, the day it was crawled (``WARC-Date``), which for a news
crawl is the day it was published or the next. A damaged file keeps the pages read before
the damage and records one error for the rest.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from datetime import date
from pathlib import Path

from counterclaim.errors import ArchiveError, InputError, InputTooLargeError
from counterclaim.ingest.html import RawPage
from counterclaim.ingest.text import decode_bytes, describe_size, open_regular
from counterclaim.models import Document

WARC_ENDINGS = (".warc", ".warc.gz", ".arc", ".arc.gz")
_PAGE_TYPES = frozenset({"text/html", "application/xhtml+xml", "text/plain"})


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
            for record in ArchiveIterator(stream):
                records += 1
                page = _page_of(record)
                if page is None:
                    continue
                uri, content_type, crawled = page
                source = f"{path}#{uri}"
                data = record.content_stream().read(max_bytes + 1)
                if len(data) <= max_bytes and getattr(record.raw_stream, "limit", 0) > 0:
                    # the file ended inside this record: a cut-off download or copy
                    raise EOFError(f"the file ends inside the record of {uri}")
                pages += 1
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
        except (ArchiveLoadFailed, EOFError, zlib.error, OSError, ValueError) as error:
            where = f"after {pages} pages" if pages else "at the start"
            yield ArchiveError(str(path), f"not a WARC file, or damaged {where}: {error}")
            return
    if not records:
        yield ArchiveError(str(path), "no WARC records in it: not a WARC file, or damaged")


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
