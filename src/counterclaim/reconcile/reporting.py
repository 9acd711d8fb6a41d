"""The model of reporting: how claims become likelihood terms.

The true toll never falls, but what a claimant reports can: a list purged of double counts, the
missing found alive. So a claim that the claimant's next figures undercut is *revised*: the
later figures supersede it and it leaves the fit (its explanation says ``used`` false).
Claimants that repeat one source (the same figures on the same days under several names) are one
witness: they share one bias, and a figure repeated by another member of the group is
counted once. Bounds ("at least", "up to") are read as the claimant's figure a little beyond
its bound (``bound_gap``): the bound plus a half-normal step, its mean and spread matched by a t
term (a separate censored term would count the same noise twice); a range as its geometric
middle with the range's width added to the noise. Only an at-least (at-most) count by a
claimant whose bounds bind the truth (its own side, a monitor) puts a floor (ceiling) on the
truth itself.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from counterclaim.reconcile.base import SMALLEST, Observation
from counterclaim.reconcile.posterior import LOWER, POINT, UPPER
from counterclaim.reconcile.priors import Priors, RelationPrior

Array = NDArray[np.float64]
UNATTRIBUTED = "(unattributed)"
#: Two claimants' figures are the same report when equal and dated this many days apart or less.
COPY_DAYS = 2
#: The share of the smaller claimant's figures another claimant repeats that makes them one source.
COPY_SHARE = 0.5
#: A claim is revised when the median of its claimant's next few figures (this many, from later
#: days) lies below it by more than this many times the claimant's noise: far more than the
#: scatter of a rising count, as little as the purge of a list (WTC: 6,729 -> 3,899 -> 2,801).
REVISION_WINDOW = 5
REVISION_DROP = 2.0
# A range read as a 90% interval: its log width over 2 x 1.645 is a standard deviation
_RANGE_Z = 2.0 * 1.6449
_HALF_NORMAL_MEAN = math.sqrt(2.0 / math.pi)


@dataclass(frozen=True)
class Reporting:
    """The terms of one series before they are placed on the curve, and what shaped them."""

    obs: NDArray[np.int64]
    day: Array
    kind: NDArray[np.int64]
    target: Array
    sigma: Array
    actor: NDArray[np.int64]
    gain: Array
    hard: NDArray[np.bool_]
    actors: list[tuple[str, str]]
    actor_of: list[int]
    priors: list[RelationPrior]
    used: list[bool]
    revised: list[bool]

    @property
    def sign(self) -> Array:
        """Per actor: -1 bias below zero (figures under the truth), +1 above, 0 free."""
        return np.array([-1.0 if p.floor and not p.ceiling else 1.0 if p.ceiling and not p.floor else 0.0
                         for p in self.priors])  # fmt: skip


def log_count(value: float) -> float:
    """The log of a count, reading anything below :data:`SMALLEST` (a zero) as it."""
    return math.log(max(float(value), SMALLEST))


def copy_groups(obs: Sequence[Observation], days: Array) -> dict[tuple[str, str], tuple[str, str]]:
    """Each claimant (name, relation) -> the claimant whose figures its group repeats (its source).

    Two claimants are one source when one repeats at least ``COPY_SHARE`` of the smaller one's
    figures within ``COPY_DAYS`` days; groups are closed under that. The source of a group is
    its member with the most claims.
    """
    figures: dict[tuple[str, str], dict[int, list[float]]] = {}
    counts: dict[tuple[str, str], int] = {}
    for o, day in zip(obs, days, strict=True):
        key = (o.claimant or UNATTRIBUTED, o.relation)
        counts[key] = counts.get(key, 0) + 1
        central = o.central
        if central is not None:
            figures.setdefault(key, {}).setdefault(round(central), []).append(float(day))
    actors = sorted(counts)
    parent = {a: a for a in actors}

    def root(a: tuple[str, str]) -> tuple[str, str]:
        while parent[a] != a:
            a = parent[a]
        return a

    for i, first in enumerate(actors):
        for second in actors[i + 1 :]:
            if first[0] == second[0]:
                continue
            small, large = sorted((first, second), key=lambda a: (counts[a], a))
            table = {value: sorted(d) for value, d in figures.get(large, {}).items()}
            repeated = 0
            for value, its_days in figures.get(small, {}).items():
                theirs = table.get(value)
                if theirs:
                    repeated += sum(_near(theirs, d) for d in its_days)
            if repeated and repeated >= COPY_SHARE * counts[small]:
                parent[root(small)] = root(large)
    members: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for a in actors:
        members.setdefault(root(a), []).append(a)
    source = {}
    for group in members.values():
        head = max(group, key=lambda a: (counts[a], tuple(-ord(c) for c in a[0])))
        source.update(dict.fromkeys(group, head))
    return source


def _near(sorted_days: list[float], day: float) -> bool:
    i = bisect_left(sorted_days, day - COPY_DAYS)
    return i < len(sorted_days) and sorted_days[i] <= day + COPY_DAYS


def build_reporting(
    obs: Sequence[Observation],
    days: Array,
    priors: Priors,
    *,
    start: float,
    cap: float | None = None,
) -> Reporting:
    """The likelihood terms of the observations (in the canonical order), as the module describes.

    ``start`` is the ordinal day the counting began (the own-side lag runs from it); ``cap`` an
    upper limit on the count on every day (a population), a hard term on the latest day.
    """
    source = copy_groups(obs, days)
    actors = sorted(set(source.values()))
    index = {a: i for i, a in enumerate(actors)}
    measure, role = obs[0].measure, obs[0].role
    actor_priors = [priors.lookup(a[1], measure, role) for a in actors]
    actor_of = [index[source[(o.claimant or UNATTRIBUTED, o.relation)]] for o in obs]
    kinds = [o.kind for o in obs]
    centrals = [o.central for o in obs]
    claim_priors = {r: priors.lookup(r, measure, role) for r in {o.relation for o in obs}}

    used = [True] * len(obs)
    seen: dict[int, dict[int, list[tuple[float, str]]]] = {}
    # the source's own figures first, so a member's repeat of them is the one left out
    order = sorted(range(len(obs)), key=lambda i: ((obs[i].claimant or UNATTRIBUTED, obs[i].relation)
                                                   != actors[actor_of[i]], i))  # fmt: skip
    for i in order:
        central = centrals[i]
        if central is None:
            continue
        name = obs[i].claimant or UNATTRIBUTED
        bucket = seen.setdefault(actor_of[i], {}).setdefault(round(central), [])
        if any(other != name and abs(day - days[i]) <= COPY_DAYS for day, other in bucket):
            used[i] = False
            continue
        bucket.append((float(days[i]), name))

    revised = [False] * len(obs)
    by_actor: dict[int, list[int]] = {}
    for i in range(len(obs)):
        if used[i] and kinds[i] in ("point", "lower", "interval"):
            by_actor.setdefault(actor_of[i], []).append(i)
    for a, members in by_actor.items():
        members.sort(key=lambda i: (days[i], i))
        values = np.array([log_count(centrals[i] or SMALLEST) for i in members])
        member_days = np.array([days[i] for i in members])
        # the claimant's next few figures, from strictly later days, as a window per claim
        after = np.searchsorted(member_days, member_days, side="right")
        ahead = after[:, None] + np.arange(REVISION_WINDOW)
        inside = ahead < len(members)
        if not inside.any():
            continue
        window = np.where(inside, values[np.minimum(ahead, len(members) - 1)], np.nan)
        has = inside.any(axis=1)
        following = np.full(len(members), np.inf)
        following[has] = np.nanmedian(window[has], axis=1)
        # an "about" figure scatters more, and must fall further before it counts as revised
        widen = [priors.about_widen if obs[i].qualifier == "about" else 1.0 for i in members]
        drop = REVISION_DROP * actor_priors[a].noise * np.array(widen)
        for j in np.flatnonzero(following < values - drop):
            revised[members[j]] = True

    rows: list[tuple[int, float, int, float, float, int, float, bool]] = []
    gap = priors.bound_gap
    for i, o in enumerate(obs):
        if not used[i] or revised[i]:
            continue  # a copy another member's figure stands for, or a superseded figure
        a = actor_of[i]
        prior = actor_priors[a]
        noise = prior.noise * (priors.about_widen if o.qualifier == "about" else 1.0)
        gain = prior.lag_persist + (1.0 - prior.lag_persist) * math.exp(-(days[i] - start) / prior.lag_days)
        day = float(days[i])
        lower, upper = o.bounds
        kind = kinds[i]
        if kind == "point" and lower is not None:
            rows.append((i, day, POINT, log_count(lower), noise, a, gain, False))
        elif kind == "interval" and lower is not None and upper is not None:
            width = (log_count(upper) - log_count(lower)) / _RANGE_Z
            middle = 0.5 * (log_count(upper) + log_count(lower))
            rows.append((i, day, POINT, middle, math.hypot(noise, width), a, gain, False))
        elif kind == "lower" and lower is not None:
            spread = math.sqrt(noise**2 + gap**2 * (1.0 - _HALF_NORMAL_MEAN**2))
            rows.append((i, day, POINT, log_count(lower) + gap * _HALF_NORMAL_MEAN, spread, a, gain, False))
        elif kind == "upper" and upper is not None:
            spread = math.sqrt(noise**2 + gap**2 * (1.0 - _HALF_NORMAL_MEAN**2))
            rows.append((i, day, POINT, log_count(upper) - gap * _HALF_NORMAL_MEAN, spread, a, gain, False))
        if claim_priors[o.relation].bounds_bind:
            if kind == "lower" and lower is not None and lower > SMALLEST:
                rows.append((i, day, LOWER, log_count(lower), priors.floor_noise, -1, 0.0, True))
            if kind == "upper" and upper is not None:
                rows.append((i, day, UPPER, log_count(upper), priors.floor_noise, -1, 0.0, True))
    if cap is not None:
        rows.append((len(obs), float(days.max()), UPPER, log_count(cap), priors.floor_noise, -1, 0.0, True))
    columns: list[tuple[object, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in range(8)]
    return Reporting(
        obs=np.array(columns[0], dtype=np.int64),
        day=np.array(columns[1], dtype=np.float64),
        kind=np.array(columns[2], dtype=np.int64),
        target=np.array(columns[3], dtype=np.float64),
        sigma=np.array(columns[4], dtype=np.float64),
        actor=np.array(columns[5], dtype=np.int64),
        gain=np.array(columns[6], dtype=np.float64),
        hard=np.array(columns[7], dtype=bool),
        actors=actors,
        actor_of=actor_of,
        priors=actor_priors,
        used=used,
        revised=revised,
    )


__all__ = ["Reporting", "build_reporting", "copy_groups", "log_count"]
