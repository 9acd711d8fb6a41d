"""The back-test: estimates made from the claims published by a day, scored against what emerged later.

For each series and each origin day t (every ``every`` days from the series' first published
claim), every method is fitted on the claims published on or before t and asked about later
days; each answer is scored against a *target* (``scoring.py``):

* a **dated target** (a later figure of a truths file: an estimate, a named-list floor, ...) on
  day D is scored once per horizon h, from the origin t with t + h <= D < t + h + every, at D;
* a **floor series** (the later verified counts inside the series itself, ``data/backtest.toml``
  ``[floors]``) is read at t + h: the latest count dated on or before it and less than ``every``
  days before it;
* a **report** (``[reports]``): the figure a counting body reported on a day D with
  t + h - every < D <= t + h and D - t >= ``min_horizon``, published after t. The model predicts
  it by its posterior predictive of that claimant's report (``predictive.py``), a rule by its
  band for the toll on D, and ``recent-trend`` by the claimant's latest figure and past growth.

Point targets (reports, truths) are scored by the coverage of the 90% band, the interval score of
Gneiting & Raftery (2007) at alpha = 0.1 and |log(best / y)|; floors one-sided, by how often the
band's top reaches them (expected >= 95%) and the pinball loss of the top. See docs/reconcile.md.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.errors import BacktestError, ReconcileError
from counterclaim.reconcile.base import SMALLEST, Estimate, Method, Observation
from counterclaim.reconcile.conflicts import UNASSIGNED, Conflicts
from counterclaim.reconcile.measures import quantity_to_series
from counterclaim.reconcile.model import Reconciler
from counterclaim.reconcile.predictive import predict_report, recent_trend, reference_claim
from counterclaim.reconcile.priors import Priors
from counterclaim.reconcile.rules import METHOD_NAMES, make_method
from counterclaim.reconcile.scoring import ALPHA, CONFIDENCE, MethodScore, Pair, Target
from counterclaim.reconcile.series import Series, series_id
from counterclaim.reconcile.truths import FLOOR_QUALIFIERS, LATER_KINDS, TruthRow

DEFAULT_BACKTEST = Path(__file__).resolve().parent.parent / "data" / "backtest.toml"
#: The transparent baseline of the back-test only: a claimant's latest figure grown as it grew.
TREND = "recent-trend"
#: Every method the back-test scores: the model, the rules, the trend baseline.
BACKTEST_METHODS = (*METHOD_NAMES, TREND)
DEFAULT_EVERY = 30
DEFAULT_HORIZONS = (0, 90, 365)
_SPAN = re.compile(r"^\s*(\d+)\s*([dwy]?)\s*$", re.IGNORECASE)
_UNIT_DAYS = {"": 1, "d": 1, "w": 7, "y": 365}


def parse_span(text: str, *, what: str = "--every", least: int = 1) -> int:
    """Days of a span written ``30``, ``30d``, ``4w`` or ``1y``.

    Example:
        >>> parse_span("30d"), parse_span("4w"), parse_span("1y")
        (30, 28, 365)
    """
    found = _SPAN.match(text)
    if not found:
        raise BacktestError(f"{what}: {text!r} is not a span of days; write e.g. 30d, 4w or 1y")
    days = int(found.group(1)) * _UNIT_DAYS[found.group(2).lower()]
    if days < least:
        raise BacktestError(f"{what}: {text!r} is {days} days; it must be at least {least}")
    if days > 36_500:
        raise BacktestError(f"{what}: {text!r} is over a hundred years")
    return days


def parse_horizons(text: str) -> tuple[int, ...]:
    """Horizons in days from a comma-separated list (``0,90,365``; ``90d``, ``1y`` too), sorted, unique.

    Example:
        >>> parse_horizons("365, 0,90d")
        (0, 90, 365)
    """
    parts = [part for part in text.split(",") if part.strip()]
    if not parts:
        raise BacktestError(f"--horizons: {text!r} names no horizon; write e.g. 0,90,365")
    return tuple(sorted({parse_span(part, what="--horizons", least=0) for part in parts}))


@dataclass(frozen=True)
class FloorRules:
    """Which claims of a series are floors of its truth (``data/backtest.toml``, ``[floors]``), or,
    for ``[reports]``, later reports a method is asked to predict."""

    measures: frozenset[str]
    qualifiers: frozenset[str]
    relations: frozenset[str]
    claimants: frozenset[str]
    min_horizon: int = 30

    def is_floor(self, observation: Observation) -> bool:
        """Whether a claim is a verified count: the truth was at least its figure on its day."""
        return observation.kind in ("point", "lower") and self._chosen(observation)

    def is_report(self, observation: Observation) -> bool:
        """Whether a claim is a later report to predict (a figure, or a range at its middle)."""
        return observation.kind in ("point", "interval") and self._chosen(observation)

    def _chosen(self, observation: Observation) -> bool:
        return (
            observation.measure in self.measures
            and observation.qualifier in self.qualifiers
            and (observation.relation in self.relations or (observation.claimant or "") in self.claimants)
        )


def _rules(table: Mapping[str, Any]) -> FloorRules:
    measures, qualifiers, relations, claimants = (
        frozenset(str(v) for v in table.get(key, ()))
        for key in ("measures", "qualifiers", "relations", "claimants")
    )
    return FloorRules(measures, qualifiers, relations, claimants, int(table.get("min_horizon", 30)))


@lru_cache(maxsize=1)
def _packaged() -> Mapping[str, Any]:
    with DEFAULT_BACKTEST.open("rb") as handle:
        return tomllib.load(handle)


def load_floor_rules() -> FloorRules:
    """The packaged floor rules (``[floors]``)."""
    return _rules(_packaged().get("floors", {}))


def load_report_rules() -> FloorRules:
    """The packaged rules of which later reports are targets (``[reports]``)."""
    return _rules(_packaged().get("reports", {}))


@dataclass
class BacktestReport:
    """Every method's score, the series back-tested, and what could not be scored."""

    scores: dict[str, MethodScore]
    horizons: tuple[int, ...]
    every: int
    series: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """One object per method, by name (the model first)."""
        return {name: score.to_dict(self.horizons) for name, score in self.scores.items()}


