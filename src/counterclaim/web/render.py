"""The pages' Jinja environment and filters, and the cutting of texts into highlighted pieces."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from counterclaim.about import __version__
from counterclaim.web.data import query_string

TEMPLATES = Path(__file__).parent / "templates"


class Pages:
    """The templates of one app, rendered with every value escaped unless marked safe."""

    def __init__(self, *, allow_writes: bool) -> None:
        self.environment = Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=select_autoescape(["html"], default=True),  # every value escaped unless marked safe
            auto_reload=False,
        )
        self.environment.globals.update(
            version=__version__,
            allow_writes=allow_writes,
            query=query_string,
            in_sentence=in_sentence,
            marked=marked,
            segments=segments,
        )
        self.environment.filters["number"] = _number
        self.environment.filters["safe_url"] = _safe_url

    def render(self, name: str, status: int = 200, **context: Any) -> HTMLResponse:
        """The template ``name`` rendered with ``context`` as an HTML response."""
        return HTMLResponse(self.environment.get_template(name).render(**context), status)


def _number(value: Any) -> str:
    return f"{round(value):,}" if isinstance(value, int | float) else ""


def _safe_url(url: Any) -> str | None:
    # a link only to the web: a javascript: or data: URL from an article must not become clickable
    return url if isinstance(url, str) and url.lower().startswith(("http://", "https://")) else None


def segments(text: str, spans: Sequence[Mapping[str, int]]) -> list[tuple[str, int | None]]:
    """A text cut into (piece, claim id or None) around the claims' spans; overlapping spans are dropped.

    Pages render each piece escaped, the claimed ones inside a link: the text itself never
    becomes markup.
    """
    pieces: list[tuple[str, int | None]] = []
    at = 0
    for span in sorted(spans, key=lambda s: (s["start"], s["end"])):
        start, end = span["start"], span["end"]
        if start < at or end <= start or end > len(text):
            continue  # overlaps the previous claim, or is not a span of this text
        if start > at:
            pieces.append((text[at:start], None))
        pieces.append((text[start:end], span["claim_id"]))
        at = end
    if at < len(text):
        pieces.append((text[at:], None))
    return pieces


def marked(text: str | None) -> list[tuple[str, bool]]:
    """A search snippet cut at its U+0002 / U+0003 marks into (piece, matched)."""
    pieces: list[tuple[str, bool]] = []
    for i, part in enumerate((text or "").split("\x02")):
        if i == 0:
            pieces.append((part, False))
            continue
        hit, _, rest = part.partition("\x03")
        pieces.extend([(hit, True), (rest, False)])
    return [(piece, hit) for piece, hit in pieces if piece]


def in_sentence(evidence: str, offset: int | None, number: str | None) -> list[tuple[str, bool]]:
    """The evidence sentence cut around its number: (piece, is the number)."""
    if offset is None or not number or evidence[offset : offset + len(number)] != number:
        return [(evidence, False)]
    end = offset + len(number)
    return [
        (piece, hit)
        for piece, hit in ((evidence[:offset], False), (number, True), (evidence[end:], False))
        if piece
    ]


__all__ = ["Pages", "in_sentence", "marked", "segments"]
