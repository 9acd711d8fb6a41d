"""Whole responses kept per ledger state: a page asked for again is sent as stored bytes.

Every page and JSON body the dashboard makes depends on the ledger alone (there are no sessions),
so the same GET of the same ledger state is the same bytes. :class:`ResponseCache` keeps them,
with a gzip copy and an ETag, and answers repeats from the event loop without routing,
validating or reading the ledger. Everything is dropped when the ledger's state changes; a
request that may write (any method but GET and HEAD) makes the next request look again at once.
"""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import sys
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

#: Bodies smaller than this are sent as they are: gzip would save less than its headers cost.
GZIP_FROM = 1024
#: A body larger than this is never kept (one such page would push out hundreds of others).
LARGEST_KEPT = 8 * 1024 * 1024
#: Bodies this large are compressed on a thread, so the event loop goes on answering meanwhile.
COMPRESS_ON_THREAD_FROM = 256 * 1024
#: The most bytes kept in all (keys, bodies, their gzip copies and headers), the least recently asked
#: dropped first.
DEFAULT_BUDGET = 128 * 1024 * 1024
#: A request whose path and query string are longer than this is answered but never kept: no link of
#: the dashboard comes near it, and unique long keys would only push out the pages people ask for.
LONGEST_KEY = 2048
#: What keeping one entry costs beside its key and body: the Stored object, its headers' list, the
#: dict's slot. Counted so that many tiny answers cannot hold more memory than the budget says.
ENTRY_OVERHEAD = 512
#: Headers a stored response is sent with again; the rest describe one sending, not the body.
KEPT_HEADERS = {b"content-type", b"cache-control", b"content-language"}


@dataclass(frozen=True)
class Stored:
    """One response as sent, ready to be sent again."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    zipped: bytes | None
    etag: bytes

    @property
    def size(self) -> int:
        """The bytes this answer holds: its bodies, headers and ETag."""
        headers = sum(len(name) + len(value) for name, value in self.headers)
        return len(self.body) + len(self.zipped or b"") + headers + len(self.etag)


class ResponseCache:
    """ASGI middleware: GET responses (status 200, one body message) kept for the current ledger state.

    ``state`` names the ledger as it is now (cheap: the dashboard re-reads it at most once a
    second or so); ``stale`` says whether calling it would read the ledger, in which case it runs
    on a thread so the event loop never waits on the database. ``changed`` is called after every
    request that may have written. Paths under ``skip`` (static files, downloads) and requests
    whose path and query string are over :data:`LONGEST_KEY` pass straight through. At most
    ``budget`` bytes are kept, keys counted with their bodies.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        state: Callable[[], Any],
        stale: Callable[[], bool],
        changed: Callable[[], None],
        skip: tuple[str, ...] = (),
        budget: int = DEFAULT_BUDGET,
    ) -> None:
        self.app = app
        self.state = state
        self.stale = stale
        self.changed = changed
        self.skip = skip
        self.budget = budget
        self._state: Any = None
        self._entries: OrderedDict[tuple[str, bytes], Stored] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "HEAD":
            await self.app(scope, receive, send)
            return
        if scope["method"] != "GET":
            changed = self.changed

            async def after_writing(message: Message) -> None:
                if message["type"] == "http.response.start":
                    changed()  # before the client hears back, so its next request sees the write
                await send(message)

            try:
                await self.app(scope, receive, after_writing)
            finally:
                changed()
            return
        path: str = scope["path"]
        query: bytes = scope.get("query_string", b"")
        if (
            path.startswith(self.skip)
            or len(path) + len(query) > LONGEST_KEY
            or _header(scope, b"authorization") is not None
        ):
            await self.app(scope, receive, send)
            return
        state = await asyncio.to_thread(self.state) if self.stale() else self.state()
        key = (path, query)
        with self._lock:
            if state != self._state:
                self._entries.clear()
                self._bytes = 0
                self._state = state
            stored = self._entries.get(key)
            if stored is not None:
                self._entries.move_to_end(key)
        if stored is not None:
            await _send_stored(scope, send, stored)
            return
        await self._answer_and_keep(scope, receive, send, state, key)

    async def _answer_and_keep(
        self, scope: Scope, receive: Receive, send: Send, state: Any, key: tuple[str, bytes]
    ) -> None:
        held: Message | None = None  # a 200's start, held until its body shows whether it can be kept
        passing = False

        async def keeping(message: Message) -> None:
            nonlocal held, passing
            if passing:
                await send(message)
            elif message["type"] == "http.response.start":
                if message["status"] == 200:
                    held = message
                else:
                    passing = True
                    await send(message)
            elif message["type"] == "http.response.body" and held is not None:
                body = message.get("body", b"")
                if message.get("more_body", False) or len(body) > LARGEST_KEPT:
                    passing = True  # a streamed download or a huge page: sent as it comes, never kept
                    await send(held)
                    await send(message)
                    return
                kept = [(k, v) for k, v in held.get("headers", []) if k.lower() in KEPT_HEADERS]
                # a small body is compressed at once: handing it to a thread would cost more
                inline = len(body) < COMPRESS_ON_THREAD_FROM
                stored = _stored(kept, body) if inline else await asyncio.to_thread(_stored, kept, body)
                self._keep(state, key, stored)
                await _send_stored(scope, send, stored)  # the first answer has its ETag and gzip too
            else:
                await send(message)

        await self.app(scope, receive, keeping)

    def _keep(self, state: Any, key: tuple[str, bytes], stored: Stored) -> None:
        with self._lock:
            if state != self._state:
                return  # the ledger moved on while this was made
            previous = self._entries.pop(key, None)
            self._bytes -= _cost(key, previous) if previous else 0
            self._entries[key] = stored
            self._bytes += _cost(key, stored)
            while self._bytes > self.budget and self._entries:
                dropped_key, dropped = self._entries.popitem(last=False)
                self._bytes -= _cost(dropped_key, dropped)

    @property
    def size(self) -> int:
        """The bytes kept now, as counted against the budget (keys, bodies, headers, bookkeeping)."""
        return self._bytes

    @property
    def entries(self) -> int:
        """How many answers are kept now."""
        return len(self._entries)