def truth_targets(
    rows: Iterable[TruthRow], conflicts: Conflicts
) -> tuple[dict[str, list[Target]], list[str]]:
    """The later figures of truths rows (kinds est and named, as_of final), by the series they
    are about: the quantity's measure and role, the subject party, its conflict on that day.

    A ``final`` figure is dated on its conflict's end and skipped where the profile has none.
    """
    found: dict[str, list[Target]] = {}
    skipped: list[str] = []
    for row in rows:
        if not (row.kind in LATER_KINDS or row.final):
            continue
        value = row.value
        if value is None and row.low is not None and row.high is not None:
            value = math.sqrt(max(row.low, SMALLEST) * max(row.high, SMALLEST))
        value = value if value is not None else (row.low if row.low is not None else row.high)
        profile = conflicts.conflict_of(row.subject_party, day=row.as_of)
        day = row.as_of if not row.final else (profile.end if profile else None)
        if value is None or day is None:
            skipped.append(f"{row.id}: no figure or no day (a final figure needs its conflict's end)")
            continue
        measure, role = quantity_to_series(row.quantity)
        key = series_id(profile.slug if profile else UNASSIGNED, measure, row.subject_party, role)
        floor = row.kind == "named" or row.qualifier in FLOOR_QUALIFIERS
        found.setdefault(key, []).append(Target(day, float(value), floor, f"truths {row.id}"))
    return found, skipped


def floor_counts(series: Series, rules: FloorRules | None = None) -> list[tuple[date, float, str]]:
    """The series' own verified counts (``data/backtest.toml``): (day, figure, claim), by day."""
    chosen = rules or load_floor_rules()
    counts = []
    for obs in series.observations:
        lower = obs.bounds[0]
        if obs.as_of is not None and lower is not None and chosen.is_floor(obs):
            counts.append((obs.as_of, float(lower), f"claim {obs.key} ({obs.claimant})"))
    return sorted(counts, key=lambda c: (c[0], c[2]))


