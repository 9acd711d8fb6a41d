"""A polite HTTP client for feeds and their pages: robots.txt, one request at a time per host with a
delay, conditional GET, timeouts, a size cap read as a stream, redirects followed by hand.

Every failure is an :class:`~counterclaim.errors.InputError` with its code (E104 too large,
E109 unreachable or an HTTP error, E120 robots.txt, E121 a redirect loop, E123 a timeout), so
the poller records it and goes on. robots.txt is read with Protego (Google's rules: ``*`` and
``$`` in paths, the longest rule wins, ``Crawl-delay``), once per host and poll.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

from counterclaim.about import __version__
from counterclaim.errors import (
    FetchError,
    FetchTimeoutError,
    InputError,
    InputTooLargeError,
    RedirectLoopError,
    RobotsDisallowedError,
)
from counterclaim.ingest.text import describe_size

log = logging.getLogger(__name__)
USER_AGENT = f"counterclaim/{__version__} (+https://github.com/counterclaim/counterclaim)"
#: The product token robots.txt rules are matched against.
ROBOTS_AGENT = "counterclaim"
MAX_REDIRECTS = 10
#: A robots.txt larger than this is read only this far (Google reads 500 KiB).
ROBOTS_BYTES = 512 * 1024
#: A site's Crawl-delay is honoured up to this many seconds.
MAX_CRAWL_DELAY = 30.0


class StoppedError(Exception):
    """The client was stopped (a signal) while a request waited for its turn: it was not sent."""


@dataclass(frozen=True, slots=True)
class Answer:
    """What a server answered: 304 (not modified, no body) or 200 with the body and validators."""

    url: str  # the final URL, after redirects
    status: int
    body: bytes = b""
    content_type: str = ""
    etag: str | None = None
    last_modified: str | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304


def host_of(url: str) -> str:
    """The scheme, host and port requests are queued by (one at a time each)."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1].lower()}"


