"""Upload an article and correct a claim: only with --allow-writes, only with the bearer token.

Every write runs on the server's one writer thread, in arrival order (reads never wait for it);
processes of ``serve --workers N`` take turns through the ledger's write lock.
"""

from __future__ import annotations

import hmac
import json
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response

from counterclaim import api
from counterclaim.errors import InputError, InvalidCharacterError
from counterclaim.extract import default_extractor
from counterclaim.ingest import pipeline
from counterclaim.ingest.partitions import extract_partition
from counterclaim.ingest.text import check_characters
from counterclaim.models import Document
from counterclaim.store import WriterThread
from counterclaim.store.writer import Extracted
from counterclaim.web.deps import Board, Id
from counterclaim.web.responses import json_response


@dataclass(frozen=True)
class WriteSettings:
    """What the write endpoints need, kept in ``app.state.writes`` by ``create_app``."""

    token: bytes
    max_upload_bytes: int
    writer: WriterThread


async def write_settings(request: Request) -> WriteSettings:
    """The app's :class:`WriteSettings` (``app.state.writes``)."""
    settings: WriteSettings = request.app.state.writes
    return settings


Settings = Annotated[WriteSettings, Depends(write_settings)]


def authorized(request: Request) -> None:
    """Refuses (401) a request without ``Authorization: Bearer <the token>``."""
    expected: bytes = request.app.state.writes.token
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    # constant time: how much of a guess matched must not show in how long the answer took
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode("utf-8"), expected):
        raise HTTPException(
            401,
            "a bearer token is needed (Authorization: Bearer ...)",
            headers={"WWW-Authenticate": "Bearer"},
        )


#: How deep a body may nest: the deepest the writes take is 2 (``{"changes": {...}}``).
MAX_DEPTH = 8


async def body_of(request: Request, max_upload_bytes: int, what: str = "request") -> dict[str, Any]:
    """The request's body, a JSON object of at most ``max_upload_bytes`` (else 413, or 400)."""
    declared = request.headers.get("content-length")
    # isascii too: "²".isdigit() is true, and int() refuses it
    if (
        declared is not None
        and declared.isascii()
        and declared.isdigit()
        and int(declared) > max_upload_bytes
    ):
        raise HTTPException(413, f"the body is larger than {max_upload_bytes:,} bytes")
    data = bytearray()
    async for chunk in request.stream():  # counted as it arrives: a missing length is no way round
        data.extend(chunk)
        if len(data) > max_upload_bytes:
            raise HTTPException(413, f"the body is larger than {max_upload_bytes:,} bytes")
    try:
        parsed = json.loads(data)
    except ValueError as error:  # not JSON, not UTF-8, or a number of more digits than int() reads
        raise HTTPException(400, f"the body is not JSON: {error}") from error
    except RecursionError as error:  # the parser's own limit, far deeper than MAX_DEPTH
        raise HTTPException(400, f"the body nests deeper than {MAX_DEPTH} levels") from error
    if not isinstance(parsed, dict):
        raise HTTPException(400, "the body must be a JSON object")
    _check_text(parsed, what)
    return parsed


def _check_text(parsed: Any, what: str) -> None:
    """Refuses (400) a body nested deeper than :data:`MAX_DEPTH`, or holding a lone surrogate or a NUL.

    JSON may write ``"\\ud800"``, which Python reads as a string that cannot be encoded: it would
    fail in the database or in the answer, long after the request was accepted. Walked with a
    stack, not recursion, so no body can exhaust the interpreter's stack here.
    """
    pending: list[tuple[Any, int]] = [(parsed, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, str):
            try:
                value.encode("utf-8")
            except UnicodeEncodeError as error:
                # E114, as an ingest names the same fault (answered 400 {"error": ...})
                raise InvalidCharacterError(
                    what, "the body holds a lone surrogate (\\ud800-\\udfff), which is not text"
                ) from error
            if "\x00" in value:  # no text holds one, and PostgreSQL refuses any text that does
                raise InvalidCharacterError(what, "the body holds a NUL character (\\u0000)")
        elif isinstance(value, dict | list):
            if depth > MAX_DEPTH:
                raise HTTPException(400, f"the body nests deeper than {MAX_DEPTH} levels")
            items = [*value.keys(), *value.values()] if isinstance(value, dict) else value
            pending.extend((item, depth + 1) for item in items)


# the bodies are read by hand (to bound their size as they arrive), so OpenAPI is told their shape
UPLOAD_SCHEMA: dict[str, Any] = {
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
CORRECTION_SCHEMA: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["changes", "note"],
                    "properties": {
                        "changes": {"type": "object", "additionalProperties": {"type": ["string", "null"]}},
                        "note": {"type": "string"},
                        "by": {"type": "string"},
                    },
                }
            }
        },
    },
}

router = APIRouter()


@router.post(
    "/api/documents",
    tags=["writes"],
    status_code=201,
    dependencies=[Depends(authorized)],
    summary="Store an article and extract its claims (needs --allow-writes and the token)",
    openapi_extra=UPLOAD_SCHEMA,
)
async def upload(request: Request, board: Board, settings: Settings) -> Response:
    body = await body_of(request, settings.max_upload_bytes, "upload")
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
    checked = check_characters(document)
    if isinstance(checked, InputError):  # it would abort the writer's transaction; the app answers 400
        raise checked
    # extracted on the request's thread, written by the server's one writer thread
    extracted = await run_in_threadpool(extract_partition, [document], default_extractor())
    summary = await run_in_threadpool(
        settings.writer.call, lambda: pipeline.store(board.ledger, [extracted], command="serve upload")
    )
    document_id = await run_in_threadpool(board.ledger.document_id, Extracted(document, []).digest)
    return json_response(
        {
            "document_id": document_id,
            "new": bool(summary.documents_new),
            "claims_new": summary.claims_new,
            "reports_new": summary.reports_new,
            "links": {"html": f"/documents/{document_id}"},
        },
        201,
    )


@router.post(
    "/api/claims/{claim_id}/corrections",
    tags=["writes"],
    dependencies=[Depends(authorized)],
    summary="Correct a claim (needs --allow-writes and the token); the audit log keeps the note",
    openapi_extra=CORRECTION_SCHEMA,
)
async def correct(claim_id: Id, request: Request, board: Board, settings: Settings) -> Response:
    body = await body_of(request, settings.max_upload_bytes)
    changes, note, by = body.get("changes"), body.get("note"), body.get("by") or "dashboard"
    if not isinstance(changes, dict) or not all(v is None or isinstance(v, str) for v in changes.values()):
        raise HTTPException(400, "changes: an object of field names to new values (strings or null)")
    if not isinstance(note, str) or not isinstance(by, str):
        raise HTTPException(400, "note (and by) are strings")
    changed = await run_in_threadpool(
        settings.writer.call, lambda: api.correct_claim(board.ledger, claim_id, changes, note=note, by=by)
    )
    return json_response(
        {
            "changed": changed,
            "claim": await run_in_threadpool(board.ledger.claim, claim_id, include_rejected=True),
        }
    )


__all__ = ["WriteSettings", "authorized", "router"]
