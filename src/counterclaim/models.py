"""The plain data types: a Claim, exactly the JSON contract of docs/claims.md."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

MEASURES: Final = (
    "killed",
    "wounded",
    "casualties",
    "missing",
    "captured",
    "displaced",
    "refugees",
    "evacuated",
)
QUALIFIERS: Final = (
    "exact",
    "at_least",
    "more_than",
    "at_most",
    "less_than",
    "about",
    "range",
    "vague",
)
ROLES: Final = ("military", "civilian", "unspecified")
SCOPES: Final = ("cumulative", "incident", "unknown")
UNITS: Final = ("people", "households")


def interval(qualifier: str, value: int | None) -> tuple[int | None, int | None]:
    """The low and high a qualifier gives a stated value (docs/claims.md, ``low``/``high``).

    The one rule for every source of claims: the extractor and the table import both use it,
    so one figure read from an article and from a table is the same claim.

    Example:
        >>> interval("at_least", 40), interval("about", 500), interval("exact", 7)
        ((40, None), (None, None), (7, 7))
    """
    if value is None:
        return None, None
    if qualifier in {"at_least", "more_than"}:
        return value, None
    if qualifier in {"at_most", "less_than"}:
        return None, value
    if qualifier in {"about", "vague"}:
        return None, None
    return value, value


def number_offset(evidence: str, number: str | None) -> int | None:
    """Where the number as the source wrote it sits in a claim's evidence, or None."""
    found = evidence.find(number) if number else -1
    return found if found >= 0 else None


#: The order of the keys in a claim's JSON object, as in the gold files.
CLAIM_FIELDS: Final = (
    "doc",
    "measure",
    "qualifier",
    "value",
    "low",
    "high",
    "unit",
    "subject",
    "subject_party",
    "subject_role",
    "claimant",
    "claimant_text",
    "scope",
    "as_of",
    "evidence",
    "start",
    "end",
)


@dataclass(frozen=True, slots=True)
class Claim:
    """One quantitative statement in one document (see docs/claims.md).

    Example:
        >>> Claim(doc="a.txt", measure="killed", qualifier="exact", value=12, low=12, high=12,
        ...       evidence="12 were killed.", start=0, end=2).value
        12
    """

    doc: str | None
    measure: str
    qualifier: str
    value: int | None
    low: int | None
    high: int | None
    evidence: str
    start: int
    end: int
    unit: str = "people"
    subject: str = ""
    subject_party: str | None = None
    subject_role: str = "unspecified"
    claimant: str | None = None
    claimant_text: str | None = None
    scope: str = "unknown"
    as_of: str | None = None
    extras: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    def to_dict(self) -> dict[str, Any]:
        """The claim as a JSON-ready dict, keys in contract order, extra fields last."""
        data = asdict(self)
        extras = data.pop("extras")
        ordered = {key: data[key] for key in CLAIM_FIELDS}
        ordered.update(extras)
        return ordered

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Claim:
        """Build a claim from a gold-file or JSONL object; unknown keys go to ``extras``."""
        known = {key: data.get(key) for key in CLAIM_FIELDS}
        extras = {key: value for key, value in data.items() if key not in CLAIM_FIELDS}
        return cls(
            doc=known["doc"],
            measure=str(known["measure"]),
            qualifier=str(known["qualifier"]),
            value=known["value"],
            low=known["low"],
            high=known["high"],
            evidence=str(known["evidence"] or ""),
            start=int(known["start"] or 0),
            end=int(known["end"] or 0),
            unit=str(known["unit"] or "people"),
            subject=str(known["subject"] or ""),
            subject_party=known["subject_party"],
            subject_role=str(known["subject_role"] or "unspecified"),
            claimant=known["claimant"],
            claimant_text=known["claimant_text"],
            scope=str(known["scope"] or "unknown"),
            as_of=known["as_of"],
            extras=extras,
        )


@dataclass(frozen=True, slots=True)
class Document:
    """One article: its id (the file name), text and what is known about it."""

    id: str
    text: str
    published: date | None = None
    outlet: str | None = None
    title: str | None = None
    url: str | None = None
    path: Path | None = None
    encoding: str = "utf-8"  # what the bytes were decoded from
    kind: str = "article"  # or "table": an imported table of claims (see counterclaim.ingest.tables)
    language: str = "en"  # ISO 639-1, told by the language screen (counterclaim.ingest.language)
