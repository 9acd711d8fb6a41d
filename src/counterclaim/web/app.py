"""The dashboard and its JSON API: ``create_app(ledger_url)`` builds one app; nothing lives at module level.

Every HTML page is a thin client of a JSON twin under ``/api`` (the same function feeds both);
see docs/dashboard.md for the pages, the API and its stability promise, and the security model.
"""

from __future__ import annotations

import contextlib
import csv
import hmac
import io
import json
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, MutableMapping
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape

from counterclaim.about import __version__
from counterclaim.errors import CounterclaimError, NotFoundError
from counterclaim.models import MEASURES, ROLES
from counterclaim.reconcile import Priors, load_priors
from counterclaim.store import Ledger, WriterThread
from counterclaim.store.queries import LISTING_COLUMNS
from counterclaim.web.cache import ResponseCache
from counterclaim.web.data import RECHECK_SECONDS, Dashboard, in_sentence, marked, segments, to_json

HERE = Path(__file__).parent
#: The largest article body ``POST /api/documents`` takes (bytes of JSON).
DEFAULT_MAX_UPLOAD = 2 * 1024 * 1024
MAX_PAGE = 500
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


def _json(body: bytes | Any, status: int = 200) -> Response:
    return Response(body if isinstance(body, bytes) else to_json(body), status, media_type="application/json")


