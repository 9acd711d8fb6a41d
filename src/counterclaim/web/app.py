"""The dashboard and its JSON API: ``create_app(ledger_url)`` builds one app; nothing lives at module level.

Every HTML page is a thin client of a JSON twin under ``/api`` (the same function feeds both);
see docs/dashboard.md for the pages, the API and its stability promise, and the security model.
The routes live in routers: :mod:`.json_routes`, :mod:`.pages` and (with writes) :mod:`.writes`.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from pathlib import Path
from typing import Any

import anyio.to_thread
from fastapi import FastAPI, Request
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles

from counterclaim.about import __version__
from counterclaim.errors import CounterclaimError, NotFoundError
from counterclaim.reconcile import Caps, Priors, load_priors
from counterclaim.settings import Settings
from counterclaim.store import Ledger, WriterThread
from counterclaim.web import json_routes, pages, writes
from counterclaim.web.cache import ResponseCache
from counterclaim.web.data import RECHECK_SECONDS, Dashboard
from counterclaim.web.render import Pages
from counterclaim.web.responses import json_response

STATIC = Path(__file__).parent / "static"
#: The largest article body ``POST /api/documents`` takes (bytes of JSON).
DEFAULT_MAX_UPLOAD = 2 * 1024 * 1024
#: Threads that run requests' synchronous handlers (each with a pooled ledger connection). Few:
#: past two or three, threads only queue for the interpreter lock, and at 50 clients asking for
#: new claim pages 40 threads answered a third fewer requests than 2–4 did.
THREADS = 4
#: Scripts only from this server (Vega compiles its expressions with ``Function``, hence
#: 'unsafe-eval'); no inline script at all, so text that slipped through as markup could not run.
CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class SecurityHeaders:
    """ASGI middleware adding the CSP and friends to every response (plain ASGI: no per-request task)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, with_headers)


class RefuseNul:
    """ASGI middleware: a request whose path or query string holds a NUL character gets a 400.

    No name, date or word holds one, and PostgreSQL refuses any text that does: such a value
    would reach the database and fail there. Asked here once, for every parameter there is or
    will be.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and ("\x00" in scope["path"] or b"%00" in scope.get("query_string", b"")):
            refused = json_response({"error": "the request holds a NUL character (%00)"}, 400)
            await refused(scope, receive, send)
            return
        await self.app(scope, receive, send)


def create_app(
    ledger_url: str,
    *,
    allow_writes: bool = False,
    token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    priors: Priors | None = None,
    ledger: Ledger | None = None,
    recheck: float = RECHECK_SECONDS,
    caps: Caps | None = None,
) -> FastAPI:
    """The dashboard app on the ledger at ``ledger_url`` (read-only unless ``allow_writes``).

    ``priors`` and ``caps`` (population caps, the bundled ``data/caps.toml`` when None) shape
    the series' bands.

    Write endpoints exist only with ``allow_writes``, and then need ``Authorization: Bearer
    <token>``; ``token`` must be given (a server that accepts writes from anyone is refused).
    The ledger is looked at again for changes made elsewhere at most every ``recheck`` seconds
    (writes through this app show at once).

    Raises:
        LedgerError: the ledger cannot be opened (a SQLite file that is not there is an error).
        ValueError: ``allow_writes`` without a token.
    """
    if allow_writes and not token:
        raise ValueError("--allow-writes needs a token: set COUNTERCLAIM_TOKEN (or pass --token)")
    # as many pooled connections as the threads that serve requests: a connection closed and
    # opened again on each request (the pool's overflow) costs more than the query itself
    opened = ledger or Ledger.open(ledger_url, create=False, connections=THREADS)
    board = Dashboard(opened, priors or load_priors(), recheck=recheck, caps=caps)
    templates = Pages(allow_writes=allow_writes)

    @contextlib.asynccontextmanager
    async def lifespan(started: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield
        settings = getattr(started.state, "writes", None)
        if settings is not None:  # the writes queued before the server stopped are finished
            settings.writer.close()

    app = FastAPI(
        lifespan=lifespan,
        title="counterclaim",
        version=__version__,
        description="Casualty claims, their sources and their reconciled estimates. "
        "The /api paths are stable within a major version (see docs/dashboard.md).",
        docs_url=None,  # the interactive docs load scripts from a CDN; the dashboard works offline
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.dashboard = board
    app.state.pages = templates
    # the same GET of the same ledger state is the same bytes: repeats are sent as stored
    app.add_middleware(
        ResponseCache,
        state=board.state,
        stale=board.stale,
        changed=board.changed,
        # alerts and revisions are written by other processes without changing the claims' state
        skip=(
            "/static/",
            "/api/claims.csv",
            "/api/claims.jsonl",
            "/alerts.atom",
            "/api/alerts",
            "/api/revisions/",
        ),
    )
    app.add_middleware(RefuseNul)
    app.add_middleware(SecurityHeaders)  # outermost: on every response, stored ones too
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, error: NotFoundError) -> Response:
        if request.url.path.startswith("/api/"):
            return json_response({"error": str(error)}, 404)
        return templates.render("error.html", 404, title="not found", message=str(error))

    @app.exception_handler(CounterclaimError)
    async def bad_request(request: Request, error: CounterclaimError) -> Response:
        if request.url.path.startswith("/api/"):
            return json_response({"error": str(error)}, 400)
        return templates.render("error.html", 400, title="bad request", message=str(error))

    # in this order: OpenAPI lists the paths as they were added
    app.include_router(json_routes.router)
    if allow_writes:
        app.state.writes = writes.WriteSettings(
            token=(token or "").encode("utf-8"), max_upload_bytes=max_upload_bytes, writer=WriterThread()
        )
        app.include_router(writes.router)
    app.include_router(pages.router)
    return app


def create_app_from_settings(settings: Settings) -> FastAPI:
    """The dashboard app as :class:`~counterclaim.settings.Settings` describe it (db, writes, token,
    recheck, priors, caps)."""
    from counterclaim.api import read_caps, read_priors

    return create_app(
        settings.db,
        allow_writes=settings.allow_writes,
        token=settings.token,
        recheck=settings.recheck,
        priors=read_priors(settings.priors) if settings.priors else None,
        caps=read_caps(settings.caps),
    )


def app_from_environment() -> FastAPI:
    """The app of one of several server processes (``counterclaim serve --workers N``), from the
    settings the ``serve`` command passed down in the environment (:meth:`Settings.to_environment`)."""
    return create_app_from_settings(Settings.from_environment())


__all__ = ["DEFAULT_MAX_UPLOAD", "THREADS", "app_from_environment", "create_app", "create_app_from_settings"]
