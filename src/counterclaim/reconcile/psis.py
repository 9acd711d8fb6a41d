"""Pareto-smoothed importance sampling (Vehtari, Simpson, Gelman, Yao and Gabry 2017/2024).

Importance weights of draws from a proposal q for a target p are p/q. Their largest values are
replaced by the expected order statistics of a generalized Pareto distribution fitted to the
tail, and the fitted shape k̂ tells whether the reweighted draws can be trusted: below 0.5 they
are as good as independent draws, up to 0.7 usable, above 0.7 the estimate is unreliable.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp

Array = NDArray[np.float64]
#: Above this k̂ the reweighted draws cannot be trusted (Vehtari et al. 2024, section 3).
K_THRESHOLD = 0.7


def psis(log_weights: Array) -> tuple[Array, float]:
    """Smoothed, normalised log weights (summing to one on the probability scale) and k̂.

    Draws with a weight of zero (log weight -inf) keep it. With too few positive weights to fit
    a tail, k̂ is inf.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> _, k = psis(rng.normal(0.0, 0.1, 4000))  # nearly equal weights
        >>> k < 0.5
        True
    """
    lw = np.array(log_weights, dtype=np.float64)
    finite = np.isfinite(lw)
    if not finite.any():
        raise ValueError("every importance weight is zero")
    lw[~finite] = -np.inf
    lw -= lw[finite].max()
    n = int(finite.sum())
    tail_len = math.ceil(min(0.2 * n, 3.0 * math.sqrt(n)))
    k = math.inf
    if tail_len >= 5 and n > tail_len + 1:
        order = np.argsort(lw)  # -inf first
        tail_index = order[-tail_len:]
        cutoff = float(lw[order[-tail_len - 1]])
        cutoff = max(cutoff, math.log(np.finfo(float).tiny))
        excess = np.exp(lw[tail_index]) - math.exp(cutoff)
        if excess[-1] > 0:
            k, sigma = _gpd_fit(excess)
            if math.isfinite(k) and sigma > 0:
                probs = (np.arange(tail_len) + 0.5) / tail_len
                smoothed = np.log(_gpd_quantile(probs, k, sigma) + math.exp(cutoff))
                # never above the largest raw weight (log 0 after the shift above)
                lw[tail_index] = np.minimum(smoothed, 0.0)
    lw -= logsumexp(lw[np.isfinite(lw)])
    return lw, float(k)


def _gpd_fit(x: Array) -> tuple[float, float]:
    """Shape k and scale of a generalized Pareto fit to sorted positive excesses.

    The empirical-Bayes estimator of Zhang and Stephens (2009) with the weak prior on k of
    Vehtari et al. (k pulled towards 0.5 as if by 10 observations).
    """
    n = len(x)
    prior_bs, prior_k = 3.0, 10.0
    m = 30 + int(math.sqrt(n))
    b = 1.0 - np.sqrt(m / (np.arange(1, m + 1, dtype=np.float64) - 0.5))
    b /= prior_bs * x[int(n / 4 + 0.5) - 1]
    b += 1.0 / x[-1]
    k_b = np.log1p(-b[:, None] * x).mean(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        profile = n * (np.log(-(b / k_b)) - k_b - 1.0)
    valid = np.isfinite(profile)
    if not valid.any():
        return math.inf, 0.0
    b, profile = b[valid], profile[valid]
    weights = 1.0 / np.exp(profile - profile[:, None]).sum(axis=1)
    keep = weights >= 10.0 * np.finfo(float).eps
    b, weights = b[keep], weights[keep] / weights[keep].sum()
    b_post = float(np.sum(b * weights))
    k = float(np.log1p(-b_post * x).mean())
    sigma = -k / b_post
    return (n * k + prior_k * 0.5) / (n + prior_k), sigma


def _gpd_quantile(probs: Array, k: float, sigma: float) -> Array:
    """Quantiles of the generalized Pareto distribution with shape k and scale sigma."""
    if abs(k) < np.finfo(float).eps:
        return np.asarray(-sigma * np.log1p(-probs), dtype=np.float64)
    return np.asarray(sigma * np.expm1(-k * np.log1p(-probs)) / k, dtype=np.float64)


def weighted_quantiles(values: Array, log_weights: Array, probs: Array) -> Array:
    """Quantiles of weighted draws (weights as normalised log weights), interpolating the CDF."""
    order = np.argsort(values, kind="stable")
    w = np.exp(log_weights[order])
    cumulative = np.cumsum(w) - 0.5 * w
    cumulative /= w.sum()
    return np.asarray(np.interp(probs, cumulative, values[order]), dtype=np.float64)


def effective_draws(log_weights: Array) -> float:
    """Kish's effective sample size of normalised log weights."""
    w = np.exp(log_weights[np.isfinite(log_weights)])
    return float(w.sum() ** 2 / np.sum(w**2))


__all__ = ["K_THRESHOLD", "effective_draws", "psis", "weighted_quantiles"]
