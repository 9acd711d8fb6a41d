"""The HTML pages: each reads the same :class:`Dashboard` method as its JSON twin and only renders it."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from counterclaim.models import MEASURES, ROLES
from counterclaim.web.data import query_string
from counterclaim.web.deps import Board, Filters, Id, Offset, Templates, claim_filters

#: Rows on one page of the claims table and of the search results.
CLAIMS_PER_PAGE = 50
RESULTS_PER_PAGE = 20

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/")
def overview(board: Board, pages: Templates) -> HTMLResponse:
    return pages.render("overview.html", title="series", rows=board.series_rows(), twin="/api/series")


@router.get("/series/{series_id:path}")
def series_page(series_id: str, board: Board, pages: Templates, offset: Offset = 0) -> HTMLResponse:
    detail = board.series_detail(series_id)
    filters = claim_filters(series=detail["id"], order="as_of")
    return pages.render(
        "series.html",
        title=detail["id"],
        s=detail,
        page=board.claims_listing(filters, limit=CLAIMS_PER_PAGE, offset=offset),
        twin=f"/api/series/{detail['id']}",
        claims_twin=f"/api/claims?{query_string(filters)}",
        revisions=board.revisions(detail["id"])["revisions"],
        revisions_twin=f"/api/revisions/{detail['id']}",
        filters=filters,
    )


@router.get("/claims")
def claims_page(board: Board, pages: Templates, filters: Filters, offset: Offset = 0) -> HTMLResponse:
    return pages.render(
        "claims.html",
        title="claims",
        page=board.claims_listing(filters, limit=CLAIMS_PER_PAGE, offset=offset),
        filters=filters,
        twin=f"/api/claims?{query_string(filters)}",
        measures=MEASURES,
        roles=ROLES,
    )


@router.get("/claims/{claim_id}")
def claim_page(claim_id: Id, board: Board, pages: Templates) -> HTMLResponse:
    found = board.claim(claim_id)
    return pages.render(
        "claim.html", title=f"claim {claim_id}", c=found["claim"], found=found, twin=f"/api/claims/{claim_id}"
    )


@router.get("/documents/{document_id}")
def document_page(document_id: Id, board: Board, pages: Templates) -> HTMLResponse:
    document = board.document(document_id)
    return pages.render(
        "document.html",
        title=document["title"] or document["name"],
        d=document,
        twin=f"/api/documents/{document_id}",
    )


@router.get("/search")
def search_page(board: Board, pages: Templates, q: str = "", offset: Offset = 0) -> HTMLResponse:
    # no words, no search: the page shows the form alone, not every document
    found = (
        board.documents_listing(q=q, limit=RESULTS_PER_PAGE, offset=offset)
        if q.strip()
        else {"documents": [], "total": 0}
    )
    return pages.render(
        "search.html",
        title="search",
        q=q,
        rows=found["documents"],
        total=found["total"],
        offset=offset,
        twin=f"/api/documents?{urlencode({'q': q})}",
    )


__all__ = ["router"]
