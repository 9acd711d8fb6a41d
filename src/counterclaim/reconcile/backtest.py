"""The back-test: estimates made from the claims published by a day, scored against what emerged later.

For each series and each origin day t (every ``every`` days from the series' first published
claim), every method is fitted on the claims published on or before t and asked for the toll on
later days; each answer is scored against a *target*:

* a **dated target** (a later figure of a truths file: an estimate, a named-list floor, ...) on
  day D is scored once per horizon h, from the origin t with t + h <= D < t + h + every, at D;
* a **floor series** (the later verified counts inside the series itself, ``data/backtest.toml``)
  is read at t + h: the latest count dated on or before it and less than ``every`` days before it.

A point target y is covered when low <= y <= high; a floor F (the truth is at least F) when
high >= F. Scores are on the log scale (tolls span six orders of magnitude): the interval score
of Gneiting & Raftery (2007) at alpha = 0.1, and for a floor the score of the most favourable
truth it allows, (log high - log low) + (2 / alpha) * max(0, log F - log high), a lower bound of
the true score. |log(best / y)| is measured on point targets only. See docs/reconcile.md.
"""

from __future__ import annotations

import math
import re
import statistics
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from scipy.stats import binomtest

from counterclaim.errors import BacktestError, ReconcileError
from counterclaim.reconcile.base import SMALLEST, Estimate, Method, Observation
from counterclaim.reconcile.conflicts import UNASSIGNED, Conflicts
from counterclaim.reconcile.measures import quantity_to_series
from counterclaim.reconcile.priors import Priors
from counterclaim.reconcile.rules import METHOD_NAMES, make_method
from counterclaim.reconcile.series import Series, series_id
from counterclaim.reconcile.truths import FLOOR_QUALIFIERS, LATER_KINDS, TruthRow

DEFAULT_BACKTEST = Path(__file__).resolve().parent.parent / "data" / "backtest.toml"
#: The interval is the 90% band (5th to 95th percentile): alpha of the interval score.
ALPHA = 0.1
#: The confidence of the binomial interval around a coverage.
CONFIDENCE = 0.95
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
    """Which claims of a series are floors of its truth (``data/backtest.toml``, ``[floors]``)."""

    measures: frozenset[str]
    qualifiers: frozenset[str]
    relations: frozenset[str]
    claimants: frozenset[str]

    def is_floor(self, observation: Observation) -> bool:
        """Whether a claim is a verified count: the truth was at least its figure on its day."""
        return (
            observation.measure in self.measures
            and observation.qualifier in self.qualifiers
            and observation.kind in ("point", "lower")
            and (observation.relation in self.relations or (observation.claimant or "") in self.claimants)
        )


@lru_cache(maxsize=1)
def load_floor_rules() -> FloorRules:
    """The packaged floor rules."""
    with DEFAULT_BACKTEST.open("rb") as handle:
        table: Mapping[str, Any] = tomllib.load(handle).get("floors", {})
    return FloorRules(*(frozenset(str(v) for v in table.get(key, ())) for key in
                        ("measures", "qualifiers", "relations", "claimants")))  # fmt: skip


@dataclass(frozen=True)
class Target:
    """A figure that emerged later: the truth on ``day`` is ``value`` (or at least it, a ``floor``)."""

    day: date
    value: float
    floor: bool
    source: str


@dataclass(frozen=True)
class Pair:
    """One origin-target pair: what a method said on ``origin`` about ``day``, and the target."""

    series: str
    origin: date
    horizon: int
    target: Target
    estimate: Estimate

    @property
    def covered(self) -> bool:
        """The band holds the truth (for a floor: its top is not below it)."""
        est, value = self.estimate, self.target.value
        return est.high >= value if self.target.floor else est.low <= value <= est.high

    @property
    def interval_score(self) -> float:
        """The log-scale interval score at :data:`ALPHA` (for a floor, its most favourable truth)."""
        low, high, value = (math.log(max(v, SMALLEST)) for v in
                            (self.estimate.low, self.estimate.high, self.target.value))  # fmt: skip
        penalty = 2.0 / ALPHA
        score = (high - low) + penalty * max(0.0, value - high)
        return score if self.target.floor else score + penalty * max(0.0, low - value)

    @property
    def abs_log_error(self) -> float | None:
        """|log(best / truth)| of a point target; None for a floor."""
        if self.target.floor:
            return None
        return abs(math.log(max(self.estimate.best, SMALLEST) / max(self.target.value, SMALLEST)))