class PoliteClient:
    """One HTTP client (and connection pool) shared by the poller's threads.

    Requests to one host take turns (a lock per host) and are at least ``delay`` seconds apart
    (or the host's ``Crawl-delay``, up to :data:`MAX_CRAWL_DELAY`); ``stop`` ends the waiting.
    """

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        connect_timeout: float | None = None,
        max_bytes: int = 10 * 1024 * 1024,
        delay: float = 1.0,
        transport: Any = None,
        stop: threading.Event | None = None,
        robots: dict[str, str] | None = None,
    ) -> None:
        """``robots``: the robots.txt of hosts read lately (host -> text), so they are not asked again."""
        import httpx
        from protego import Protego

        self.max_bytes = max_bytes
        self.timeout = timeout
        self.delay = delay
        self.stop = stop or threading.Event()
        self._client = httpx.Client(
            timeout=httpx.Timeout(timeout, connect=connect_timeout or min(timeout, 10.0)),
            follow_redirects=False,  # followed by hand: loops are named, robots.txt is asked each hop
            headers={"User-Agent": USER_AGENT},
            transport=transport,
        )
        self._guard = threading.Lock()
        self._hosts: dict[str, threading.Lock] = {}
        self._last: dict[str, float] = {}
        # host -> Protego, or the InputError reading it gave
        self._robots: dict[str, Any] = {host: Protego.parse(text) for host, text in (robots or {}).items()}
        #: the robots.txt read by this client (host -> text): the caller keeps them for next time
        self.robots_read: dict[str, str] = {}
        self.requests = 0

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> PoliteClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # -- politeness ---------------------------------------------------------------------------
    def _host_lock(self, host: str) -> threading.Lock:
        with self._guard:
            return self._hosts.setdefault(host, threading.Lock())

    def _wait_turn(self, host: str) -> None:
        """Sleep until ``host``'s delay since its last request has passed (called holding its lock)."""
        robots = self._robots.get(host)
        crawl_delay = robots.crawl_delay(ROBOTS_AGENT) if robots is not None and _is_parser(robots) else None
        wait_for = max(self.delay, min(float(crawl_delay or 0.0), MAX_CRAWL_DELAY))
        last = self._last.get(host)
        if last is not None:
            remaining = last + wait_for - time.monotonic()
            if remaining > 0:
                self.stop.wait(remaining)

    def _allowed(self, url: str) -> None:
        """Raise unless robots.txt lets this tool fetch ``url`` (read once per host, under its lock)."""
        host = host_of(url)
        if host not in self._robots:
            self._robots[host] = self._read_robots(host)
            self._last[host] = time.monotonic()
        robots = self._robots[host]
        if isinstance(robots, InputError):
            raise RobotsDisallowedError(
                url, f"robots.txt of {host} cannot be read ({robots.reason}); retried later"
            )
        if not robots.can_fetch(url, ROBOTS_AGENT):
            raise RobotsDisallowedError(url, f"robots.txt of {host} does not allow {ROBOTS_AGENT} here")

    def _read_robots(self, host: str) -> Any:
        from protego import Protego

        try:
            answer = self._request(urljoin(host, "/robots.txt"), {}, self.max_bytes, ROBOTS_BYTES)
        except InputError as error:
            if error.code == "E109" and error.reason.startswith("HTTP 4"):
                self.robots_read[host] = ""
                return Protego.parse("")  # no robots.txt (4xx): everything is allowed
            return error  # down, 5xx or a timeout: nothing is fetched from the host this time
        # a robots.txt that redirects is read as none (the rules stay those of the host asked)
        text = answer.body.decode("utf-8", "replace") if isinstance(answer, Answer) else ""
        self.robots_read[host] = text
        return Protego.parse(text)

    # -- requests -----------------------------------------------------------------------------
    def get(self, url: str, *, etag: str | None = None, last_modified: str | None = None) -> Answer:
        """GET ``url`` politely, conditionally when validators are given; redirects followed.

        Raises:
            StoppedError: ``stop`` was set while the request waited for its host's turn.
            InputError: robots.txt forbids it (E120), a redirect loop (E121), a timeout (E123),
                an HTTP error or an unreachable host (E109), a body over the size limit (E104).
        """
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        seen = [url]
        current = url
        while True:
            host = host_of(current)
            with self._host_lock(host):
                self._allowed(current)
                self._wait_turn(host)
                if self.stop.is_set():
                    raise StoppedError(current)
                try:
                    answer = self._request(current, headers, self.max_bytes, None)
                finally:
                    self._last[host] = time.monotonic()
            if isinstance(answer, Answer):
                return answer
            target = urljoin(current, answer.location)
            if target in seen:
                raise RedirectLoopError(url, f"redirects in a loop ({' -> '.join([*seen, target])[:400]})")
            if len(seen) > MAX_REDIRECTS:
                raise RedirectLoopError(url, f"more than {MAX_REDIRECTS} redirects")
            if urlsplit(target).scheme not in ("http", "https"):
                raise FetchError(url, f"redirects to a URL that is not http(s): {target[:200]}")
            seen.append(target)
            current = target

    def _request(
        self, url: str, headers: dict[str, str], limit: int, truncate: int | None
    ) -> Any:  # Answer | _Redirect
        import httpx

        with self._guard:
            self.requests += 1
        try:
            with self._client.stream("GET", url, headers=headers) as response:
                status = response.status_code
                if status in (301, 302, 303, 307, 308):
                    location = response.headers.get("location")
                    if not location:
                        raise FetchError(url, f"HTTP {status} without a Location")
                    return _Redirect(location)
                if status == 304:
                    return Answer(url, 304, etag=response.headers.get("etag"))
                if status >= 400:
                    raise FetchError(url, f"HTTP {status} {response.reason_phrase}")
                declared = response.headers.get("content-length")
                if truncate is None and declared and declared.isdigit() and int(declared) > limit:
                    raise self._too_large(url, int(declared), limit)
                body = _read_capped(
                    response.iter_bytes(), limit, truncate, lambda: self._too_large(url, None, limit)
                )
                return Answer(
                    str(response.url),
                    status,
                    body,
                    response.headers.get("content-type", "").split(";")[0].strip().lower(),
                    response.headers.get("etag"),
                    response.headers.get("last-modified"),
                )
        except httpx.TimeoutException as error:
            raise FetchTimeoutError(url, f"no answer within {self.timeout:g} s (--timeout)") from error
        except httpx.ConnectError as error:
            raise FetchError(url, f"unreachable ({error})") from error
        except (httpx.InvalidURL, httpx.UnsupportedProtocol) as error:
            raise FetchError(url, f"not a valid URL ({error})") from error
        except httpx.HTTPError as error:
            raise FetchError(url, f"the download failed ({type(error).__name__}: {error})") from error

    @staticmethod
    def _too_large(url: str, size: int | None, limit: int) -> InputTooLargeError:
        what = f"the answer is {describe_size(size)}" if size else "the answer is larger"
        return InputTooLargeError(url, f"{what}, over the {describe_size(limit)} limit (--max-bytes)")


@dataclass(frozen=True, slots=True)
class _Redirect:
    location: str


def _read_capped(
    chunks: Any, limit: int, truncate: int | None, too_large: Callable[[], InputTooLargeError]
) -> bytes:
    """The body, chunk by chunk: refused past ``limit`` (or cut at ``truncate``) without reading on."""
    data = bytearray()
    for chunk in chunks:
        data.extend(chunk)
        if truncate is not None and len(data) >= truncate:
            return bytes(data[:truncate])
        if len(data) > limit:
            raise too_large()
    return bytes(data)


def _is_parser(robots: Any) -> bool:
    return not isinstance(robots, InputError)
