"""The transparent rules analysts use today, with the model's interface so one run compares them all."""

from __future__ import annotations

import statistics
from collections.abc import Callable, Sequence
from datetime import date

from counterclaim.errors import ReconcileError
from counterclaim.reconcile.base import (
    ClaimExplanation,
    Estimate,
    Method,
    Observation,
    as_day,
    geometric_mean,
    usable,
)
from counterclaim.reconcile.model import Reconciler
from counterclaim.reconcile.priors import Priors


class _Rule:
    """Shared plumbing: a rule reads the claims dated on or before the day asked (undated: always)."""

    name = "rule"

    def __init__(self) -> None:
        pass

    def fit(self, observations: Sequence[Observation]) -> _Rule:
        """Keep the usable claims in the canonical order; returns self."""
        self.observations_ = usable(observations)
        self.n_claims_ = len(self.observations_)
        dated = [o.as_of for o in self.observations_ if o.as_of is not None]
        self.last_day_ = max(dated) if dated else date(2000, 1, 1)
        return self

    @property
    def claims_(self) -> list[ClaimExplanation]:
        """Each claim's share of ``best`` on the latest claim's day."""
        return self.explain(self.last_day_)

    def _visible(self, day: date) -> list[Observation]:
        seen = [o for o in self.observations_ if o.as_of is None or o.as_of <= day]
        if seen:
            return seen
        # before the first claim the earliest claims are all there is
        first = min(o.as_of for o in self.observations_ if o.as_of is not None)
        return [o for o in self.observations_ if o.as_of == first]

    def _pick(self, day: date) -> tuple[float, float, float, dict[int, float]]:
        raise NotImplementedError

    def estimate(self, day: date | str | None = None) -> Estimate:
        """low / best / high on ``day`` (the latest claim's day when None)."""
        when = as_day(day) or self.last_day_
        low, best, high, _ = self._pick(when)
        # a geometric mean of equal figures may round a hair outside them
        return Estimate(low, min(max(best, low), high), high, when, self.name, self.n_claims_,
                        days_past_last_claim=max(0, (when - self.last_day_).days))  # fmt: skip

    def explain(self, day: date | str | None = None) -> list[ClaimExplanation]:
        """Each claim's share of ``best`` (the rule's own arithmetic; no bias is modelled)."""
        when = as_day(day) or self.last_day_
        _, _, _, pulls = self._pick(when)
        total = sum(abs(p) for p in pulls.values()) or 1.0
        return [
            ClaimExplanation(o.key, o.claimant, o.relation, o.qualifier,
                             None if o.value is None else float(o.value), o.as_of, o.central,
                             abs(pulls.get(i, 0.0)) / total, pulls.get(i, 0.0), 0.0, i in pulls)
            for i, o in enumerate(self.observations_)
        ]  # fmt: skip

    def _index(self, observation: Observation) -> int:
        return next(i for i, o in enumerate(self.observations_) if o is observation)

    def _latest_per_claimant(self, claims: list[Observation]) -> list[Observation]:
        latest: dict[str, Observation] = {}
        for o in claims:  # canonical order: later dates come later
            latest[o.claimant or "(unattributed)"] = o
        return list(latest.values())


def _value(o: Observation) -> float:
    central = o.central
    if central is None:  # usable() keeps only claims with a number
        raise ReconcileError(f"claim {o.key!r} has no number")
    return central


class LatestMonitor(_Rule):
    """The latest verified minimum (a monitor's figure; else a party's own count; else the latest claim).

    best = low = that figure; high = the largest figure anyone had claimed by then.
    """

    name = "latest-monitor"

    def _pick(self, day: date) -> tuple[float, float, float, dict[int, float]]:
        seen = self._visible(day)
        pool = (
            [o for o in seen if o.relation == "monitor"] or [o for o in seen if o.relation == "own"] or seen
        )
        chosen = max(pool, key=lambda o: (o.as_of or date.min, _value(o)))
        best = _value(chosen)
        return best, best, max(best, *(_value(o) for o in seen)), {self._index(chosen): 1.0}


