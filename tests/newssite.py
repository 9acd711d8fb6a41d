"""A news site on loopback for the feed tests and benchmarks/poll.py: RSS, Atom, sitemaps, articles.

Real HTTP (``http.server`` in a thread): ETag and Last-Modified with 304 answers, robots.txt,
a page that 404s, one that redirects in a loop, one that never answers, a large page, and a
log of every request (path, the validators sent, the status answered).
"""

from __future__ import annotations

import hashlib
import http.server
import threading
import time
from dataclasses import dataclass, field
from email.utils import formatdate
from typing import Any

CLAIMANTS = (
    "Ukraine's defence ministry",
    "the Gaza health ministry",
    "the United Nations",
    "Russia's defence ministry",
    "the Syrian Observatory for Human Rights",
)
GROUPS = ("Russian soldiers", "people", "civilians", "Ukrainian soldiers", "people")
PLACES = ("Bakhmut", "Khan Younis", "Kharkiv", "Avdiivka", "Idlib")


def article_text(number: int) -> str:
    """An article of its own: a claimant, a figure and a place that no other article repeats."""
    i = number % len(CLAIMANTS)
    figure = 100 + 37 * number
    return (
        f"{PLACES[i].upper()} — {CLAIMANTS[i][0].upper()}{CLAIMANTS[i][1:]} said on Tuesday that {figure} "
        f"{GROUPS[i]} were killed in fighting near {PLACES[i]} in the past day, report number {number}. "
        "The figure could not be independently verified, and officials gave no further details."
    )


def article_html(number: int, *, canonical: str | None = None, extra: str = "") -> bytes:
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f"<!DOCTYPE html><html><head><title>Report {number}</title>{link}"
        f'<meta name="date" content="2024-03-0{1 + number % 9}"></head><body>'
        f"<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article><h1>Report {number}</h1><p>{article_text(number)}</p>{extra}</article>"
        "<footer>Copyright the site</footer></body></html>"
    ).encode()


def rss(base: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid></item>"
        for path, title in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>News</title>'
        f"<link>{base}/</link><description>News</description>{body}</channel></rss>"
    ).encode()


def atom(base: str, items: list[tuple[str, str]]) -> bytes:
    body = "".join(
        f'<entry><title>{title}</title><link href="{base}{path}"/><id>{base}{path}</id>'
        "<updated>2024-03-01T00:00:00Z</updated></entry>"
        for path, title in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>News</title><id>{base}/</id><updated>2024-03-01T00:00:00Z</updated>{body}</feed>"
    ).encode()


def sitemap(base: str, paths: list[str]) -> bytes:
    body = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication><news:name>Site</news:name>"
        f"<news:language>en</news:language></news:publication><news:title>{path}</news:title>"
        "</news:news></url>"
        for path in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{body}</urlset>'
    ).encode()


@dataclass
class Logged:
    path: str
    status: int
    if_none_match: str | None
    if_modified_since: str | None
    at: float


@dataclass
class NewsSite:
    """What the server answers: path -> (content type, body); special paths; the request log."""

    pages: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    robots: str = "User-agent: *\nAllow: /\n"
    #: path -> where it redirects
    redirects: dict[str, str] = field(default_factory=dict)
    #: paths that never answer (the handler sleeps until the server stops)
    hanging: set[str] = field(default_factory=set)
    #: paths answered with a body this large, streamed, without a Content-Length
    huge: dict[str, int] = field(default_factory=dict)
    #: paths answered with Last-Modified only (no ETag)
    no_etag: set[str] = field(default_factory=set)
    #: seconds every article page takes to answer
    slow: float = 0.0
    log: list[Logged] = field(default_factory=list)
    #: requests being answered now, and the most ever answered at once
    in_flight: int = 0
    most_in_flight: int = 0
    base: str = ""
    _stopping: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _modified: dict[str, str] = field(default_factory=dict)

    def put(self, path: str, content_type: str, body: bytes) -> None:
        with self._lock:
            if self.pages.get(path, ("", b""))[1] != body:
                self._modified[path] = formatdate(time.time(), usegmt=True)
            self.pages[path] = (content_type, body)

    def requests(self, since: int = 0) -> list[Logged]:
        with self._lock:
            return list(self.log[since:])

    def _record(self, entry: Logged) -> None:
        with self._lock:
            self.log.append(entry)

    def answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.in_flight += 1
            self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            self._answer(handler)
        finally:
            with self._lock:
                self.in_flight -= 1

    def _answer(self, handler: http.server.BaseHTTPRequestHandler) -> None:
        path = handler.path
        sent_etag = handler.headers.get("If-None-Match")
        sent_since = handler.headers.get("If-Modified-Since")

        def reply(status: int, content_type: str = "text/plain", body: bytes = b"", **headers: str) -> None:
            self._record(Logged(path, status, sent_etag, sent_since, time.monotonic()))
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            for name, value in headers.items():
                handler.send_header(name.replace("_", "-"), value)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            if body:
                handler.wfile.write(body)

        if path == "/robots.txt":
            return reply(200, "text/plain", self.robots.encode())
        if path in self.hanging:
            self._record(Logged(path, 0, sent_etag, sent_since, time.monotonic()))
            self._stopping.wait(60)
            return None
        if path in self.redirects:
            return reply(302, Location=self.redirects[path])
        if path in self.huge:
            self._record(Logged(path, 200, sent_etag, sent_since, time.monotonic()))
            handler.send_response(200)
            handler.send_header("Content-Type", "text/html")
            handler.end_headers()
            chunk = b"<p>" + b"x" * 65_530 + b"</p>"
            try:
                for _ in range(self.huge[path] // len(chunk) + 1):
                    handler.wfile.write(chunk)
            except OSError:
                pass  # the client hung up: what it should do with a page over its limit
            return None
        with self._lock:
            found = self.pages.get(path)
            modified = self._modified.get(path, formatdate(0, usegmt=True))
        if found is None:
            return reply(404, "text/plain", b"not found")
        content_type, body = found
        if path in self.no_etag:  # a server that knows only Last-Modified
            if sent_since == modified:
                return reply(304, content_type, Last_Modified=modified)
            return reply(200, content_type, body, Last_Modified=modified)
        etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
        if sent_etag == etag:
            return reply(304, content_type, ETag=etag, Last_Modified=modified)
        if content_type == "text/html" and self.slow:
            time.sleep(self.slow)
        return reply(200, content_type, body, ETag=etag, Last_Modified=modified)


class _Handler(http.server.BaseHTTPRequestHandler):
    site: NewsSite
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once: no delayed-ACK stalls

    def do_GET(self) -> None:
        self.server.site.answer(self)  # type: ignore[attr-defined]

    def log_message(self, *_: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (a timeout, a killed process): what the tests make happen


def serve(site: NewsSite) -> tuple[http.server.ThreadingHTTPServer, threading.Thread]:
    """Start ``site`` on a free loopback port (its ``base`` set); stop with :func:`stop`."""
    server = _Server(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.site = site  # type: ignore[attr-defined]
    site.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, thread


def stop(server: http.server.ThreadingHTTPServer, site: NewsSite) -> None:
    site._stopping.set()
    server.shutdown()
    server.server_close()
