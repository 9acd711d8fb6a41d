"""The JSON API's reads (``GET /api/...``): each answers from one :class:`Dashboard` method."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from counterclaim.formats import csv_text
from counterclaim.store.queries import LISTING_COLUMNS
from counterclaim.web.data import Dashboard
from counterclaim.web.deps import Board, Filters, Id, Limit, Offset
from counterclaim.web.responses import json_response

router = APIRouter()


@router.get("/api/series", tags=["series"], summary="Every series with its current low / best / high")
def api_series(board: Board) -> Response:
    return json_response(board.series_list())


@router.get(
    "/api/series/{series_id:path}",
    tags=["series"],
    summary="One series: its estimate, the band over time, its claims as points, its incidents",
)
def api_one_series(series_id: str, board: Board) -> Response:
    return json_response(board.series_body(series_id))


@router.get(
    "/api/revisions/{series_id:path}",
    tags=["series"],
    summary="A series' stored estimates, oldest first, with the claims that arrived between them",
)
def api_revisions(series_id: str, board: Board) -> Response:
    return json_response(board.revisions(series_id))


@router.get("/api/alerts", tags=["alerts"], summary="The latest alerts, newest first")
def api_alerts(board: Board, limit: Limit = 50) -> Response:
    return json_response({"alerts": board.alerts(limit=limit)})


@router.get("/alerts.atom", include_in_schema=False)  # a feed, not JSON: beside the pages
def alerts_atom(request: Request, board: Board) -> Response:
    return Response(
        board.alerts_feed(str(request.base_url)), media_type="application/atom+xml; charset=utf-8"
    )


@router.get("/api/claims", tags=["claims"], summary="Claims, filtered and paged (corrections applied)")
def api_claims(board: Board, filters: Filters, limit: Limit = 50, offset: Offset = 0) -> Response:
    return json_response(board.claims_listing(filters, limit=limit, offset=offset))


def _download(board: Dashboard, filters: dict[str, Any], kind: str) -> StreamingResponse:
    columns = [*LISTING_COLUMNS, "outlet", "published"]
    # asked for before the answer starts: an unknown series is a 404, not a stream cut short
    rows = board.all_claims(**filters)
    if kind == "csv":
        body: Iterator[str] = csv_text(rows, columns)
    else:
        body = (json.dumps({key: row.get(key) for key in columns}, ensure_ascii=False) + "\n" for row in rows)
    media = "text/csv; charset=utf-8" if kind == "csv" else "application/x-ndjson"
    headers = {"content-disposition": f'attachment; filename="claims.{kind}"'}
    return StreamingResponse(body, media_type=media, headers=headers)


@router.get("/api/claims.csv", tags=["claims"], summary="Every claim the filters select, as CSV")
def api_claims_csv(board: Board, filters: Filters) -> StreamingResponse:
    return _download(board, filters, "csv")


@router.get("/api/claims.jsonl", tags=["claims"], summary="Every claim the filters select, as JSON lines")
def api_claims_jsonl(board: Board, filters: Filters) -> StreamingResponse:
    return _download(board, filters, "jsonl")


@router.get(
    "/api/claims/{claim_id}",
    tags=["claims"],
    summary="One claim: its fields as corrected, every report with its sentence, its corrections",
)
def api_claim(claim_id: Id, board: Board) -> Response:
    return json_response(board.claim(claim_id))


@router.get(
    "/api/documents",
    tags=["documents"],
    summary="Documents; with q, those with every word of q (full-text search), best first",
)
def api_documents(board: Board, q: str | None = None, limit: Limit = 50, offset: Offset = 0) -> Response:
    return json_response(board.documents_listing(q=q, limit=limit, offset=offset))


@router.get(
    "/api/documents/{document_id}",
    tags=["documents"],
    summary="One document: its text and the span of every claim it carries",
)
def api_document(document_id: Id, board: Board) -> Response:
    return json_response(board.document(document_id))


@router.get("/api/actors", tags=["reference"], summary="The actors the ledger knows, with their claims")
def api_actors(board: Board) -> Response:
    return json_response({"actors": board.actors()})


@router.get("/api/conflicts", tags=["reference"], summary="The conflict profiles series are grouped by")
def api_conflicts(board: Board) -> Response:
    return json_response({"conflicts": board.conflicts()})


__all__ = ["router"]
