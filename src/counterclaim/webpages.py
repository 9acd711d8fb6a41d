"""Web pages as documents: the article text, title, date and site of an HTML page, and fetching URLs.

The article is found by trafilatura (which drops menus, footers, comments and adverts) and the
publication date by htmldate through it. A date the user gives (a manifest's ``published``,
``--published``) always wins over the one found in the page.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from counterclaim.about import __version__
from counterclaim.documents import Document, decode_bytes, describe_size
from counterclaim.errors import BrokenHTMLError, FetchError, InputTooLargeError

HTML_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".shtml"})
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
DEFAULT_TIMEOUT = 20.0
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


class Fetcher:
    """Fetches articles over HTTP(S), one client (and its connection pool) for a whole run."""

    def __init__(self, *, timeout: float = DEFAULT_TIMEOUT, max_bytes: int, transport: Any = None) -> None:
        import httpx

        self.max_bytes = max_bytes
        self.timeout = timeout
        self._client = httpx.Client(
            timeout=timeout,
            follow_redirects=True,
            headers={"User-Agent": f"counterclaim/{__version__} (+https://github.com/counterclaim)"},
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def fetch(self, url: str, *, published: date | None = None) -> Document:
        """The document at a URL.

        Raises:
            InputError: unreachable, timed out, an HTTP error status, over the size limit, not a
                web page or text, or a page with no article text.
        """
        import httpx

        try:
            with self._client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(url, f"HTTP {response.status_code} {response.reason_phrase}")
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise self._too_large(url, int(declared))
                data = bytearray()
                for chunk in response.iter_bytes():
                    data.extend(chunk)
                    if len(data) > self.max_bytes:
                        raise self._too_large(url, None)
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                final_url = str(response.url)
        except httpx.TimeoutException as error:
            raise FetchError(url, f"timed out after {self.timeout:g} s (--timeout)") from error
        except httpx.ConnectError as error:
            raise FetchError(url, f"unreachable ({error})") from error
        except httpx.TooManyRedirects as error:
            raise FetchError(url, "too many redirects") from error
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise FetchError(url, f"not a valid URL ({error})") from error
        except httpx.HTTPError as error:
            raise FetchError(url, f"the download failed ({type(error).__name__}: {error})") from error
        body = bytes(data)
        if content_type in HTML_TYPES or (not content_type and looks_like_html(body)):
            return document_from_html(body, source=url, name=url, url=final_url, published=published)
        if content_type.startswith("text/"):
            text, encoding = decode_bytes(body, url)
            return Document(id=url, text=text, published=published, url=final_url, encoding=encoding)
        raise FetchError(url, f"not a web page or text (content type {content_type or 'unknown'})")

    def _too_large(self, url: str, size: int | None) -> InputTooLargeError:
        what = f"the page is {describe_size(size)}" if size else "the page is larger"
        return InputTooLargeError(
            url, f"{what}, over the {describe_size(self.max_bytes)} limit (--max-bytes)"
        )
