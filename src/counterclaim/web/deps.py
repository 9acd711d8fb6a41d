"""What the routers take from a request: the app's dashboard and pages, and a listing's query parameters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Path, Query, Request

from counterclaim.models import MEASURES, ROLES
from counterclaim.web.data import Dashboard
from counterclaim.web.render import Pages

MAX_PAGE = 500
#: The largest id or offset a request may give: the ledger's columns are 64-bit integers, and a
#: larger number would reach the database driver (which refuses it) rather than be a 422.
MAX_INTEGER = 2**63 - 1


# async: a plain function would be run on a worker thread, a hop that costs more than the lookup
async def dashboard(request: Request) -> Dashboard:
    """The app's :class:`Dashboard` (``app.state.dashboard``)."""
    board: Dashboard = request.app.state.dashboard
    return board


async def pages(request: Request) -> Pages:
    """The app's templates (``app.state.pages``)."""
    found: Pages = request.app.state.pages
    return found


def claim_filters(
    measure: Annotated[str | None, Query(description=f"One of {', '.join(MEASURES)}")] = None,
    party: Annotated[str | None, Query(description="Subject party, any case")] = None,
    role: Annotated[str | None, Query(description=f"One of {', '.join(ROLES)}")] = None,
    claimant: Annotated[str | None, Query(description="A canonical name or an alias")] = None,
    since: Annotated[date | None, Query(description="As of this day or later (YYYY-MM-DD)")] = None,
    until: Annotated[date | None, Query(description="As of this day or earlier (YYYY-MM-DD)")] = None,
    doc: Annotated[str | None, Query(description="Carried by this document (its name)")] = None,
    series: Annotated[str | None, Query(description="In this series (its id)")] = None,
    language: Annotated[
        str | None,
        Query(max_length=12, description="Reported by a document in this language (en, ru, uk, ar, es, fr)"),
    ] = None,
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
        "language": language or None,
        "include_rejected": include_rejected,
        "order": order,
    }


Board = Annotated[Dashboard, Depends(dashboard)]
Templates = Annotated[Pages, Depends(pages)]
Filters = Annotated[dict[str, Any], Depends(claim_filters)]
Limit = Annotated[int, Query(ge=1, le=MAX_PAGE, description=f"Rows per page, at most {MAX_PAGE}")]
Offset = Annotated[int, Query(ge=0, le=MAX_INTEGER)]
Id = Annotated[int, Path(ge=0, le=MAX_INTEGER)]

__all__ = [
    "MAX_INTEGER",
    "MAX_PAGE",
    "Board",
    "Filters",
    "Id",
    "Limit",
    "Offset",
    "Templates",
    "claim_filters",
]
