"""The truths protocol: wartime claims against the later, better-documented figure (truths.csv format).

Rows are grouped by ``id`` without its final letter (HT3a..HT3e -> HT3). In a group, rows of
kind ``claim``, ``own`` and ``intel`` with a dated ``as_of`` are the inputs; rows of kind
``est`` or ``named``, or with ``as_of`` = ``final``, are the later figures. Each later figure is
checked against the estimate made, at its date, from the inputs of the same quantity and
subject party published on or before it (for ``final``: every such input, at the last input's
date). A ``named`` figure, or one qualified "at least", is a floor: only ``high >= value`` is
checked. See docs/reconcile.md.
"""

from __future__ import annotations

import csv
import io
import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from counterclaim.errors import ReconcileError
from counterclaim.reconcile.base import Observation, geometric_mean
from counterclaim.reconcile.conflicts import Conflicts, load_conflicts
from counterclaim.reconcile.measures import quantity_to_series
from counterclaim.reconcile.priors import Priors
from counterclaim.reconcile.relations import relation_rules
from counterclaim.reconcile.rules import METHOD_NAMES, make_method

INPUT_KINDS = frozenset({"claim", "own", "intel"})
LATER_KINDS = frozenset({"est", "named"})
FLOOR_QUALIFIERS = frozenset({"at_least", "more_than"})
COLUMNS = (
    "id",
    "quantity",
    "subject_party",
    "claimant",
    "kind",
    "as_of",
    "published",
    "value",
    "low",
    "high",
)


@dataclass(frozen=True, slots=True)
class TruthRow:
    """One row of a truths file, its dates read (``final`` is None with ``final`` True)."""

    id: str
    group: str
    quantity: str
    subject_party: str
    claimant: str
    kind: str
    as_of: date | None
    final: bool
    published: date | None
    value: float | None
    low: float | None
    high: float | None
    qualifier: str


@dataclass(frozen=True)
class Check:
    """One later figure and the inputs its estimate may use."""

    row: TruthRow
    day: date
    truth: float
    floor: bool
    inputs: tuple[Observation, ...]
    origin: date | None
    end: date | None = None


@dataclass
class Score:
    """A method's record over every check."""

    method: str
    coverage: float
    median_abs_log_error: float | None
    checks: int
    details: list[dict[str, object]] = field(default_factory=list)

    def to_dict(self) -> dict[str, object]:
        """The JSON shape of ``evaluate-estimates --json``."""
        return {
            "coverage": round(self.coverage, 4),
            "median_abs_log_error": None
            if self.median_abs_log_error is None
            else round(self.median_abs_log_error, 4),
            "checks": self.checks,
        }


def parse_day(text: str) -> date | None:
    """A truths-file date: YYYY-MM-DD; YYYY-MM is the 15th; a bare year YYYY is 1 July (mid-year).

    A year alone says the figure held some time in that year; mid-year halves the worst error.

    Example:
        >>> parse_day("2021"), parse_day("2020-11"), parse_day("final")
        (datetime.date(2021, 7, 1), datetime.date(2020, 11, 15), None)
    """
    text = text.strip()
    if not text or text.lower() == "final":
        return None
    try:
        if len(text) == 4:
            return date(int(text), 7, 1)
        if len(text) == 7:
            return date(int(text[:4]), int(text[5:]), 15)
        return date.fromisoformat(text)
    except ValueError as error:
        raise ReconcileError(
            f"truths: {text!r} is not a date (YYYY-MM-DD, YYYY-MM, YYYY or final)"
        ) from error


def _number(text: str | None) -> float | None:
    text = (text or "").replace(",", "").strip()
    if not text:
        return None
    try:
        return float(text)
    except ValueError as error:
        raise ReconcileError(f"truths: {text!r} is not a number") from error


