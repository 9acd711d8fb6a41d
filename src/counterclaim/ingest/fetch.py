"""Fetching articles over HTTP(S): one client per run, timeouts, size limits, a clear error per URL."""

from __future__ import annotations

from datetime import date
from typing import Any

from counterclaim.about import __version__
from counterclaim.errors import FetchError, InputTooLargeError
from counterclaim.ingest.html import HTML_TYPES, document_from_html, looks_like_html
from counterclaim.ingest.text import decode_bytes, describe_size
from counterclaim.models import Document
from counterclaim.redact import without_passwords

DEFAULT_TIMEOUT = 20.0


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
        # the document is named and linked without the password: the ledger shows both to anyone
        name, final_url = without_passwords(url), without_passwords(final_url)
        if content_type in HTML_TYPES or (not content_type and looks_like_html(body)):
            return document_from_html(body, source=name, name=name, url=final_url, published=published)
        if content_type.startswith("text/"):
            text, encoding = decode_bytes(body, name)
            return Document(id=name, text=text, published=published, url=final_url, encoding=encoding)
        raise FetchError(url, f"not a web page or text (content type {content_type or 'unknown'})")

    def _too_large(self, url: str, size: int | None) -> InputTooLargeError:
        what = f"the page is {describe_size(size)}" if size else "the page is larger"
        return InputTooLargeError(
            url, f"{what}, over the {describe_size(self.max_bytes)} limit (--max-bytes)"
        )