def _floor_at(counts: Sequence[tuple[date, float, str]], day: date, every: int) -> Target | None:
    """The latest count on or before ``day`` and less than ``every`` days before it: a count
    bounds every later day, but an old one says little about this one (and would be counted again
    at every origin after it)."""
    recent = [c for c in counts if day - timedelta(days=every) < c[0] <= day]
    if not recent:
        return None
    latest_day = max(c[0] for c in recent)
    # several counts of one day: the largest (a table row and an article of the same report)
    value, source = max((c[1], c[2]) for c in recent if c[0] == latest_day)
    return Target(day, value, True, source)


def origins(series: Series, every: int, last_target: date | None) -> list[date]:
    """Every ``every`` days from the series' first published claim to its last one (or the last
    dated target, if later)."""
    seen = sorted(d for d in (o.seen_on for o in series.observations) if d is not None)
    if not seen:
        return []
    end = max(seen[-1], last_target or seen[-1])
    return [seen[0] + timedelta(days=k * every) for k in range((end - seen[0]).days // every + 1)]


def report_claims(series: Series, rules: FloorRules | None = None) -> list[Observation]:
    """The series' claims that are later reports to predict (``[reports]``), by day."""
    chosen = rules or load_report_rules()
    found = [
        o
        for o in series.observations
        if o.as_of is not None and o.central is not None and chosen.is_report(o)
    ]
    return sorted(found, key=lambda o: (o.as_of or date.min, o.claimant or "", o.central or 0.0, o.key))


def _reports_at(
    claims: Sequence[Observation], origin: date, at: date, every: int, least: int
) -> list[Target]:
    """Per claimant, its latest report dated in (at - every, at], at least ``least`` days after the
    origin and published after it (so no method has seen it)."""
    latest: dict[tuple[str, str], Observation] = {}
    for o in claims:  # by day: a later one replaces an earlier one
        day, seen = o.as_of, o.seen_on
        if day is None or seen is None or not at - timedelta(days=every) < day <= at:
            continue
        if (day - origin).days >= least and seen > origin:
            latest[(o.claimant or "", o.relation)] = o
    return [Target(o.as_of, float(o.central), False, f"report {o.key} ({o.claimant})", claim=o)
            for o in latest.values() if o.as_of is not None and o.central is not None]  # fmt: skip


def backtest_series(
    series: Series,
    *,
    targets: Sequence[Target] = (),
    floor_rules: FloorRules | None = None,
    report_rules: FloorRules | None = None,
    every: int = DEFAULT_EVERY,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    methods: Sequence[str] = BACKTEST_METHODS,
    priors: Priors | None = None,
    end: date | None = None,
    seed: int = 0,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, list[Pair]], list[str]]:
    """Every method's origin-target pairs on one series, and the origins that could not be fitted.

    Each method sees only the claims published on or before the origin (``Observation.seen_on``).
    ``end`` is the conflict's end (the model's clock stops there), ``progress(done, total)`` is
    called after each origin fitted.
    """
    counts = floor_counts(series, floor_rules)
    reporting = report_rules or load_report_rules()
    reports = report_claims(series, reporting)
    dated = sorted(targets, key=lambda t: (t.day, t.source))
    days = origins(series, every, dated[-1].day if dated else None)
    plan: list[tuple[date, list[tuple[int, Target]]]] = []
    for origin in days:
        wanted = []
        for horizon in horizons:
            at = origin + timedelta(days=horizon)
            floor = _floor_at(counts, at, every)
            if floor is not None:
                wanted.append((horizon, floor))
            window = at + timedelta(days=every)
            wanted.extend((horizon, t) for t in dated if at <= t.day < window)
            if horizon >= reporting.min_horizon:
                wanted.extend(
                    (horizon, t) for t in _reports_at(reports, origin, at, every, reporting.min_horizon)
                )
        if wanted:
            plan.append((origin, wanted))
    pairs: dict[str, list[Pair]] = {name: [] for name in methods}
    skipped: list[str] = []
    for done, (origin, wanted) in enumerate(plan, 1):
        visible = [o for o in series.observations if o.seen_on is not None and o.seen_on <= origin]
        fitted: dict[str, Method] = {}
        try:
            fitted = {
                name: _fit(name, visible, series, priors, end, seed) for name in methods if name != TREND
            }
        except ReconcileError as error:  # e.g. no claim with a number yet: no method may answer
            skipped.append(f"{series.id} at {origin.isoformat()}: {error}")
            wanted = []
        for name in methods:
            for horizon, target in wanted:
                answer = _answer(name, fitted, visible, target, priors, seed)
                pairs[name].append(Pair(series.id, origin, horizon, target, answer))
        if progress is not None:
            progress(done, len(plan))
    return pairs, skipped


def _answer(
    name: str, fitted: Mapping[str, Method], visible: Sequence[Observation], target: Target,
    priors: Priors | None, seed: int,
) -> Estimate:  # fmt: skip
    """What one method says about a target: for a report, the model's predictive of it."""
    claim = target.claim
    if name == TREND:
        n = len(visible)
        found = (
            None if claim is None else recent_trend(visible, claim.claimant, claim.relation, target.day, n)
        )
        reference = reference_claim(visible)
        if found is None and reference is not None:
            found = recent_trend(visible, reference.claimant, reference.relation, target.day, n)
        if found is None:  # no dated figure at all: the latest-monitor rule's answer stands in
            return (
                fitted["latest-monitor"].estimate(target.day)
                if "latest-monitor" in fitted
                else _flat(visible, target)
            )
        return found
    method = fitted[name]
    if claim is not None and isinstance(method, Reconciler):
        return predict_report(method, claim, target.day, priors=priors, seed=seed)
    return method.estimate(target.day)


def _flat(visible: Sequence[Observation], target: Target) -> Estimate:
    value = max((o.central for o in visible if o.central is not None), default=SMALLEST)
    return Estimate(value, value, value, target.day, TREND, len(visible))


def _fit(
    name: str, visible: Sequence[Observation], series: Series, priors: Priors | None, end: date | None,
    seed: int,
) -> Method:  # fmt: skip
    return make_method(name, priors=priors, seed=seed, origin=series.start, end=end).fit(visible)


def backtest(
    all_series: Sequence[Series],
    *,
    conflicts: Conflicts,
    truths: Iterable[TruthRow] = (),
    floor_rules: FloorRules | None = None,
    report_rules: FloorRules | None = None,
    every: int = DEFAULT_EVERY,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    methods: Sequence[str] = BACKTEST_METHODS,
    priors: Priors | None = None,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> BacktestReport:
    """Back-test every method on the series that have a target (a truths figure, floor counts or
    later reports).

    ``progress(series_id, done, total)`` is called after each origin fitted.
    """
    by_series, skipped = truth_targets(truths, conflicts)
    report = BacktestReport({name: MethodScore(name) for name in methods}, tuple(horizons), every,
                            skipped=skipped)  # fmt: skip
    for item in all_series:
        targets = by_series.get(item.id, [])
        if not item.observations or not (
            targets or floor_counts(item, floor_rules) or report_claims(item, report_rules)
        ):
            continue
        profile = conflicts.get(item.conflict)
        end = profile.end if profile and profile.start == item.start else None

        def tick(done: int, total: int, name: str = item.id) -> None:
            if progress is not None:
                progress(name, done, total)

        pairs, failed = backtest_series(
            item, targets=targets, floor_rules=floor_rules, report_rules=report_rules, every=every,
            horizons=horizons, methods=methods, priors=priors, end=end, seed=seed, progress=tick,
        )  # fmt: skip
        report.skipped.extend(failed)
        if any(pairs.values()):
            report.series.append(item.id)
        for name, found in pairs.items():
            report.scores[name].pairs.extend(found)
    unmatched = sorted(set(by_series) - {s.id for s in all_series})
    report.skipped.extend(f"truths about {key}: no such series among those back-tested" for key in unmatched)
    return report


__all__ = [
    "ALPHA", "BACKTEST_METHODS", "CONFIDENCE", "DEFAULT_EVERY", "DEFAULT_HORIZONS", "TREND", "BacktestReport",
    "FloorRules", "MethodScore", "Pair", "Target", "backtest", "backtest_series", "floor_counts",
    "load_floor_rules", "load_report_rules", "origins", "parse_horizons", "parse_span", "report_claims",
    "truth_targets",
]  # fmt: skip