class MedianOfClaims(_Rule):
    """The median of every claimant's latest figure; low / high the smallest and largest of them."""

    name = "median-of-claims"

    def _pick(self, day: date) -> tuple[float, float, float, dict[int, float]]:
        latest = sorted(self._latest_per_claimant(self._visible(day)), key=_value)
        values = [_value(o) for o in latest]
        middle = len(values) // 2
        chosen = latest[middle - 1 : middle + 1] if len(values) % 2 == 0 else [latest[middle]]
        best = geometric_mean([_value(o) for o in chosen]) if len(chosen) == 2 else statistics.median(values)
        return values[0], best, values[-1], {self._index(o): 1.0 / len(chosen) for o in chosen}


class GeometricMeanOfSides(_Rule):
    """The geometric mean of the latest own-side and the latest adversary figure.

    With only one side speaking, the geometric mean of every claimant's latest figure.
    """

    name = "geometric-mean-of-sides"

    def _pick(self, day: date) -> tuple[float, float, float, dict[int, float]]:
        seen = self._visible(day)
        sides = [[o for o in seen if o.relation == r] for r in ("own", "adversary")]
        if all(sides):
            chosen = [max(side, key=lambda o: (o.as_of or date.min, _value(o))) for side in sides]
        else:
            chosen = self._latest_per_claimant(seen)
        values = [_value(o) for o in chosen]
        return (
            min(values),
            geometric_mean(values),
            max(values),
            {self._index(o): 1 / len(chosen) for o in chosen},
        )


class Bounds(_Rule):
    """Largest credible lower bound ... smallest credible upper bound; best their geometric mean.

    Credible lower bounds: monitors' and a party's own figures, and "at least" figures of
    independent sources. Credible upper bounds: a party's figures for its enemy, and "at most"
    figures of anyone. Missing a side, the smallest or largest claim stands in.
    """

    name = "bounds"

    def _pick(self, day: date) -> tuple[float, float, float, dict[int, float]]:
        seen = self._visible(day)
        lows = [o for o in seen if o.relation in ("monitor", "own")
                or (o.relation == "independent" and o.kind == "lower")]  # fmt: skip
        highs = [o for o in seen if o.relation == "adversary" or o.kind == "upper"]
        low_claim = max(lows or seen, key=_value) if lows else min(seen, key=_value)
        low = _value(low_claim)
        above = [o for o in highs if _value(o) >= low]
        high_claim = min(above, key=_value) if above else max(seen, key=_value)
        high = max(_value(high_claim), low)
        pulls = {self._index(low_claim): 0.5}
        pulls[self._index(high_claim)] = pulls.get(self._index(high_claim), 0.0) + 0.5
        return low, geometric_mean([low, high]), high, pulls


RULES: dict[str, type[_Rule]] = {
    rule.name: rule for rule in (LatestMonitor, MedianOfClaims, GeometricMeanOfSides, Bounds)
}
#: Every method by the name the CLI and the evaluation use; the model first.
METHOD_NAMES = ("model", *RULES)


def make_method(
    name: str,
    *,
    priors: Priors | None = None,
    seed: int = 0,
    origin: date | None = None,
    end: date | None = None,
    samples: int = 2000,
    cap: float | None = None,
) -> Method:
    """A fresh, unfitted method by name.

    Example:
        >>> make_method("median-of-claims").name
        'median-of-claims'
    """
    if name == "model":
        return Reconciler(priors=priors, seed=seed, origin=origin, end=end, samples=samples, cap=cap)
    factory: Callable[[], _Rule] | None = RULES.get(name)
    if factory is None:
        raise ReconcileError(f"unknown method {name!r}; use one of {', '.join(METHOD_NAMES)}")
    return factory()
