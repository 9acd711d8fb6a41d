"""The back-test's scores: point targets by coverage and interval score, floors one-sided.

Three kinds of target (``Target.kind``):

* ``report``: the figure a counting body reported later (a point target for a prediction of
  that report);
* ``truth``: a later figure of a truths file that is not a floor (a point target for the toll);
* ``floor``: the truth was at least F (a named list, a verified count): one-sided.

A calibrated 90% band covers a point target 90% of the time, and lies wholly under the truth 5%
of the time; so against a floor its top must reach F at least 95% of the time (``floor
consistency``), and a band is scored there by the pinball loss of its top as the 95% quantile,
not by an interval score that would reward a band for being narrow. All on the log scale.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from scipy.stats import binomtest

from counterclaim.reconcile.base import SMALLEST, Estimate, Observation

#: The interval is the 90% band (5th to 95th percentile): alpha of the interval score.
ALPHA = 0.1
#: The coverage a calibrated band has on point targets.
NOMINAL = 1.0 - ALPHA
#: The quantile a band's top stands for: what a floor checks.
UPPER_LEVEL = 1.0 - ALPHA / 2.0
#: The confidence of the binomial interval around a coverage.
CONFIDENCE = 0.95
KINDS = ("report", "truth", "floor")


@dataclass(frozen=True)
class Target:
    """A figure that emerged later: the truth on ``day`` is ``value`` (or at least it, a ``floor``).

    A target with a ``claim`` is a *report*: the figure that claimant reported on ``day``, which
    a method predicts (the model by its posterior predictive of the claimant's report).
    """

    day: date
    value: float
    floor: bool
    source: str
    claim: Observation | None = None

    @property
    def kind(self) -> str:
        """report, truth or floor."""
        return "report" if self.claim is not None else "floor" if self.floor else "truth"


def _log(value: float) -> float:
    return math.log(max(value, SMALLEST))


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
        """The band holds the target (for a floor: its top is not below it)."""
        est, value = self.estimate, self.target.value
        return est.high >= value if self.target.floor else est.low <= value <= est.high

    @property
    def interval_score(self) -> float:
        """The log-scale interval score at :data:`ALPHA` (for a floor, its most favourable truth)."""
        low, high, value = (_log(v) for v in (self.estimate.low, self.estimate.high, self.target.value))
        penalty = 2.0 / ALPHA
        score = (high - low) + penalty * max(0.0, value - high)
        return score if self.target.floor else score + penalty * max(0.0, low - value)

    @property
    def pinball(self) -> float:
        """The pinball (quantile) loss of the band's top as the :data:`UPPER_LEVEL` quantile, log
        scale: (1 − τ)·(log high − log y) above the target, τ·(log y − log high) below it."""
        gap = _log(self.target.value) - _log(self.estimate.high)
        return UPPER_LEVEL * gap if gap > 0 else (UPPER_LEVEL - 1.0) * gap

    @property
    def abs_log_error(self) -> float | None:
        """|log(best / truth)| of a point target; None for a floor."""
        if self.target.floor:
            return None
        return abs(_log(self.estimate.best) - _log(self.target.value))


def _wilson(hits: int, n: int) -> list[float] | None:
    if not n:
        return None
    interval = binomtest(hits, n).proportion_ci(CONFIDENCE, method="wilson")
    return [round(float(interval.low), 4), round(float(interval.high), 4)]


def _mean(values: Sequence[float]) -> float | None:
    return round(statistics.fmean(values), 4) if values else None


def summarize(pairs: Sequence[Pair]) -> dict[str, Any]:
    """The scores of some pairs: point targets (reports, truths) and floors apart.

    ``coverage`` / ``coverage_ci`` / ``interval_score`` / ``median_abs_log_error`` are over the
    point targets (``point_pairs``); ``floor_consistency`` (its Wilson interval) and
    ``floor_pinball`` over the floors (``floor_pairs``). None where there is no such pair.
    ``calibrated``: 0.9 lies in the coverage's Wilson interval; ``floors_consistent``: the floor
    consistency's interval reaches 0.95 (a calibrated band's top misses at most 5% of floors).
    """
    points = [p for p in pairs if not p.target.floor]
    coverage_ci = _wilson(sum(p.covered for p in points), len(points))
    floors = [p for p in pairs if p.target.floor]
    covered = sum(p.covered for p in points)
    held = sum(p.covered for p in floors)
    floor_ci = _wilson(held, len(floors))
    errors = [e for e in (p.abs_log_error for p in points) if e is not None]
    return {
        "pairs": len(pairs),
        "point_pairs": len(points),
        "report_pairs": sum(p.target.kind == "report" for p in points),
        "truth_pairs": sum(p.target.kind == "truth" for p in points),
        "floor_pairs": len(floors),
        "coverage": round(covered / len(points), 4) if points else None,
        "coverage_ci": coverage_ci,
        # the verdicts: 0.9 inside the coverage's interval; the floors' interval reaching 0.95
        "calibrated": None if coverage_ci is None else coverage_ci[0] <= NOMINAL <= coverage_ci[1],
        "floors_consistent": None if floor_ci is None else floor_ci[1] >= UPPER_LEVEL,
        "interval_score": _mean([p.interval_score for p in points]),
        "median_abs_log_error": round(statistics.median(errors), 4) if errors else None,
        "floor_consistency": round(held / len(floors), 4) if floors else None,
        "floor_consistency_ci": floor_ci,
        "floor_pinball": _mean([p.pinball for p in floors]),
    }


@dataclass
class MethodScore:
    """One method's record over every pair."""

    method: str
    pairs: list[Pair] = field(default_factory=list)

    def summary(self, pairs: Sequence[Pair] | None = None) -> dict[str, Any]:
        """The scores of :func:`summarize` over these pairs (all of the method's when None)."""
        return summarize(self.pairs if pairs is None else pairs)

    def to_dict(self, horizons: Sequence[int] = ()) -> dict[str, Any]:
        """The JSON shape of ``backtest --format json``: the summary, then per horizon and per kind."""
        by_horizon = {str(h): self.summary([p for p in self.pairs if p.horizon == h]) for h in horizons}
        by_kind = {kind: self.summary([p for p in self.pairs if p.target.kind == kind]) for kind in KINDS}
        return {**self.summary(), "by_horizon": by_horizon, "by_kind": by_kind}


__all__ = [
    "ALPHA",
    "CONFIDENCE",
    "KINDS",
    "NOMINAL",
    "UPPER_LEVEL",
    "MethodScore",
    "Pair",
    "Target",
    "summarize",
]
