"""Web pages as documents: the article text, title, date and site of an HTML page.

The article is found by trafilatura (which drops menus, footers, comments and adverts) and the
publication date by htmldate through it. A date the user gives (a manifest's ``published``,
``--published``) always wins over the one found in the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from counterclaim.errors import BrokenHTMLError, InputError
from counterclaim.ingest.text import decode_bytes
from counterclaim.models import Document

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
#: A page whose main text is shorter than this is a menu, a stub or a broken page, not an article.
MIN_ARTICLE_WORDS = 4
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)


def looks_like_html(data: bytes, path: Path | None = None) -> bool:
    """An HTML page by its file name, or by how its bytes begin."""
    if path is not None and path.suffix.lower() in HTML_SUFFIXES:
        return True
    return bool(_HTML_START.match(data[:4096]))


def document_from_html(
    data: bytes,
    *,
    source: str,
    name: str,
    url: str | None = None,
    published: date | None = None,
    outlet: str | None = None,
    title: str | None = None,
    path: Path | None = None,
    fallback_date: date | None = None,
) -> Document:
    """The article of an HTML page.

    Raises:
        InputError: the page is empty or binary, or holds no article text (broken or not an
            article).
    """
    html, encoding = decode_bytes(data, source, html=True)
    import trafilatura

    try:
        found: Any = trafilatura.bare_extraction(
            html,
            url=url,
            with_metadata=True,
            include_comments=False,
            include_tables=False,
            # the original publication date, from the page's own metadata and markup only
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as error:  # trafilatura wraps lxml, whose failures on hostile markup vary
        raise BrokenHTMLError(source, f"the HTML cannot be parsed ({type(error).__name__})") from error
    text = (getattr(found, "text", None) or "").strip() if found is not None else ""
    if len(text.split()) < MIN_ARTICLE_WORDS:
        raise BrokenHTMLError(
            source, "no article text found in the HTML (a broken page, or not an article: an index, a form)"
        )
    page_date = _iso_date(getattr(found, "date", None))
    return Document(
        id=name,
        text=text + "\n",
        published=published or page_date or fallback_date,
        outlet=outlet or getattr(found, "sitename", None) or getattr(found, "hostname", None),
        title=title or getattr(found, "title", None),
        url=url or getattr(found, "url", None),
        path=path,
        encoding=encoding,
    )


def _iso_date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


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
