"""What every reconciliation method takes and gives: observations in, estimates and explanations out."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from counterclaim.errors import ReconcileError

LOWER_QUALIFIERS = frozenset({"at_least", "more_than"})
UPPER_QUALIFIERS = frozenset({"at_most", "less_than", "up_to"})
INTERVAL_QUALIFIERS = frozenset({"range", "vague"})
#: The smallest count the log scale sees: a claim of 0 dead is read as 0.5, so it never gives -inf.
SMALLEST = 0.5


@dataclass(frozen=True, slots=True)
class Observation:
    """One claim as reconciliation sees it: a number (or bounds), who said it, about when.

    Example:
        >>> Observation(claimant="Ukraine", relation="adversary", qualifier="exact", value=19000,
        ...             as_of=date(2022, 4, 7)).kind
        'point'
    """

    claimant: str | None
    relation: str
    qualifier: str = "exact"
    value: float | None = None
    low: float | None = None
    high: float | None = None
    as_of: date | None = None
    measure: str = "killed"
    role: str = "unspecified"
    key: str = ""
    #: The day the claim was published (its document's date; a table row's own date), when known:
    #: what a back-test may see at an origin. None reads as ``as_of``.
    published: date | None = None

    @property
    def seen_on(self) -> date | None:
        """The day the claim became public: ``published``, else ``as_of``."""
        return self.published or self.as_of

    @property
    def kind(self) -> str:
        """point, lower (N >= low), upper (N <= high), interval, or none (no usable number)."""
        value, low, high = self.value, self.low, self.high
        if self.qualifier in LOWER_QUALIFIERS:
            return "lower" if (low if low is not None else value) is not None else "none"
        if self.qualifier in UPPER_QUALIFIERS:
            return "upper" if (high if high is not None else value) is not None else "none"
        if low is not None and high is not None and (self.qualifier in INTERVAL_QUALIFIERS or value is None):
            return "interval" if high > low else "point"
        if value is not None:
            return "point"
        if low is not None:
            return "lower"
        if high is not None:
            return "upper"
        return "none"

    @property
    def bounds(self) -> tuple[float | None, float | None]:
        """(lower, upper) the claim puts on the figure it names; None where it puts none."""
        kind = self.kind
        if kind == "lower":
            return (self.low if self.low is not None else self.value), None
        if kind == "upper":
            return None, (self.high if self.high is not None else self.value)
        if kind == "interval":
            return self.low, self.high
        if kind == "point":
            central = self.central
            return central, central
        return None, None

    @property
    def central(self) -> float | None:
        """The one number a transparent rule reads off the claim (a range's geometric middle)."""
        kind = self.kind
        if kind == "point":
            if self.value is not None:
                return float(self.value)
            if self.low is not None and self.high is not None:
                return geometric_mean([self.low, self.high])
        if kind == "interval" and self.low is not None and self.high is not None:
            return geometric_mean([self.low, self.high])
        if kind == "lower":
            return self.bounds[0]
        if kind == "upper":
            return self.bounds[1]
        return None


@dataclass(frozen=True, slots=True)
class Estimate:
    """low / best / high of a cumulative count on one day (5th / 50th / 95th percentile for the model).

    ``days_past_last_claim`` is how far ``as_of`` lies beyond the series' latest claim (0 on or
    before it): an extrapolation, whose band widens with it. ``pareto_k`` is the model's Pareto
    k̂ (None for the rules); ``warning`` says when the band should not be trusted (k̂ > 0.7).
    """

    low: float
    best: float
    high: float
    as_of: date
    method: str
    n_claims: int
    days_past_last_claim: int = 0
    pareto_k: float | None = None
    warning: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready: rounded counts, ISO date."""
        return {
            "low": round(self.low),
            "best": round(self.best),
            "high": round(self.high),
            "as_of": self.as_of.isoformat(),
            "method": self.method,
            "n_claims": self.n_claims,
            "days_past_last_claim": self.days_past_last_claim,
            "pareto_k": self.pareto_k,
            "warning": self.warning,
        }


@dataclass(frozen=True, slots=True)
class ClaimExplanation:
    """One claim's part in an estimate.

    ``adjusted`` is the claim with its claimant's estimated bias removed (what it says about the
    true count); ``weight`` is its share of the pull of all claims on ``best``; ``pull`` the
    elasticity itself (best moves by ``pull`` percent if the claim were one percent higher).
    """

    key: str
    claimant: str | None
    relation: str
    qualifier: str
    value: float | None
    as_of: date | None
    adjusted: float | None
    weight: float
    pull: float
    bias: float
    used: bool

    def to_dict(self) -> dict[str, object]:
        """JSON-ready."""
        return {
            "id": self.key,
            "claimant": self.claimant,
            "relation": self.relation,
            "qualifier": self.qualifier,
            "value": self.value,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "adjusted": None if self.adjusted is None else round(self.adjusted),
            "bias": round(self.bias, 4),
            "weight": round(self.weight, 4),
            "pull": round(self.pull, 4),
            "used": self.used,
        }


class Method(Protocol):
    """The interface every method shares: settings in ``__init__``, ``fit`` returns self."""

    name: str

    @property
    def claims_(self) -> list[ClaimExplanation]: ...

    def fit(self, observations: Sequence[Observation]) -> Method: ...

    def estimate(self, day: date | str | None = None) -> Estimate: ...

    def explain(self, day: date | str | None = None) -> list[ClaimExplanation]: ...


def as_day(day: date | str | None) -> date | None:
    """A date from an ISO string or a date; None stays None."""
    if day is None or isinstance(day, date):
        return day
    try:
        return date.fromisoformat(day)
    except ValueError as error:
        raise ReconcileError(f"{day!r} is not a date; use YYYY-MM-DD") from error


def geometric_mean(values: Sequence[float]) -> float:
    """The geometric mean of counts, reading a zero as :data:`SMALLEST`."""
    if not values:
        raise ReconcileError("no values to average")
    return math.exp(sum(math.log(max(float(v), SMALLEST)) for v in values) / len(values))


def sort_key(observation: Observation) -> tuple[object, ...]:
    """A total order on observations, so that no method depends on the order it is given them."""
    return (
        observation.as_of or date.max,
        observation.claimant or "",
        observation.relation,
        observation.qualifier,
        -1.0 if observation.value is None else float(observation.value),
        -1.0 if observation.low is None else float(observation.low),
        -1.0 if observation.high is None else float(observation.high),
        observation.measure,
        observation.role,
        observation.key,
    )


def usable(observations: Sequence[Observation]) -> list[Observation]:
    """The observations that carry a number, in the canonical order; raises if there are none."""
    kept = sorted((o for o in observations if o.kind != "none"), key=sort_key)
    if not kept:
        raise ReconcileError("no claim with a number to reconcile; a series needs at least one")
    return kept