@dataclass
class MethodScore:
    """One method's record over every pair."""

    method: str
    pairs: list[Pair] = field(default_factory=list)

    def summary(self, pairs: Sequence[Pair] | None = None) -> dict[str, Any]:
        """pairs, coverage with its Wilson interval, mean interval score, median |log error|."""
        chosen = self.pairs if pairs is None else pairs
        n = len(chosen)
        covered = sum(p.covered for p in chosen)
        errors = [e for e in (p.abs_log_error for p in chosen) if e is not None]
        interval = binomtest(covered, n).proportion_ci(CONFIDENCE, method="wilson") if n else None
        return {
            "pairs": n,
            "floor_pairs": sum(p.target.floor for p in chosen),
            "coverage": round(covered / n, 4) if n else None,
            "coverage_ci": [round(float(interval.low), 4), round(float(interval.high), 4)]
            if interval
            else None,
            "interval_score": round(statistics.fmean(p.interval_score for p in chosen), 4) if n else None,
            "median_abs_log_error": round(statistics.median(errors), 4) if errors else None,
            "point_pairs": len(errors),
        }

    def to_dict(self, horizons: Sequence[int] = ()) -> dict[str, Any]:
        """The JSON shape of ``backtest --format json``: the summary, then one per horizon."""
        by_horizon = {str(h): self.summary([p for p in self.pairs if p.horizon == h]) for h in horizons}
        return {**self.summary(), "by_horizon": by_horizon}


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


def backtest_series(
    series: Series,
    *,
    targets: Sequence[Target] = (),
    floor_rules: FloorRules | None = None,
    every: int = DEFAULT_EVERY,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    methods: Sequence[str] = METHOD_NAMES,
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
        if wanted:
            plan.append((origin, wanted))
    pairs: dict[str, list[Pair]] = {name: [] for name in methods}
    skipped: list[str] = []
    for done, (origin, wanted) in enumerate(plan, 1):
        visible = [o for o in series.observations if o.seen_on is not None and o.seen_on <= origin]
        try:
            fitted = {name: _fit(name, visible, series, priors, end, seed) for name in methods}
        except ReconcileError as error:  # e.g. no claim with a number yet: no method may answer
            skipped.append(f"{series.id} at {origin.isoformat()}: {error}")
            fitted = {}
        for name, method in fitted.items():
            for horizon, target in wanted:
                pairs[name].append(Pair(series.id, origin, horizon, target, method.estimate(target.day)))
        if progress is not None:
            progress(done, len(plan))
    return pairs, skipped


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
    every: int = DEFAULT_EVERY,
    horizons: Sequence[int] = DEFAULT_HORIZONS,
    methods: Sequence[str] = METHOD_NAMES,
    priors: Priors | None = None,
    seed: int = 0,
    progress: Callable[[str, int, int], None] | None = None,
) -> BacktestReport:
    """Back-test every method on the series that have a target (a truths figure or floor counts).

    ``progress(series_id, done, total)`` is called after each origin fitted.
    """
    by_series, skipped = truth_targets(truths, conflicts)
    report = BacktestReport({name: MethodScore(name) for name in methods}, tuple(horizons), every,
                            skipped=skipped)  # fmt: skip
    for item in all_series:
        targets = by_series.get(item.id, [])
        if not item.observations or not (targets or floor_counts(item, floor_rules)):
            continue
        profile = conflicts.get(item.conflict)
        end = profile.end if profile and profile.start == item.start else None

        def tick(done: int, total: int, name: str = item.id) -> None:
            if progress is not None:
                progress(name, done, total)

        pairs, failed = backtest_series(
            item, targets=targets, floor_rules=floor_rules, every=every, horizons=horizons,
            methods=methods, priors=priors, end=end, seed=seed, progress=tick,
        )  # fmt: skip
        report.skipped.extend(failed)
        if any(pairs.values()):
            report.series.append(item.id)
        for name, found in pairs.items():
            report.scores[name].pairs.extend(found)
    unmatched = sorted(set(by_series) - {s.id for s in all_series})
    report.skipped.extend(f"truths about {key}: no such series among those back-tested" for key in unmatched)
    return report
