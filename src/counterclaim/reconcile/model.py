"""The statistical reconciliation model: a monotone log-toll curve, claimant biases, an exact posterior.

For a cumulative series, x(t) = log N(t) is piecewise monotone between knots placed on the
claims' days; a claim of actor a says ``log v = x(t) + b_a * g(t) + noise`` with Student-t noise
(``reporting.py`` turns claims into terms, ``posterior.py`` holds the log posterior). The mode is
found by damped Gauss-Newton steps; draws from a multivariate t proposal around it are reweighted
by the exact log posterior with Pareto-smoothed importance sampling (``psis.py``), whose k̂ says
whether they can be trusted. Every drawn curve is non-decreasing, and the weights are the same
on every day, so the weighted percentiles never fall either.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date

import numpy as np
from numpy.typing import NDArray
from scipy.linalg import cho_factor, solve_triangular

from counterclaim.errors import ReconcileError
from counterclaim.reconcile.base import ClaimExplanation, Estimate, Observation, as_day, usable
from counterclaim.reconcile.posterior import (
    POINT,
    Posterior,
    Terms,
    dknots,
    eta,
    jvp,
    knot_values,
    term_loglik,
)
from counterclaim.reconcile.priors import Priors, load_priors
from counterclaim.reconcile.psis import K_THRESHOLD, effective_draws, psis, weighted_quantiles
from counterclaim.reconcile.reporting import Reporting, build_reporting, log_count

Array = NDArray[np.float64]
#: The model's name and version, recorded beside every stored estimate: a new version may give
#: other numbers for the same claims.
MODEL_NAME = "counterclaim-reconciler"
MODEL_VERSION = "2.1"
# The proposal: a multivariate t around the mode with the covariance of the curvature there;
# when k̂ says the draws cannot be trusted with any number of knots, once more with heavier
# tails, a wider scale and twice the draws.
_PROPOSALS = ((8.0, 1.0, 1), (4.0, 1.6, 2))
# A hard bound the mode lies beyond by more than this many of its scales (0.2 on the log scale:
# 20%) is contradicted by the rest of the evidence: it stays a soft (t) bound instead of a
# wall. A t bound gives way a few scales at a time, so a tighter test would drop walls that
# nothing contradicts.
_CONTRADICTED = 10.0
_LEVELS = np.array([0.05, 0.5, 0.95])


@dataclass(frozen=True)
class _Fit:
    """One fit of the curve: the posterior, its mode, the weighted draws and their k̂."""

    problem: Posterior
    theta: Array
    steps: Array
    knots: Array
    draws: Array
    log_weights: Array
    k_hat: float
    converged: bool
    hard: NDArray[np.bool_]
    contradiction: bool


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
        cap: the most the count can ever reach (a population, ``data/caps.toml``); None: no cap.
    """

    name = "model"

    def __init__(
        self,
        *,
        priors: Priors | None = None,
        seed: int = 0,
        samples: int = 2000,
        max_knots: int = 8,
        origin: date | None = None,
        end: date | None = None,
        cap: float | None = None,
    ) -> None:
        self.priors = priors
        self.seed = seed
        self.samples = samples
        self.max_knots = max_knots
        self.origin = origin
        self.end = end
        self.cap = cap

    # -- fitting -------------------------------------------------------------------------
    def fit(self, observations: Sequence[Observation]) -> Reconciler:
        """Fit the curve and the claimant biases, weigh the draws; returns self."""
        if self.samples < 10 or self.max_knots < 2:
            raise ReconcileError("samples must be at least 10 and max_knots at least 2")
        if self.cap is not None and not self.cap > 0:
            raise ReconcileError(f"cap must be a number above 0, not {self.cap!r}")
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
        self.start_ = start
        self.stop_ = max(float(self.end.toordinal()), first) if self.end is not None else math.inf
        report = build_reporting(obs, days, priors, start=start, cap=self.cap)
        if not len(report.kind):
            raise ReconcileError("no claim gives the series a usable number (only zero lower bounds)")
        # The draws must be trustworthy (k̂ <= 0.7). Where a curve with many knots has a posterior
        # the proposal cannot follow, a coarser curve (fewer knots, each segment its own
        # growth rate) is fitted instead; the least bad fit is kept, and flagged.
        fitted: _Fit | None = None
        most = self.max_knots
        while True:
            attempt = self._fit_curve(report, days, priors, most)
            if fitted is None or attempt.k_hat < fitted.k_hat:
                fitted = attempt
            if attempt.k_hat <= K_THRESHOLD or len(attempt.knots) <= 2:
                break
            most = max(2, min(len(attempt.knots) - 1, most // 2))
        if fitted.k_hat > K_THRESHOLD:
            # last resort: heavier tails, a wider scale and more draws around the best fit's mode
            draws, log_weights, k_hat = self._weigh(
                fitted.problem,
                fitted.theta,
                fitted.hard,
                _PROPOSALS[1:],
                fitted.problem.terms.obs >= len(obs),
            )
            if k_hat < fitted.k_hat:
                fitted = replace(fitted, draws=draws, log_weights=log_weights, k_hat=k_hat)
        problem, theta, steps, knots, draws = (
            fitted.problem,
            fitted.theta,
            fitted.steps,
            fitted.knots,
            fitted.draws,
        )
        terms = problem.terms
        self.contradiction_ = fitted.contradiction
        weights = np.exp(fitted.log_weights)
        self.log_weights_ = fitted.log_weights
        self.pareto_k_ = fitted.k_hat
        self.effective_draws_ = effective_draws(fitted.log_weights)
        self.acceptance_ = float(np.mean(weights > 0))
        self.draws_knots_ = knot_values(draws[:, 0], draws[:, 1 : 1 + len(steps)], steps)
        self.draws_extension_ = self._extension(draws, theta, steps, priors, len(draws))
        self.draws_bias_ = np.asarray(draws[:, 1 + len(steps) :], dtype=np.float64)
        converged = fitted.converged

        self.theta_ = theta
        self.hessian_ = problem.hessian(theta)
        self.knot_days_ = knots
        self.knots_ = [date.fromordinal(int(k)) for k in knots]
        self.steps_ = steps
        self.terms_ = terms
        self.report_ = report
        self.observations_ = obs
        self.actors_ = report.actors
        self.bias_ = {f"{name} ({relation})": float(theta[1 + len(steps) + i])
                      for i, (name, relation) in enumerate(report.actors)}  # fmt: skip
        self.converged_ = converged
        self.n_claims_ = len(obs)
        self.last_day_ = date.fromordinal(int(days.max()))
        self._explained: list[ClaimExplanation] | None = None
        return self

    def _fit_curve(self, report: Reporting, days: Array, priors: Priors, most: int) -> _Fit:
        """The mode, the proposal's draws and their weights for a curve of at most ``most`` knots."""
        # knots on the days of the claims that stay in the fit (not on superseded figures or copies)
        knots = _knots(np.unique(report.day), most)
        clock = self._clock(knots)
        steps = np.log(clock[1:] / clock[:-1])
        knot, frac = _locate(clock, self._clock(report.day), knots, report.day)
        terms = Terms(obs=report.obs, knot=knot, frac=frac, kind=report.kind, target=report.target,
                      sigma=report.sigma, actor=report.actor, gain=report.gain, hard=report.hard)  # fmt: skip
        bias_mean = np.array([p.mean for p in report.priors])
        bias_sd = np.array([p.sd for p in report.priors])
        anchors = (terms.actor >= 0) & (terms.kind == POINT)
        shift = np.where(terms.actor >= 0, terms.gain * bias_mean[np.maximum(terms.actor, 0)], 0.0)
        centre = terms.target - shift
        level_mean = float(np.median(centre[anchors] if anchors.any() else centre))
        problem = Posterior(
            terms=terms, steps=steps, n_actors=len(report.actors), level=(level_mean, priors.level_sd),
            growth=(priors.growth_mean, priors.growth_sd), bias=(bias_mean, bias_sd), sign=report.sign,
            sign_scale=priors.floor_noise,
        )  # fmt: skip
        theta0 = np.concatenate(
            [[level_mean - float(steps.sum()) / 2.0], np.full(len(steps), priors.growth_mean), bias_mean]
        )
        theta, converged = problem.newton(theta0)
        # a wall the rest of the evidence pushes the mode through is contradicted: it only pulls;
        # a cap never is (no count exceeds the population: claims above it are wrong, not it)
        beyond = terms.kind * (eta(terms, theta, steps) - terms.target) / terms.sigma
        cap = terms.obs >= len(report.used)  # the cap's term stands for no claim
        hard = terms.hard & ((beyond >= -_CONTRADICTED) | cap)
        draws, log_weights, k_hat = self._weigh(problem, theta, hard, _PROPOSALS[:1], cap)
        return _Fit(problem, theta, steps, knots, draws, log_weights, k_hat, converged, hard,
                    bool(np.any(terms.hard & ~hard)))  # fmt: skip

    def _weigh(
        self,
        problem: Posterior,
        theta: Array,
        hard: NDArray[np.bool_],
        proposals: Sequence[tuple[float, float, int]],
        cap: NDArray[np.bool_],
    ) -> tuple[Array, Array, float]:
        """Draws from t proposals (df, scale, times the samples) around the mode, PSIS log weights, k̂."""
        factor = _cholesky(problem.hessian(theta, bounds=False, observed=True))
        rng = np.random.default_rng(self.seed)
        best: tuple[Array, Array, float] | None = None
        for df, scale, times in proposals:
            n = self.samples * times
            normal = rng.standard_normal((len(theta), n))
            radius = np.sqrt(rng.chisquare(df, n) / df)
            offsets = scale * solve_triangular(factor.T, normal, lower=False).T / radius[:, None]
            draws = theta + offsets
            # log q up to a constant: the multivariate t density of the offsets
            mahalanobis = np.sum((offsets @ factor) ** 2, axis=1) / scale**2
            log_q = -0.5 * (df + len(theta)) * np.log1p(mahalanobis / df)
            log_p = problem.log_density(draws, hard)
            if not np.isfinite(log_p).any():
                # no draw meets every wall (they leave no room between them): let them all pull
                log_p = problem.log_density(draws, np.zeros_like(hard))
            log_weights, k_hat = psis(log_p - log_q)
            if best is None or k_hat < best[2]:
                best = (draws, log_weights, k_hat)
            if k_hat <= K_THRESHOLD:
                break
        assert best is not None
        return best

    def _extension(self, draws: Array, theta: Array, steps: Array, priors: Priors, n: int) -> Array:
        """Each draw's growth exponent past the last claim: its last segment's, plus a step.

        The step's sd is learned from how much the exponents vary along the series (the prior's
        sd when the series has fewer than three segments), so a series that grew steadily is
        extrapolated narrowly and an erratic one widely; the band widens with the horizon.
        """
        rng = np.random.default_rng([self.seed, 1])
        n_steps = len(steps)
        if not n_steps:
            # one claim day: nothing to learn a rate from; the growth prior is the rate
            self.extension_sd_ = priors.growth_sd
            return np.asarray(np.exp(rng.normal(priors.growth_mean, priors.growth_sd, n)), dtype=np.float64)
        spread = priors.growth_sd
        if n_steps >= 3:
            spread = float(np.clip(np.std(theta[1 : 1 + n_steps]), 0.1, priors.growth_sd))
        self.extension_sd_ = spread
        exponent = draws[:, n_steps] + rng.normal(0.0, spread, n)
        return np.asarray(np.exp(np.clip(exponent, -30.0, 8.0)), dtype=np.float64)

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
            rise = growth * self.draws_extension_
            if self.cap is None:
                x = x + rise
            else:
                # the toll slows as it nears the cap, with the same growth where it is far below
                room = np.maximum(log_count(self.cap) - x, 1e-9)
                x = x + room * -np.expm1(-rise / room)
        return np.asarray(x, dtype=np.float64)

    def log_toll_draws(self, day: date | str | None = None) -> Array:
        """The drawn log N on ``day`` (one per draw; weigh them by ``log_weights_``): what a
        posterior predictive (``reconcile/predictive.py``) builds on."""
        return self._draws_at(as_day(day) or self._fitted().last_day_)

    def estimate(self, day: date | str | None = None) -> Estimate:
        """low / best / high of N on ``day`` (the latest claim's day when None)."""
        when = as_day(day) or self._fitted().last_day_
        self._fitted()
        low, best, high = np.exp(weighted_quantiles(self._draws_at(when), self.log_weights_, _LEVELS))
        k_hat = self.pareto_k_
        warning = None
        if not k_hat <= K_THRESHOLD:
            warning = (f"the posterior draws are unreliable (Pareto k = {k_hat:.2f} > {K_THRESHOLD}): "
                       "treat the band as rough")  # fmt: skip
        return Estimate(
            float(low), float(best), float(high), when, self.name, self.n_claims_,
            days_past_last_claim=max(0, (when - self.last_day_).days),
            pareto_k=round(k_hat, 3) if math.isfinite(k_hat) else None, warning=warning,
        )  # fmt: skip

    def explain(self, day: date | str | None = None) -> list[ClaimExplanation]:
        """Each claim's relation, bias-adjusted value and pull on ``best`` at ``day``.

        A claim another claimant's identical figure already stands for (a copy), or one its
        claimant's later figures supersede (revised down), is listed with ``used`` false and no
        weight.
        """
        when = as_day(day) or self._fitted().last_day_
        self._fitted()
        terms, theta, n_steps = self.terms_, self.theta_, len(self.steps_)
        t = float(when.toordinal())
        weights = _knot_weights(
            self._clock(self.knot_days_), float(self._clock(np.array([t]))[0]), self.knot_days_, t
        )
        gradient = np.zeros(len(theta))
        gradient[: 1 + n_steps] = weights @ dknots(theta[1 : 1 + n_steps], self.steps_)
        direction = np.asarray(np.linalg.solve(self.hessian_, gradient), dtype=np.float64)
        _, _, curvature = term_loglik(terms.kind, terms.target, terms.sigma, eta(terms, theta, self.steps_))
        pull_terms = curvature * jvp(terms, theta, self.steps_, direction)
        n_obs = len(self.observations_)
        pull = np.bincount(terms.obs, weights=pull_terms, minlength=n_obs + 1)[:n_obs]
        total = float(np.abs(pull).sum()) or 1.0
        report = self.report_
        first_term = {int(o): j for j, o in reversed(list(enumerate(terms.obs)))}
        out = []
        for i, o in enumerate(self.observations_):
            actor = report.actor_of[i]
            bias = float(theta[1 + n_steps + actor])
            gain = float(terms.gain[first_term[i]]) if i in first_term else 1.0
            central = o.central
            adjusted = None if central is None else math.exp(log_count(central) - bias * gain)
            value = None if o.value is None else float(o.value)
            out.append(
                ClaimExplanation(o.key, o.claimant, o.relation, o.qualifier, value, o.as_of, adjusted,
                                 abs(float(pull[i])) / total, float(pull[i]), bias * gain,
                                 report.used[i] and not report.revised[i])
            )  # fmt: skip
        return out

    def _fitted(self) -> Reconciler:
        if not hasattr(self, "theta_"):
            raise ReconcileError("the model is not fitted: call fit(observations) first")
        return self


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


__all__ = ["MODEL_NAME", "MODEL_VERSION", "Reconciler"]
