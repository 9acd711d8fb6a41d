"""The statistical reconciliation model: a monotone log-toll curve and one bias per claimant.

For a cumulative series, x(t) = log N(t) is piecewise monotone between knots placed on the
claims' days; a claim of actor a says ``log v = x(t) + b_a * g(t) + noise`` (bounds and ranges
are censored observations, floors bind the curve itself). The posterior mode is found with
L-BFGS, the posterior is approximated by a Laplace (Gauss-Newton) Gaussian over the
unconstrained parameters, and fixed-seed draws of that Gaussian are pushed through the monotone
transform, so every drawn curve is non-decreasing and the percentiles are too.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import cho_factor, solve_triangular
from scipy.special import log_ndtr

from counterclaim.errors import ReconcileError
from counterclaim.reconcile.base import SMALLEST, ClaimExplanation, Estimate, Observation, as_day, usable
from counterclaim.reconcile.priors import Priors, load_priors

Array = NDArray[np.float64]
#: The model's name and version as stored beside every estimate (bump the version when its output changes).
MODEL_NAME = "reconciler"
MODEL_VERSION = "1"
_HALF_LOG_2PI = 0.5 * math.log(2.0 * math.pi)
# Growth exponents are kept within these bounds: exp(8) is a toll ~3,000 times faster than the
# proportional baseline, exp(-30) a toll that has stopped; beyond them exp() only risks overflow.
_U_BOUNDS = (-30.0, 8.0)
_POINT, _LOWER, _UPPER = 0, 1, -1


@dataclass(frozen=True, slots=True)
class _Terms:
    """The likelihood terms of a fit, one row per term (a range gives two, a floor one more)."""

    obs: NDArray[np.int64]
    knot: NDArray[np.int64]
    frac: Array
    kind: NDArray[np.int64]
    target: Array
    sigma: Array
    actor: NDArray[np.int64]
    gain: Array


class Reconciler:
    """The default method: low / best / high as the 5th / 50th / 95th percentile of N(t).

    Example:
        >>> from datetime import date
        >>> obs = [Observation(claimant="Russia Ministry of Defence", relation="own", value=1351,
        ...                    as_of=date(2022, 3, 25), role="military"),
        ...        Observation(claimant="Ukraine", relation="adversary", value=19000,
        ...                    as_of=date(2022, 4, 7), role="military")]
        >>> est = Reconciler(seed=0, origin=date(2022, 2, 24)).fit(obs).estimate("2022-04-07")
        >>> 1351 <= est.low < est.best < est.high <= 19000
        True

    Args:
        priors: the bias priors (data/priors.toml when None).
        seed: the seed of the posterior draws; the same input and seed give the same output.
        samples: number of posterior draws.
        max_knots: most knots of the curve; more claim days are thinned to quantiles.
        origin: the day the counting began (the conflict's start); None: see priors [growth].
        end: the day the fighting ended, if it has: the growth baseline stops there (the toll
            is settled; own-side counts still catch up).
    """

    name = "model"

    def __init__(
        self,
        *,
        priors: Priors | None = None,
        seed: int = 0,
        samples: int = 2000,
        max_knots: int = 40,
        origin: date | None = None,
        end: date | None = None,
    ) -> None:
        self.priors = priors
        self.seed = seed
        self.samples = samples
        self.max_knots = max_knots
        self.origin = origin
        self.end = end

    # -- fitting -------------------------------------------------------------------------
    def fit(self, observations: Sequence[Observation]) -> Reconciler:
        """Fit the curve and the claimant biases; returns self."""
        if self.samples < 10 or self.max_knots < 2:
            raise ReconcileError("samples must be at least 10 and max_knots at least 2")
        priors = self.priors or load_priors()
        obs = usable(observations)
        dated = [o.as_of for o in obs if o.as_of is not None]
        # undated claims are read as current: they sit on the latest dated day
        last = max(dated) if dated else (self.origin or date(2000, 1, 1))
        days = np.array([(o.as_of or last).toordinal() for o in obs], dtype=np.float64)
        first = float(days.min())
        start = (
            min(float(self.origin.toordinal()), first) - 1.0
            if self.origin is not None
            else first - max(priors.origin_days, 1.0)
        )
        knots = _knots(days, self.max_knots)
        self.start_ = start
        self.stop_ = max(float(self.end.toordinal()), first) if self.end is not None else math.inf
        clock = self._clock(knots)
        steps = np.log(clock[1:] / clock[:-1])

        actors = sorted({(o.claimant or "(unattributed)", o.relation) for o in obs})
        actor_index = {actor: i for i, actor in enumerate(actors)}
        lookups = {a: priors.lookup(a[1], obs[0].measure, obs[0].role) for a in actors}
        bias_mean = np.array([lookups[a].mean for a in actors])
        bias_sd = np.array([lookups[a].sd for a in actors])

        rows: list[tuple[int, float, int, float, float, int, float]] = []
        floors: list[tuple[float, float]] = []
        ceilings: list[tuple[float, float]] = []
        for i, o in enumerate(obs):
            actor = (o.claimant or "(unattributed)", o.relation)
            prior = lookups[actor]
            noise = prior.noise * (priors.about_widen if o.qualifier == "about" else 1.0)
            gain = prior.lag_persist + (1.0 - prior.lag_persist) * math.exp(
                -(days[i] - start) / prior.lag_days
            )
            a = actor_index[actor]
            lower, upper = o.bounds
            if o.kind == "point" and lower is not None:
                rows.append((i, days[i], _POINT, _log(lower), noise, a, gain))
            else:
                if lower is not None:  # "at least 0" binds nothing, but is no error either
                    rows.append((i, days[i], _LOWER, _log(lower), noise, a, gain))
                if upper is not None:
                    rows.append((i, days[i], _UPPER, _log(upper), noise, a, gain))
            if prior.floor and lower is not None:
                rows.append((i, days[i], _LOWER, _log(lower), priors.floor_noise, -1, 0.0))
                floors.append((days[i], _log(lower)))
            if prior.ceiling and upper is not None:
                rows.append((i, days[i], _UPPER, _log(upper), priors.floor_noise, -1, 0.0))
                ceilings.append((days[i], _log(upper)))
        if not rows:
            raise ReconcileError("no claim gives the series a usable number (only zero lower bounds)")
        term_days = np.array([r[1] for r in rows])
        knot, frac = _locate(clock, self._clock(term_days), knots, term_days)
        terms = _Terms(
            obs=np.array([r[0] for r in rows], dtype=np.int64),
            knot=knot,
            frac=frac,
            kind=np.array([r[2] for r in rows], dtype=np.int64),
            target=np.array([r[3] for r in rows]),
            sigma=np.array([r[4] for r in rows]),
            actor=np.array([r[5] for r in rows], dtype=np.int64),
            gain=np.array([r[6] for r in rows]),
        )
        biased = terms.actor >= 0
        centre = terms.target - np.where(biased, terms.gain * bias_mean[np.maximum(terms.actor, 0)], 0.0)
        level_mean = float(np.median(centre[biased] if biased.any() else centre))
        problem = _Posterior(
            terms=terms,
            steps=steps,
            n_actors=len(actors),
            level=(level_mean, priors.level_sd),
            growth=(priors.growth_mean, priors.growth_sd),
            bias=(bias_mean, bias_sd),
        )
        theta0 = np.concatenate(
            [[level_mean - float(steps.sum()) / 2.0], np.full(len(steps), priors.growth_mean), bias_mean]
        )
        theta, converged = problem.newton(theta0)
        hessian = problem.hessian(theta)
        # The draws come from the Gaussian of every term but the floors and ceilings, cut by them:
        # a Laplace approximation taken at a hard bound would squeeze the interval to nothing.
        factor = _cholesky(problem.hessian(theta, hard=False))
        rng = np.random.default_rng(self.seed)
        draws = (
            theta + solve_triangular(factor.T, rng.standard_normal((len(theta), self.samples)), lower=False).T
        )
        # exp(u) of a Gaussian u has mean exp(u + var/2): summed over dozens of increments, that
        # would lift every drawn curve above the mode. Centring each increment's mean on the
        # mode's keeps the draws' total growth where the data put it.
        inverse = solve_triangular(factor, np.eye(len(theta)), lower=True)
        variance = np.sum(inverse**2, axis=0)
        draws[:, 1 : 1 + len(steps)] -= variance[1 : 1 + len(steps)] / 2.0
        curves = _curve(draws[:, 0], draws[:, 1 : 1 + len(steps)], steps)
        extension = np.exp(rng.normal(priors.growth_mean, priors.growth_sd, self.samples))
        keep = problem.within_bounds(curves, slack=2.0 * priors.floor_noise)
        # too few draws meet every bound (the bounds contradict the rest): clip them all instead
        if keep.sum() < max(10, self.samples // 20):
            keep[:] = True
        self.draws_knots_ = curves[keep]
        self.draws_extension_ = extension[keep]
        self.acceptance_ = float(keep.mean())
        # a floor dated on or before a ceiling and above it: the hard constraints contradict each
        # other, and verified minimums are the stronger evidence, so ceilings stop clipping
        floor_rows = np.array(sorted(floors)).reshape(-1, 2)
        ceiling_rows = np.array(sorted(ceilings)).reshape(-1, 2)
        self.contradiction_ = _contradict(floor_rows, ceiling_rows)
        if self.contradiction_:
            ceiling_rows = ceiling_rows[:0]
        self.floor_days_ = floor_rows[:, 0]
        self.floor_values_ = np.maximum.accumulate(floor_rows[:, 1]) if len(floor_rows) else np.empty(0)
        self.ceiling_days_ = ceiling_rows[:, 0]
        self.ceiling_values_ = (
            np.minimum.accumulate(ceiling_rows[::-1, 1])[::-1] if len(ceiling_rows) else np.empty(0)
        )

        self.theta_ = theta
        self.hessian_ = hessian
        self.knot_days_ = knots
        self.knots_ = [date.fromordinal(int(k)) for k in knots]
        self.steps_ = steps
        self.terms_ = terms
        self.observations_ = obs
        self.actors_ = actors
        self.bias_ = {f"{name} ({relation})": float(theta[1 + len(steps) + i])
                      for i, (name, relation) in enumerate(actors)}  # fmt: skip
        self.converged_ = converged
        self.n_claims_ = len(obs)
        self.last_day_ = date.fromordinal(int(days.max()))
        self._explained: list[ClaimExplanation] | None = None
        return self

    @property
    def claims_(self) -> list[ClaimExplanation]:
        """Each claim's relation, bias-adjusted value and weight on the latest claim's day."""
        explained = self._fitted()._explained
        if explained is None:
            explained = self._explained = self.explain(self.last_day_)
        return explained

    def _clock(self, days: Array) -> Array:
        """Days of fighting since the start: the growth baseline's time, frozen after the end."""
        return np.asarray(np.minimum(days, self.stop_) - self.start_, dtype=np.float64)

    # -- answers -------------------------------------------------------------------------
    def _draws_at(self, day: date) -> Array:
        t = float(day.toordinal())
        knots, curve = self.knot_days_, self.draws_knots_
        weights = _knot_weights(self._clock(knots), float(self._clock(np.array([t]))[0]), knots, t)
        x = curve @ weights
        if t > knots[-1]:
            growth = math.log(float(self._clock(np.array([t]))[0] / self._clock(knots[-1:])[0]))
            x = x + growth * self.draws_extension_
        # hard constraints: N(t) >= every floor dated on or before t, <= every ceiling dated on or after
        k = int(np.searchsorted(self.floor_days_, t, side="right"))
        if k:
            x = np.maximum(x, self.floor_values_[k - 1])
        k = int(np.searchsorted(self.ceiling_days_, t, side="left"))
        if k < len(self.ceiling_days_):
            x = np.minimum(x, self.ceiling_values_[k])
        return np.asarray(x, dtype=np.float64)

    def estimate(self, day: date | str | None = None) -> Estimate:
        """low / best / high of N on ``day`` (the latest claim's day when None)."""
        when = as_day(day) or self._fitted().last_day_
        self._fitted()
        low, best, high = np.exp(np.percentile(self._draws_at(when), [5.0, 50.0, 95.0]))
        return Estimate(float(low), float(best), float(high), when, self.name, self.n_claims_)

    def explain(self, day: date | str | None = None) -> list[ClaimExplanation]:
        """Each claim's relation, bias-adjusted value and pull on ``best`` at ``day``."""
        when = as_day(day) or self._fitted().last_day_
        self._fitted()
        terms, theta, n_steps = self.terms_, self.theta_, len(self.steps_)
        t = float(when.toordinal())
        weights = _knot_weights(
            self._clock(self.knot_days_), float(self._clock(np.array([t]))[0]), self.knot_days_, t
        )
        gradient = np.zeros(len(theta))
        gradient[: 1 + n_steps] = weights @ _dknots(theta[1 : 1 + n_steps], self.steps_)
        direction = np.asarray(np.linalg.solve(self.hessian_, gradient), dtype=np.float64)
        _, _, curvature = _loglik(terms, _eta(terms, theta, self.steps_))
        pull_terms = curvature * _jvp(terms, theta, self.steps_, direction)
        pull = np.bincount(terms.obs, weights=pull_terms, minlength=len(self.observations_))
        total = float(np.abs(pull).sum()) or 1.0
        index = {actor: i for i, actor in enumerate(self.actors_)}
        _, first_term = np.unique(terms.obs, return_index=True)
        out = []
        for i, o in enumerate(self.observations_):
            bias = float(theta[1 + n_steps + index[(o.claimant or "(unattributed)", o.relation)]])
            gain = float(terms.gain[first_term[i]])
            central = o.central
            adjusted = None if central is None else max(central, SMALLEST) * math.exp(-bias * gain)
            value = None if o.value is None else float(o.value)
            out.append(
                ClaimExplanation(o.key, o.claimant, o.relation, o.qualifier, value, o.as_of, adjusted,
                                 abs(float(pull[i])) / total, float(pull[i]), bias * gain, True)
            )  # fmt: skip
        return out

    def _fitted(self) -> Reconciler:
        if not hasattr(self, "theta_"):
            raise ReconcileError("the model is not fitted: call fit(observations) first")
        return self


# -- the posterior ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Posterior:
    terms: _Terms
    steps: Array
    n_actors: int
    level: tuple[float, float]
    growth: tuple[float, float]
    bias: tuple[Array, Array]

    def objective(self, theta: Array) -> tuple[float, Array]:
        """Negative log posterior and its gradient."""
        terms, steps = self.terms, self.steps
        n_steps = len(steps)
        loglik, slope, _ = _loglik(terms, _eta(terms, theta, steps))
        # gradient of sum(loglik) with respect to each knot's value, then to the parameters
        per_knot = np.bincount(terms.knot, weights=(1.0 - terms.frac) * slope, minlength=n_steps + 1)
        per_knot += np.bincount(
            np.minimum(terms.knot + 1, n_steps), weights=terms.frac * slope, minlength=n_steps + 1
        )
        grad = np.empty_like(theta)
        grad[0] = per_knot.sum()
        tail = np.cumsum(per_knot[::-1])[::-1]
        grad[1 : 1 + n_steps] = steps * np.exp(theta[1 : 1 + n_steps]) * tail[1:]
        biased = terms.actor >= 0
        grad[1 + n_steps :] = np.bincount(
            terms.actor[biased], weights=(terms.gain * slope)[biased], minlength=self.n_actors
        )
        value = -float(loglik.sum())
        grad = -grad
        (m0, s0), (mu, su), (mb, sb) = self.level, self.growth, self.bias
        u, b = theta[1 : 1 + n_steps], theta[1 + n_steps :]
        value += 0.5 * ((theta[0] - m0) / s0) ** 2 + 0.5 * float(np.sum(((u - mu) / su) ** 2))
        value += 0.5 * float(np.sum(((b - mb) / sb) ** 2))
        grad[0] += (theta[0] - m0) / s0**2
        grad[1 : 1 + n_steps] += (u - mu) / su**2
        grad[1 + n_steps :] += (b - mb) / sb**2
        return value, grad

    def hessian(self, theta: Array, *, hard: bool = True) -> Array:
        """Gauss-Newton Hessian of the negative log posterior (positive definite by the priors).

        Built in knot space by counting (O(terms) + O(knots^3)); ``hard=False`` leaves out the
        floor and ceiling terms.
        """
        terms, steps = self.terms, self.steps
        k, a_count = len(steps) + 1, self.n_actors
        _, _, curvature = _loglik(terms, _eta(terms, theta, steps))
        biased = terms.actor >= 0
        if not hard:
            curvature = np.where(biased, curvature, 0.0)
        k0, k1, f = terms.knot, np.minimum(terms.knot + 1, k - 1), terms.frac
        w0 = 1.0 - f
        xx = np.zeros(k * k)
        for rows, cols, weight in ((k0, k0, w0 * w0), (k0, k1, w0 * f), (k1, k0, f * w0), (k1, k1, f * f)):
            xx += np.bincount(rows * k + cols, weights=weight * curvature, minlength=k * k)
        actor, gain = terms.actor[biased], terms.gain[biased]
        pulled = gain * curvature[biased]
        xb = np.bincount(k0[biased] * a_count + actor, weights=w0[biased] * pulled, minlength=k * a_count)
        xb += np.bincount(k1[biased] * a_count + actor, weights=f[biased] * pulled, minlength=k * a_count)
        bb = np.bincount(actor, weights=gain * pulled, minlength=a_count)
        dk = _dknots(theta[1:k], steps)
        cross = dk.T @ xb.reshape(k, a_count)
        hess = np.block([[dk.T @ xx.reshape(k, k) @ dk, cross], [cross.T, np.diag(bb)]])
        precision = np.concatenate(
            [
                [1.0 / self.level[1] ** 2],
                np.full(len(steps), 1.0 / self.growth[1] ** 2),
                1.0 / self.bias[1] ** 2,
            ]
        )
        hess[np.diag_indices_from(hess)] += precision
        return np.asarray(hess, dtype=np.float64)

    def newton(self, theta: Array, *, most: int = 100) -> tuple[Array, bool]:
        """The posterior mode by damped Gauss-Newton steps with backtracking; (mode, converged)."""
        n_steps = len(self.steps)
        value, grad = self.objective(theta)
        for _ in range(most):
            # the Gauss-Newton Hessian is positive definite by the priors' precision on its diagonal
            step = np.linalg.solve(self.hessian(theta), grad)
            slope = float(grad @ step)
            alpha = 1.0
            while True:
                candidate = theta - alpha * step
                candidate[1 : 1 + n_steps] = np.clip(candidate[1 : 1 + n_steps], *_U_BOUNDS)
                new_value, new_grad = self.objective(candidate)
                if new_value <= value - 1e-4 * alpha * slope or alpha < 1e-6:
                    break
                alpha *= 0.5
            moved = float(np.max(np.abs(candidate - theta)))
            gain = value - new_value
            if new_value <= value:
                theta, value, grad = candidate, new_value, new_grad
            # 1e-4 on the log scale is a hundredth of a percent of the count: far below any noise
            if moved < 1e-4 or 0.0 <= gain < 1e-8 * (1.0 + abs(value)):
                return theta, True
        return theta, False

    def within_bounds(self, curves: Array, *, slack: float) -> NDArray[np.bool_]:
        """Which drawn curves (knot values, one row each) meet every floor and ceiling term."""
        terms = self.terms
        hard = _binding(terms)
        ok = np.ones(len(curves), dtype=bool)
        if len(hard) == 0:
            return ok
        last = curves.shape[1] - 1
        k0, f = terms.knot[hard], terms.frac[hard]
        x = (1.0 - f) * curves[:, k0] + f * curves[:, np.minimum(k0 + 1, last)]
        sign = terms.kind[hard].astype(np.float64)  # +1 floor (x >= target), -1 ceiling (x <= target)
        return np.asarray(np.all(sign * (x - terms.target[hard]) >= -slack, axis=1))


def _log(value: float) -> float:
    return math.log(max(float(value), SMALLEST))


def _knots(days: Array, most: int) -> Array:
    unique = np.unique(days)
    if len(unique) <= most:
        return unique.astype(np.float64)
    picked = np.unique(np.round(np.quantile(unique, np.linspace(0.0, 1.0, most))))
    return picked.astype(np.float64)


def _locate(clock_knots: Array, clock: Array, knots: Array, days: Array) -> tuple[NDArray[np.int64], Array]:
    """Each day's knot to the left and its fraction of the way to the next, in log clock time."""
    last = len(knots) - 1
    index = np.clip(np.searchsorted(knots, days, side="right") - 1, 0, last).astype(np.int64)
    frac = np.zeros(len(days))
    inside = index < last
    left, right = clock_knots[index[inside]], clock_knots[index[inside] + 1]
    span = np.log(right / left)
    # past the end of the fighting the clock stands still and so does the curve: no fraction
    moving = span > 0
    part = np.zeros(len(span))
    # a day before the first knot sits on it (the curve is flat before the first claim)
    here = np.maximum(clock[inside][moving], left[moving])
    part[moving] = np.log(here / left[moving]) / span[moving]
    frac[inside] = part
    return index, np.clip(frac, 0.0, 1.0)


def _knot_weights(clock_knots: Array, clock: float, knots: Array, t: float) -> Array:
    """The interpolation weights of day t on the knots (the last knot's beyond them)."""
    index, frac = _locate(clock_knots, np.array([clock]), knots, np.array([t]))
    weights = np.zeros(len(knots))
    j, f = int(index[0]), float(frac[0]) if t > knots[0] else 0.0
    weights[j] += 1.0 - f
    if f:
        weights[j + 1] += f
    return weights


def _curve(level: Array, growth: Array, steps: Array) -> Array:
    """Knot values of each drawn curve: the level plus the running sum of the increments."""
    increments = steps * np.exp(np.clip(growth, *_U_BOUNDS))
    zero = np.zeros((len(level), 1))
    return np.asarray(level[:, None] + np.concatenate([zero, np.cumsum(increments, axis=1)], axis=1))


def _dknots(growth: Array, steps: Array) -> Array:
    """d(knot values) / d(level, growth): a (K, K) lower-triangular matrix."""
    k = len(steps) + 1
    out = np.zeros((k, k))
    out[:, 0] = 1.0
    increments = steps * np.exp(growth)
    for j in range(len(steps)):
        out[j + 1 :, 1 + j] = increments[j]
    return out


def _eta(terms: _Terms, theta: Array, steps: Array) -> Array:
    n_steps = len(steps)
    knots = theta[0] + np.concatenate([[0.0], np.cumsum(steps * np.exp(theta[1 : 1 + n_steps]))])
    x = (1.0 - terms.frac) * knots[terms.knot] + terms.frac * knots[np.minimum(terms.knot + 1, n_steps)]
    bias = np.where(terms.actor >= 0, theta[1 + n_steps + np.maximum(terms.actor, 0)], 0.0)
    return np.asarray(x + terms.gain * bias)


def _jvp(terms: _Terms, theta: Array, steps: Array, vector: Array) -> Array:
    """d(eta) / d(theta) times a vector, for every term, without building the Jacobian."""
    n_steps = len(steps)
    along = _dknots(theta[1 : 1 + n_steps], steps) @ vector[: 1 + n_steps]
    x = (1.0 - terms.frac) * along[terms.knot] + terms.frac * along[np.minimum(terms.knot + 1, n_steps)]
    bias = np.where(terms.actor >= 0, vector[1 + n_steps + np.maximum(terms.actor, 0)], 0.0)
    return np.asarray(x + terms.gain * bias)


def _binding(terms: _Terms) -> NDArray[np.int64]:
    """The floor and ceiling terms that can bind a non-decreasing curve.

    A floor below an earlier (or same-day) floor, or a ceiling above a later one, is implied by
    that other bound; checking draws against the few record-setting bounds is enough.
    """
    keep: list[int] = []
    for sign in (_LOWER, _UPPER):
        index = np.flatnonzero((terms.actor < 0) & (terms.kind == sign))
        if not len(index):
            continue
        days = terms.knot[index] + terms.frac[index]
        order = index[np.lexsort((-sign * terms.target[index], sign * days))]
        # floors by day ascending keep new maxima; ceilings by day descending keep new minima
        values = sign * terms.target[order]
        record = values > np.concatenate([[-np.inf], np.maximum.accumulate(values)[:-1]])
        keep.extend(order[record].tolist())
    return np.array(sorted(keep), dtype=np.int64)


def _contradict(floors: Array, ceilings: Array) -> bool:
    """Whether a floor (day, log value) dated on or before a ceiling lies above it."""
    if not len(floors) or not len(ceilings):
        return False
    # the lowest ceiling dated on or after each floor's day
    lowest_after = np.minimum.accumulate(ceilings[::-1, 1])[::-1]
    first = np.searchsorted(ceilings[:, 0], floors[:, 0], side="left")
    has = first < len(ceilings)
    return bool(np.any(floors[has, 1] > lowest_after[first[has]]))


def _loglik(terms: _Terms, eta: Array) -> tuple[Array, Array, Array]:
    """Each term's log-likelihood, its slope and its curvature (-second derivative) in eta."""
    sigma = terms.sigma
    point = terms.kind == _POINT
    sign = np.where(point, 0.0, terms.kind.astype(np.float64))
    z = sign * (eta - terms.target) / sigma
    log_cdf = log_ndtr(z)
    ratio = np.exp(-0.5 * z**2 - _HALF_LOG_2PI - log_cdf)
    resid = (terms.target - eta) / sigma
    loglik = np.where(point, -0.5 * resid**2, log_cdf)
    slope = np.where(point, resid / sigma, sign * ratio / sigma)
    curvature = np.where(point, 1.0 / sigma**2, ratio * (z + ratio) / sigma**2)
    return loglik, slope, np.maximum(curvature, 0.0)


def _cholesky(hessian: Array) -> Array:
    """Lower Cholesky factor of the Hessian, with a little ridge if rounding made it indefinite."""
    ridge = 0.0
    for _ in range(8):
        try:
            factor, _lower = cho_factor(hessian + ridge * np.eye(len(hessian)), lower=True)
            return np.asarray(np.tril(factor), dtype=np.float64)
        except np.linalg.LinAlgError:
            ridge = max(ridge * 10.0, 1e-8)
    raise ReconcileError("the posterior could not be approximated (singular Hessian)")


__all__ = ["Reconciler"]
