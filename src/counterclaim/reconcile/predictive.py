"""Predictions of what a claimant will report later: the model's posterior predictive and a trend rule.

The back-test (``backtest.py``) scores a *report target*: the figure a counting body (the Gaza
Health Ministry, the General Staff, a monitor) reported on a day D at least 30 days after the
origin. The model predicts it by its posterior predictive: each weighted draw's log N(D) (the
curve extrapolated with its widening growth), plus the claimant's drawn bias times its lag
g(D), plus a Student-t(4) reporting noise: the claimant's own scatter around the fitted curve
(its residuals at the mode, pooled with its prior noise), a range's width added. The fit itself
is the model's, untouched. ``recent_trend`` is the transparent rule beside it: the
claimant's latest figure grown as fast as it grew over the days before it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta

import numpy as np

from counterclaim.reconcile.base import Estimate, Observation
from counterclaim.reconcile.model import Reconciler
from counterclaim.reconcile.posterior import POINT, eta
from counterclaim.reconcile.priors import Priors, load_priors
from counterclaim.reconcile.psis import weighted_quantiles
from counterclaim.reconcile.reporting import UNATTRIBUTED, log_count

#: Noise draws per posterior draw: smooths the predictive's 5th and 95th percentiles.
REPLICAS = 4
#: A range read as a 90% interval (as ``reporting.py`` reads it): its log width over this is an sd.
_RANGE_Z = 2.0 * 1.6449
#: The shortest look-back of the trend rule, in days: a shorter one is mostly the noise of a day.
TREND_LOOKBACK = 30
_LEVELS = np.array([0.05, 0.5, 0.95])
#: The median of |T| for T ~ t(4): a t(4) scale is a median absolute residual over it.
_T4_MEDIAN_ABS = 0.7407
#: The prior noise counts as this many claims when pooled with a claimant's residuals.
PRIOR_CLAIMS = 5
#: False: the predictive takes the priors' noise, as the likelihood does (the comparison in
#: docs/reconcile.md, "Back-test").
LEARN_NOISE = True


def report_noise(
    claim: Observation, priors: Priors, measure: str, role: str, learned: float | None = None
) -> float:
    """The scale of the t noise of a report of this form by this claimant: its prior noise (times
    ``about_widen`` for an "about" figure), or the scale ``learned`` from its own residuals; a
    range adds its width read as a 90% interval."""
    prior = priors.lookup(claim.relation, measure, role)
    noise = (
        learned
        if learned is not None
        else prior.noise * (priors.about_widen if claim.qualifier == "about" else 1.0)
    )
    low, high = claim.bounds
    if claim.kind == "interval" and low is not None and high is not None:
        noise = math.hypot(noise, (log_count(high) - log_count(low)) / _RANGE_Z)
    return noise


def residual_scale(
    model: Reconciler, claimant: str | None, relation: str, prior_scale: float
) -> float | None:
    """The claimant's reporting noise learned from its claims in the fit: the t(4) scale of its
    residuals at the posterior mode (their median absolute value over 0.741, the median of |t4|),
    pooled with the prior scale as if it were :data:`PRIOR_CLAIMS` claims. None: no claim of it
    is in the fit.
    """
    terms = model.terms_
    name = claimant or UNATTRIBUTED
    own = {i for i, o in enumerate(model.observations_)
           if (o.claimant or UNATTRIBUTED, o.relation) == (name, relation) and o.kind == "point"}  # fmt: skip
    mine = np.array(
        [k == POINT and int(i) in own for i, k in zip(terms.obs, terms.kind, strict=True)], dtype=bool
    )
    if not mine.any():
        return None
    residuals = (terms.target - eta(terms, model.theta_, model.steps_))[mine]
    n = len(residuals)
    scale = float(np.median(np.abs(residuals))) / _T4_MEDIAN_ABS
    return math.sqrt((PRIOR_CLAIMS * prior_scale**2 + n * scale**2) / (PRIOR_CLAIMS + n))


def predict_report(
    model: Reconciler, claim: Observation, day: date, *, priors: Priors | None = None, seed: int = 0
) -> Estimate:
    """The model's 90% predictive band of the figure ``claim``'s claimant reports on ``day``.

    ``claim`` gives the claimant, its relation and the form of the figure (its value is not
    read). A claimant the fit has not seen yet gets a bias drawn from its relation's prior.
    """
    chosen = priors or model.priors or load_priors()
    report = model.report_
    measure, role = claim.measure, claim.role
    prior = chosen.lookup(claim.relation, measure, role)
    x = model.log_toll_draws(day)
    n = len(x)
    rng = np.random.default_rng([seed, 2])
    name = claim.claimant or UNATTRIBUTED
    actor = next((report.actor_of[i] for i, o in enumerate(model.observations_)
                  if (o.claimant or UNATTRIBUTED, o.relation) == (name, claim.relation)), None)  # fmt: skip
    bias = model.draws_bias_[:, actor] if actor is not None else rng.normal(prior.mean, prior.sd, n)
    lag = prior.lag_persist + (1.0 - prior.lag_persist) * math.exp(
        -(day.toordinal() - model.start_) / prior.lag_days
    )
    centre = np.repeat(x + bias * lag, REPLICAS)
    base = prior.noise * (chosen.about_widen if claim.qualifier == "about" else 1.0)
    learned = residual_scale(model, claim.claimant, claim.relation, base) if LEARN_NOISE else None
    noise = report_noise(claim, chosen, measure, role, learned) * rng.standard_t(4.0, n * REPLICAS)
    weights = np.repeat(model.log_weights_, REPLICAS)
    low, best, high = np.exp(weighted_quantiles(centre + noise, weights, _LEVELS))
    return Estimate(float(low), float(best), float(high), day, model.name, model.n_claims_,
                    days_past_last_claim=max(0, (day - model.last_day_).days),
                    pareto_k=model.pareto_k_ if math.isfinite(model.pareto_k_) else None)  # fmt: skip


def reference_claim(visible: Sequence[Observation]) -> Observation | None:
    """The claim ``latest-monitor`` would read: the latest monitor's figure, else a party's own,
    else the latest claim (the trend rule's claimant for a target about the toll itself)."""
    seen = [o for o in visible if o.as_of is not None and o.central is not None]
    pool = [o for o in seen if o.relation == "monitor"] or [o for o in seen if o.relation == "own"] or seen
    return max(pool, key=lambda o: (o.as_of or date.min, o.central or 0.0), default=None)


def recent_trend(
    visible: Sequence[Observation], claimant: str | None, relation: str, day: date, n_claims: int
) -> Estimate | None:
    """The claimant's latest figure v (dated s) grown as fast as it grew before: best
    v·exp(r·(day − s)), the band from no growth (v) to twice that growth (v·exp(2r·(day − s))).

    r is the log growth per day between v and the claimant's latest figure at least
    max(day − s, 30) days older (its first figure if none is), never below zero. None when the
    claimant has no dated figure.
    """
    own = sorted(
        (o.as_of, float(o.central))
        for o in visible
        if (o.claimant, o.relation) == (claimant, relation) and o.as_of is not None and o.central is not None
    )
    if not own:
        return None
    last_day, last = own[-1]
    ahead = max(0, (day - last_day).days)
    back = last_day - timedelta(days=max(ahead, TREND_LOOKBACK))
    older = [item for item in own if item[0] <= back] or [item for item in own if item[0] < last_day]
    rate = 0.0
    if older:
        then, value = older[-1] if older[-1][0] <= back else older[0]
        rate = max(0.0, (log_count(last) - log_count(value)) / max((last_day - then).days, 1))
    low, best, high = (last * math.exp(k * rate * ahead) for k in (0.0, 1.0, 2.0))
    return Estimate(low, best, high, day, "recent-trend", n_claims, days_past_last_claim=ahead)


__all__ = ["REPLICAS", "TREND_LOOKBACK", "predict_report", "recent_trend", "reference_claim", "report_noise"]