def claim_filters(
    measure: Annotated[str | None, Query(description=f"One of {', '.join(MEASURES)}")] = None,
    party: Annotated[str | None, Query(description="Subject party, any case")] = None,
    role: Annotated[str | None, Query(description=f"One of {', '.join(ROLES)}")] = None,
    claimant: Annotated[str | None, Query(description="A canonical name or an alias")] = None,
    since: Annotated[date | None, Query(description="As of this day or later (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(description="As of this day or earlier (YYYY-MM-DD)")] = None,
    doc: Annotated[str | None, Query(description="Carried by this document (its name)")] = None,
    series: Annotated[str | None, Query(description="In this series (its id)")] = None,
    include_rejected: Annotated[bool, Query(description="Also claims an analyst rejected")] = False,
    order: Annotated[Literal["id", "-id", "as_of", "-as_of"], Query()] = "id",
) -> dict[str, Any]:
    """The filters every claims listing takes (JSON, CSV, JSONL and the HTML table)."""
    return {
        "measure": measure or None,
        "party": party or None,
        "role": role or None,
        "claimant": claimant or None,
        "since": since,
        "until": until,
        "doc": doc or None,
        "series": series or None,
        "include_rejected": include_rejected,
        "order": order,
    }


Filters = Annotated[dict[str, Any], Depends(claim_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Claims per page, at most {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0)]


def _query(filters: dict[str, Any], **more: Any) -> str:
    """The query string of a listing: its filters (those set) and paging."""
    values = {**filters, **more}
    return urlencode(
        {k: v for k, v in values.items() if v not in (None, False, "") and (k != "order" or v != "id")}
    )


#: Where `counterclaim serve --workers N` passes its settings to each worker process.
SERVE_DB_ENV = "COUNTERCLAIM_SERVE_DB"
SERVE_WRITES_ENV = "COUNTERCLAIM_SERVE_WRITES"
SERVE_RECHECK_ENV = "COUNTERCLAIM_SERVE_RECHECK"


def create_app(
    ledger_url: str,
    *,
    allow_writes: bool = False,
    token: str | None = None,
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD,
    priors: Priors | None = None,
    ledger: Ledger | None = None,
    recheck: float = RECHECK_SECONDS,
) -> FastAPI:
    """The dashboard app on the ledger at ``ledger_url`` (read-only unless ``allow_writes``).

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
    board = Dashboard(opened, priors or load_priors(), recheck=recheck)
    pages = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(["html"], default=True),  # every value escaped unless marked safe
        auto_reload=False,
    )
    pages.globals.update(version=__version__, allow_writes=allow_writes)
    pages.filters["number"] = lambda value: f"{round(value):,}" if isinstance(value, int | float) else ""
    pages.filters["safe_url"] = lambda url: (
        url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        anyio.to_thread.current_default_thread_limiter().total_tokens = THREADS
        yield

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
    # the same GET of the same ledger state is the same bytes: repeats are sent as stored
    app.add_middleware(
        ResponseCache,
        state=board.state,
        stale=board.stale,
        changed=board.changed,
        skip=("/static/", "/api/claims.csv", "/api/claims.jsonl"),
    )
    app.add_middleware(SecurityHeaders)  # outermost: on every response, stored ones too
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    def render(name: str, status: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(pages.get_template(name).render(**context), status)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, error: NotFoundError) -> Response:
        if request.url.path.startswith("/api/"):
            return _json({"error": str(error)}, 404)
        return render("error.html", 404, title="not found", message=str(error))

    @app.exception_handler(CounterclaimError)
    async def bad_request(request: Request, error: CounterclaimError) -> Response:
        if request.url.path.startswith("/api/"):
            return _json({"error": str(error)}, 400)
        return render("error.html", 400, title="bad request", message=str(error))

    # -- JSON API ----------------------------------------------------------------------------
    @app.get("/api/series", tags=["series"], summary="Every series with its current low / best / high")
    def api_series() -> Response:
        return _json(board.series_list())

    @app.get(
        "/api/series/{series_id:path}",
        tags=["series"],
        summary="One series: its estimate, the band over time, its claims as points, its incidents",
    )
    def api_one_series(series_id: str) -> Response:
        return _json(board.series_body(series_id))

    def listing(filters: dict[str, Any], limit: int, offset: int) -> dict[str, Any]:
        rows, total = board.claims(**filters, limit=limit, offset=offset)
        more = offset + len(rows) < total
        return {
            "claims": rows,
            "total": total,
            "limit": limit,
            "offset": offset,
            "next": f"/api/claims?{_query(filters, limit=limit, offset=offset + limit)}" if more else None,
        }

    @app.get("/api/claims", tags=["claims"], summary="Claims, filtered and paged (corrections applied)")
    def api_claims(filters: Filters, limit: Limit = 50, offset: Offset = 0) -> Response:
        return _json(listing(filters, limit, offset))

    def download(filters: dict[str, Any], kind: str) -> StreamingResponse:
        columns = [*LISTING_COLUMNS, "outlet", "published"]

        def lines() -> Iterator[str]:
            if kind == "csv":
                buffer = io.StringIO()
                writer = csv.DictWriter(
                    buffer, fieldnames=columns, extrasaction="ignore", lineterminator="\n"
                )
                writer.writeheader()
                for row in board.all_claims(**filters):
                    writer.writerow(row)
                    if buffer.tell() > 65536:
                        yield buffer.getvalue()
                        buffer.seek(0)
                        buffer.truncate()
                yield buffer.getvalue()
            else:
                for row in board.all_claims(**filters):
                    yield json.dumps({key: row.get(key) for key in columns}, ensure_ascii=False) + "\n"

        media = "text/csv; charset=utf-8" if kind == "csv" else "application/x-ndjson"
        headers = {"content-disposition": f'attachment; filename="claims.{kind}"'}
        return StreamingResponse(lines(), media_type=media, headers=headers)

    @app.get("/api/claims.csv", tags=["claims"], summary="Every claim the filters select, as CSV")
    def api_claims_csv(filters: Filters) -> StreamingResponse:
        return download(filters, "csv")

    @app.get("/api/claims.jsonl", tags=["claims"], summary="Every claim the filters select, as JSON lines")
    def api_claims_jsonl(filters: Filters) -> StreamingResponse:
        return download(filters, "jsonl")

    @app.get(
        "/api/claims/{claim_id}",
        tags=["claims"],
        summary="One claim: its fields as corrected, every report with its sentence, its corrections",
    )
    def api_claim(claim_id: int) -> Response:
        return _json(board.claim(claim_id))

    @app.get(
        "/api/documents",
        tags=["documents"],
        summary="Documents; with q, those with every word of q (full-text search), best first",
    )
    def api_documents(q: str | None = None, limit: Limit = 50, offset: Offset = 0) -> Response:
        rows, total = board.documents(q=q, limit=limit, offset=offset)
        return _json({"documents": rows, "total": total, "limit": limit, "offset": offset})

    @app.get(
        "/api/documents/{document_id}",
        tags=["documents"],
        summary="One document: its text and the span of every claim it carries",
    )
    def api_document(document_id: int) -> Response:
        return _json(board.document(document_id))

    @app.get("/api/actors", tags=["reference"], summary="The actors the ledger knows, with their claims")
    def api_actors() -> Response:
        return _json({"actors": board.actors()})

    @app.get("/api/conflicts", tags=["reference"], summary="The conflict profiles series are grouped by")
    def api_conflicts() -> Response:
        return _json({"conflicts": board.conflicts()})

    if allow_writes:
        _add_write_endpoints(app, board, token or "", max_upload_bytes)

    # -- pages ------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def overview() -> HTMLResponse:
        return render("overview.html", title="series", rows=board.series_rows(), twin="/api/series")

    @app.get("/series/{series_id:path}", response_class=HTMLResponse, include_in_schema=False)
    def series_page(series_id: str, offset: Offset = 0) -> HTMLResponse:
        detail = board.series_detail(series_id)
        filters = claim_filters(series=detail["id"], order="as_of")
        page = listing(filters, 50, offset)
        return render(
            "series.html",
            title=detail["id"],
            s=detail,
            page=page,
            twin=f"/api/series/{detail['id']}",
            claims_twin=f"/api/claims?{_query(filters)}",
            filters=filters,
            query=_query,
            in_sentence=in_sentence,
        )

    @app.get("/claims", response_class=HTMLResponse, include_in_schema=False)
    def claims_page(filters: Filters, offset: Offset = 0) -> HTMLResponse:
        page = listing(filters, 50, offset)
        return render(
            "claims.html",
            title="claims",
            page=page,
            filters=filters,
            query=_query,
            twin=f"/api/claims?{_query(filters)}",
            in_sentence=in_sentence,
            measures=MEASURES,
            roles=ROLES,
        )

    @app.get("/claims/{claim_id}", response_class=HTMLResponse, include_in_schema=False)
    def claim_page(claim_id: int) -> HTMLResponse:
        found = board.claim(claim_id)
        return render(
            "claim.html",
            title=f"claim {claim_id}",
            c=found["claim"],
            found=found,
            twin=f"/api/claims/{claim_id}",
            in_sentence=in_sentence,
        )

    @app.get("/documents/{document_id}", response_class=HTMLResponse, include_in_schema=False)
    def document_page(document_id: int) -> HTMLResponse:
        document = board.document(document_id)
        pieces = segments(document["text"], document["reports"]) if document["kind"] == "article" else []
        return render(
            "document.html",
            title=document["title"] or document["name"],
            d=document,
            pieces=pieces,
            twin=f"/api/documents/{document_id}",
        )

    @app.get("/search", response_class=HTMLResponse, include_in_schema=False)
    def search_page(q: str = "", offset: Offset = 0) -> HTMLResponse:
        rows, total = board.documents(q=q, limit=20, offset=offset) if q.strip() else ([], 0)
        return render(
            "search.html",
            title="search",
            q=q,
            rows=rows,
            total=total,
            offset=offset,
            marked=marked,
            twin=f"/api/documents?{urlencode({'q': q})}",
        )

    return app


def _add_write_endpoints(app: FastAPI, board: Dashboard, token: str, max_upload_bytes: int) -> None:
    """Upload an article and correct a claim: only with --allow-writes, only with the bearer token.

    Every write runs on the server's one writer thread, in arrival order (reads never wait for it);
    processes of ``serve --workers N`` take turns through the ledger's write lock.
    """
    from counterclaim import api
    from counterclaim.extract import default_extractor
    from counterclaim.ingest import pipeline
    from counterclaim.ingest.partitions import extract_partition

    expected = token.encode("utf-8")
    writer = WriterThread()
    app.router.on_shutdown.append(writer.close)

    def authorized(request: Request) -> None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        # constant time: how much of a guess matched must not show in how long the answer took
        if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"), expected):
            raise HTTPException(
                401,
                "a bearer token is needed (Authorization: Bearer ...)",
                headers={"WWW-Authenticate": "Bearer"},
            )

    async def body_of(request: Request) -> dict[str, Any]:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_upload_bytes:
            raise HTTPException(413, f"the body is larger than {max_upload_bytes:,} bytes")
        data = bytearray()
        async for chunk in request.stream():  # counted as it arrives: a missing length is no way round
            data.extend(chunk)
            if len(data) > max_upload_bytes:
                raise HTTPException(413, f"the body is larger than {max_upload_bytes:,} bytes")
        try:
            parsed = json.loads(data)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise HTTPException(400, f"the body is not JSON: {error}") from error
        if not isinstance(parsed, dict):
            raise HTTPException(400, "the body must be a JSON object")
        return parsed

    upload_schema = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["text"],
                        "properties": {
                            key: {"type": "string"}
                            for key in ("name", "text", "title", "url", "outlet", "published")
                        },
                    }
                }
            },
        },
    }

    @app.post(
        "/api/documents",
        tags=["writes"],
        status_code=201,
        dependencies=[Depends(authorized)],
        summary="Store an article and extract its claims (needs --allow-writes and the token)",
        openapi_extra=upload_schema,
    )
    async def upload(request: Request) -> Response:
        from counterclaim.models import Document
        from counterclaim.store.writer import Extracted

        body = await body_of(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip():
            raise HTTPException(400, "text: the article's text is needed")
        fields = {key: body.get(key) for key in ("name", "title", "url", "outlet", "published")}
        if any(value is not None and not isinstance(value, str) for value in fields.values()):
            raise HTTPException(400, "name, title, url, outlet and published are strings")
        try:
            published = date.fromisoformat(fields["published"]) if fields["published"] else None
        except ValueError as error:
            raise HTTPException(400, "published: a date, YYYY-MM-DD") from error
        document = Document(
            id=fields["name"] or "upload",
            text=text,
            published=published,
            outlet=fields["outlet"],
            title=fields["title"],
            url=fields["url"],
        )
        # extracted on the request's thread, written by the server's one writer thread
        extracted = await run_in_threadpool(extract_partition, [document], default_extractor())
        summary = await run_in_threadpool(
            writer.call, lambda: pipeline.store(board.ledger, [extracted], command="serve upload")
        )
        document_id = await run_in_threadpool(board.ledger.document_id, Extracted(document, []).digest)
        return _json(
            {
                "document_id": document_id,
                "new": bool(summary.documents_new),
                "claims_new": summary.claims_new,
                "reports_new": summary.reports_new,
                "links": {"html": f"/documents/{document_id}"},
            },
            201,
        )

    correction_schema = {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["changes", "note"],
                        "properties": {
                            "changes": {
                                "type": "object",
                                "additionalProperties": {"type": ["string", "null"]},
                            },
                            "note": {"type": "string"},
                            "by": {"type": "string"},
                        },
                    }
                }
            },
        },
    }

    @app.post(
        "/api/claims/{claim_id}/corrections",
        tags=["writes"],
        dependencies=[Depends(authorized)],
        summary="Correct a claim (needs --allow-writes and the token); the audit log keeps the note",
        openapi_extra=correction_schema,
    )
    async def correct(claim_id: int, request: Request) -> Response:
        body = await body_of(request)
        changes, note, by = body.get("changes"), body.get("note"), body.get("by") or "dashboard"
        if not isinstance(changes, dict) or not all(
            v is None or isinstance(v, str) for v in changes.values()
        ):
            raise HTTPException(400, "changes: an object of field names to new values (strings or null)")
        if not isinstance(note, str) or not isinstance(by, str):
            raise HTTPException(400, "note (and by) are strings")
        changed = await run_in_threadpool(
            writer.call, lambda: api.correct_claim(board.ledger, claim_id, changes, note=note, by=by)
        )
        return _json(
            {
                "changed": changed,
                "claim": await run_in_threadpool(board.ledger.claim, claim_id, include_rejected=True),
            }
        )


__all__ = ["DEFAULT_MAX_UPLOAD", "create_app"]


def app_from_environment() -> FastAPI:
    """The app of one of several server processes (``counterclaim serve --workers N``).

    The settings come from ``COUNTERCLAIM_SERVE_DB``, ``COUNTERCLAIM_SERVE_WRITES`` (non-empty:
    writes allowed), ``COUNTERCLAIM_SERVE_RECHECK`` and ``COUNTERCLAIM_TOKEN``, which the
    ``serve`` command sets.
    """
    return create_app(
        os.environ[SERVE_DB_ENV],
        allow_writes=bool(os.environ.get(SERVE_WRITES_ENV)),
        token=os.environ.get("COUNTERCLAIM_TOKEN") or None,
        recheck=float(os.environ.get(SERVE_RECHECK_ENV) or RECHECK_SECONDS),
    )