def _cost(key: tuple[str, bytes], stored: Stored) -> int:
    """What keeping ``stored`` under ``key`` costs: the key counts as much as the body (a long query
    string with a short answer is no cheaper to keep than a long answer)."""
    return sys.getsizeof(key[0]) + len(key[1]) + stored.size + ENTRY_OVERHEAD


def _stored(headers: list[tuple[bytes, bytes]], body: bytes) -> Stored:
    zipped = gzip.compress(body, compresslevel=6, mtime=0) if len(body) >= GZIP_FROM else None
    if zipped is not None and len(zipped) >= len(body):
        zipped = None
    etag = b'"' + hashlib.blake2b(body, digest_size=12).hexdigest().encode("ascii") + b'"'
    return Stored(headers, body, zipped, etag)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value)
    return None


def _accepts_gzip(scope: Scope) -> bool:
    accepted = _header(scope, b"accept-encoding")
    if accepted is None:
        return False
    for part in accepted.lower().split(b","):
        coding, _, params = part.strip().partition(b";")
        if coding.strip() in (b"gzip", b"*"):
            return params.replace(b" ", b"") not in (b"q=0", b"q=0.0", b"q=0.00", b"q=0.000")
    return False


async def _send_stored(scope: Scope, send: Send, stored: Stored) -> None:
    headers = [*stored.headers, (b"etag", stored.etag)]
    if stored.zipped is not None:
        headers.append((b"vary", b"accept-encoding"))
    asked = _header(scope, b"if-none-match")
    if asked is not None and stored.etag in [tag.strip() for tag in asked.split(b",")]:
        await send({"type": "http.response.start", "status": 304, "headers": headers})
        await send({"type": "http.response.body", "body": b""})
        return
    body = stored.body
    if stored.zipped is not None and _accepts_gzip(scope):
        body = stored.zipped
        headers.append((b"content-encoding", b"gzip"))
    headers.append((b"content-length", str(len(body)).encode("ascii")))
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": body})