def parse_truths(text: str) -> list[TruthRow]:
    """The rows of a truths file (CSV text with at least the columns of truths.csv)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise ReconcileError(f"truths file lacks the column(s) {', '.join(missing)} (see truths.csv)")
    rows = []
    for record in reader:
        row_id = (record["id"] or "").strip()
        if not row_id:
            continue
        as_of = (record["as_of"] or "").strip()
        published = (record["published"] or "").strip()
        rows.append(
            TruthRow(
                id=row_id,
                group=row_id[:-1] if len(row_id) > 1 and row_id[-1].isalpha() else row_id,
                quantity=(record["quantity"] or "").strip(),
                subject_party=(record["subject_party"] or "").strip(),
                claimant=(record["claimant"] or "").strip(),
                kind=(record["kind"] or "").strip(),
                as_of=parse_day(as_of),
                final=as_of.lower() == "final",
                published=parse_day(published) if published.lower() != "final" else None,
                value=_number(record.get("value")),
                low=_number(record.get("low")),
                high=_number(record.get("high")),
                qualifier=(record.get("qualifier") or "").strip(),
            )
        )
    return rows


def _observation(row: TruthRow) -> Observation:
    measure, role = quantity_to_series(row.quantity)
    relation = str(relation_rules()["truths"]["kind"].get(row.kind, "unknown"))
    qualifier = row.qualifier or ("range" if row.value is None and row.low is not None else "exact")
    return Observation(
        claimant=row.claimant, relation=relation, qualifier=qualifier, value=row.value, low=row.low,
        high=row.high, as_of=row.as_of, measure=measure, role=role, key=row.id,
        published=row.published or row.as_of,
    )  # fmt: skip


def build_checks(
    rows: Sequence[TruthRow], *, conflicts: Conflicts | None = None
) -> tuple[list[Check], list[str]]:
    """Every check the rows allow, and a line for each later figure that could not be checked."""
    profiles = conflicts or load_conflicts()
    checks: list[Check] = []
    skipped: list[str] = []
    groups: dict[str, list[TruthRow]] = {}
    for row in rows:
        groups.setdefault(row.group, []).append(row)
    for group in groups.values():
        inputs = [r for r in group if r.kind in INPUT_KINDS and r.as_of is not None and not r.final]
        for later in group:
            if not (later.kind in LATER_KINDS or later.final):
                continue
            same = [r for r in inputs if _about_same(r, later)]
            if later.final:
                used = same
                day = max((r.as_of for r in used if r.as_of), default=None)
            else:
                day = later.as_of
                used = [r for r in same if day is not None and (r.published or r.as_of or date.max) <= day]
            truth = later.value if later.value is not None else _middle(later.low, later.high)
            if not used or day is None or truth is None:
                skipped.append(
                    f"{later.id}: no input of quantity {later.quantity} about "
                    f"{later.subject_party or 'no party'} published by its date"
                )
                continue
            profile = profiles.conflict_of(later.subject_party, day=day)
            checks.append(
                Check(
                    row=later,
                    day=day,
                    truth=truth,
                    floor=later.kind == "named" or later.qualifier in FLOOR_QUALIFIERS,
                    inputs=tuple(_observation(r) for r in used),
                    origin=profile.start if profile else None,
                    end=profile.end if profile else None,
                )
            )
    return checks, skipped


def _about_same(row: TruthRow, later: TruthRow) -> bool:
    """Whether an input is about what a later figure counts: the same quantity and subject party
    (a count of Ukrainian dead never checks an estimate of Russian dead)."""
    return quantity_to_series(row.quantity) == quantity_to_series(later.quantity) and _party(
        row.subject_party
    ) == _party(later.subject_party)


def _party(name: str) -> str:
    return " ".join(name.casefold().split())


def _middle(low: float | None, high: float | None) -> float | None:
    present = [v for v in (low, high) if v is not None]
    return geometric_mean(present) if present else None


def evaluate_checks(
    checks: Sequence[Check],
    *,
    methods: Iterable[str] = METHOD_NAMES,
    priors: Priors | None = None,
    seed: int = 0,
) -> dict[str, Score]:
    """Coverage of low..high and median |log(best / truth)| of each method over the checks."""
    scores: dict[str, Score] = {}
    for name in methods:
        covered, errors, details = 0, [], []
        for check in checks:
            method = make_method(name, priors=priors, seed=seed, origin=check.origin, end=check.end).fit(
                check.inputs
            )
            est = method.estimate(check.day)
            hit = est.high >= check.truth if check.floor else est.low <= check.truth <= est.high
            covered += hit
            error = None if check.floor else abs(math.log(max(est.best, 0.5) / max(check.truth, 0.5)))
            if error is not None:
                errors.append(error)
            details.append(
                {"id": check.row.id, "day": check.day.isoformat(), "truth": check.truth, "floor": check.floor,
                 **est.to_dict(), "covered": hit, "abs_log_error": error}
            )  # fmt: skip
        scores[name] = Score(
            method=name,
            coverage=covered / len(checks) if checks else 0.0,
            median_abs_log_error=statistics.median(errors) if errors else None,
            checks=len(checks),
            details=details,
        )
    return scores
