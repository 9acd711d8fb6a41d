"""The model's exact log posterior: a monotone log-toll curve, claimant biases, Student-t terms.

Parameters θ = (level, growth exponents u_1..u_K-1, biases b_1..b_A). The knot values of the
curve are ``level + cumsum(step_j * exp(u_j))``, so every curve never falls. Every claim is one
or more *terms* on η = x(t) + gain * b_a (a claimant's term) or on x(t) itself (a floor, a
ceiling or a cap, ``actor = -1``). Terms are Student-t with 4 degrees of freedom: a point term
is a t density, a bound a t distribution function (censored), so no single claim can pin the
curve and no bound is a wall. Bounds marked ``hard`` are walls in the exact posterior (weight 0
beyond them) and soft t bounds while the mode is searched.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Array = NDArray[np.float64]
POINT, LOWER, UPPER = 0, 1, -1
# Growth exponents are kept within these bounds: exp(8) is a toll ~3,000 times faster than the
# proportional baseline, exp(-30) a toll that has stopped; beyond them exp() only risks overflow.
U_BOUNDS = (-30.0, 8.0)
_LOG_T4_PDF0 = math.log(3.0 / 8.0)
_BATCH = 2_000_000  # terms x draws evaluated at once when weighing draws


@dataclass(frozen=True, slots=True)
class Terms:
    """The likelihood terms of a fit, one row per term."""

    obs: NDArray[np.int64]
    knot: NDArray[np.int64]
    frac: Array
    kind: NDArray[np.int64]
    target: Array
    sigma: Array
    actor: NDArray[np.int64]
    gain: Array
    hard: NDArray[np.bool_]


# -- Student-t with 4 degrees of freedom, in closed form ------------------------------------
def t4_logpdf(z: Array) -> Array:
    """log density of the standard t distribution with 4 degrees of freedom."""
    return np.asarray(_LOG_T4_PDF0 - 2.5 * np.log1p(z * z / 4.0), dtype=np.float64)


def t4_logcdf(z: Array) -> Array:
    """log P(T <= z) for T ~ t(4), stable in both tails.

    The lower tail is 0.25 e^2 (3 - e) with e = 4 / (s (s + |z|)), s = sqrt(4 + z^2): the
    incomplete-beta form of the t(4) distribution function written without cancellation.
    """
    s = np.sqrt(4.0 + z * z)
    e = 4.0 / (s * (s + np.abs(z)))
    tail = 0.25 * e * e * (3.0 - e)
    return np.asarray(np.where(z < 0.0, np.log(tail), np.log1p(-tail)), dtype=np.float64)


def term_loglik(
    kind: NDArray[np.int64], target: Array, sigma: Array, eta: Array, *, observed: bool = False
) -> tuple[Array, Array, Array]:
    """Each term's log-likelihood, slope (d/dη) and a non-negative curvature for Gauss-Newton.

    The curvature of a point term is its iteratively-reweighted weight 5 / (σ² (4 + r²)), or
    with ``observed`` the negative second derivative 5 (4 - r²) / (σ² (4 + r²)²), floored at
    zero (an outlier beyond two scales has none: the t density gives way); of a bound, the
    negative second derivative of log F, floored at zero.
    """
    point = kind == POINT
    sign = np.where(point, 0.0, kind.astype(np.float64))
    r = (target - eta) / sigma
    z = sign * (eta - target) / sigma
    log_cdf = t4_logcdf(z)
    ratio = np.exp(t4_logpdf(z) - log_cdf)
    loglik = np.where(point, t4_logpdf(r) - np.log(sigma), log_cdf)
    slope = np.where(point, 5.0 * r / (sigma * (4.0 + r * r)), sign * ratio / sigma)
    bound_curv = (ratio * ratio + ratio * 5.0 * z / (4.0 + z * z)) / sigma**2
    weight = (4.0 - r * r) / (4.0 + r * r) if observed else 1.0
    point_curv = np.maximum(5.0 * weight / (sigma**2 * (4.0 + r * r)), 0.0)
    curvature = np.where(point, point_curv, np.maximum(bound_curv, 0.0))
    return loglik, slope, curvature


# -- the curve --------------------------------------------------------------------------------
def knot_values(level: Array, growth: Array, steps: Array) -> Array:
    """Knot values of each curve (one row per draw): the level plus the running increments."""
    increments = steps * np.exp(np.clip(growth, *U_BOUNDS))
    zero = np.zeros((len(level), 1))
    return np.asarray(level[:, None] + np.concatenate([zero, np.cumsum(increments, axis=1)], axis=1))


def dknots(growth: Array, steps: Array) -> Array:
    """d(knot values) / d(level, growth): a (K, K) lower-triangular matrix."""
    k = len(steps) + 1
    out = np.zeros((k, k))
    out[:, 0] = 1.0
    increments = steps * np.exp(growth)
    for j in range(len(steps)):
        out[j + 1 :, 1 + j] = increments[j]
    return out


def eta(terms: Terms, theta: Array, steps: Array) -> Array:
    """η of every term at one parameter vector."""
    n_steps = len(steps)
    knots = theta[0] + np.concatenate([[0.0], np.cumsum(steps * np.exp(theta[1 : 1 + n_steps]))])
    x = (1.0 - terms.frac) * knots[terms.knot] + terms.frac * knots[np.minimum(terms.knot + 1, n_steps)]
    bias = np.where(terms.actor >= 0, theta[1 + n_steps + np.maximum(terms.actor, 0)], 0.0)
    return np.asarray(x + terms.gain * bias)


def jvp(terms: Terms, theta: Array, steps: Array, vector: Array) -> Array:
    """d(η) / d(θ) times a vector, for every term, without building the Jacobian."""
    n_steps = len(steps)
    along = dknots(theta[1 : 1 + n_steps], steps) @ vector[: 1 + n_steps]
    x = (1.0 - terms.frac) * along[terms.knot] + terms.frac * along[np.minimum(terms.knot + 1, n_steps)]
    bias = np.where(terms.actor >= 0, vector[1 + n_steps + np.maximum(terms.actor, 0)], 0.0)
    return np.asarray(x + terms.gain * bias)


@dataclass(frozen=True)
class Posterior:
    """The log posterior of one series: its terms, the knot steps and the priors.

    ``sign`` holds, per actor, -1 where the bias must be below zero (a claimant whose figures
    run under the truth), +1 above zero, 0 free; the constraint is a t bound of scale
    ``sign_scale``.
    """

    terms: Terms
    steps: Array
    n_actors: int
    level: tuple[float, float]
    growth: tuple[float, float]
    bias: tuple[Array, Array]
    sign: Array
    sign_scale: float

    def objective(self, theta: Array) -> tuple[float, Array]:
        """Negative log posterior (hard bounds soft) and its gradient."""
        terms, steps = self.terms, self.steps
        n_steps = len(steps)
        loglik, slope, _ = term_loglik(terms.kind, terms.target, terms.sigma, eta(terms, theta, steps))
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
        sign_ll, sign_slope, _ = self._signs(b)
        value -= float(sign_ll.sum())
        grad[1 + n_steps :] -= sign_slope
        return value, grad

    def _signs(self, b: Array) -> tuple[Array, Array, Array]:
        active = self.sign != 0
        kind = np.where(active, self.sign, POINT).astype(np.int64)
        loglik, slope, curvature = term_loglik(kind, np.zeros_like(b), np.full_like(b, self.sign_scale), b)
        zero = np.zeros_like(b)
        return (
            np.where(active, loglik, zero),
            np.where(active, slope, zero),
            np.where(active, curvature, zero),
        )

    def hessian(self, theta: Array, *, bounds: bool = True, observed: bool = False) -> Array:
        """Gauss-Newton Hessian of the negative log posterior (positive definite by the priors).

        Built in knot space by counting (O(terms) + O(knots^3)); ``bounds=False`` leaves out the
        terms on the curve itself (floors, ceilings, caps) and the bias signs: a Gaussian taken
        at a binding bound would squeeze the draws to nothing.
        """
        terms, steps = self.terms, self.steps
        k, a_count = len(steps) + 1, self.n_actors
        _, slope, curvature = term_loglik(
            terms.kind, terms.target, terms.sigma, eta(terms, theta, steps), observed=observed
        )
        biased = terms.actor >= 0
        if not bounds:
            curvature = np.where(biased, curvature, 0.0)
            slope = np.where(biased, slope, 0.0)
        k0, k1, f = terms.knot, np.minimum(terms.knot + 1, k - 1), terms.frac
        w0 = 1.0 - f
        xx = np.zeros(k * k)
        for rows, cols, weight in ((k0, k0, w0 * w0), (k0, k1, w0 * f), (k1, k0, f * w0), (k1, k1, f * f)):
            xx += np.bincount(rows * k + cols, weights=weight * curvature, minlength=k * k)
        actor, gain = terms.actor[biased], terms.gain[biased]
        pulled = gain * curvature[biased]
        xb = np.bincount(k0[biased] * a_count + actor, weights=w0[biased] * pulled, minlength=k * a_count)
        xb += np.bincount(k1[biased] * a_count + actor, weights=f[biased] * pulled, minlength=k * a_count)
        bb = np.asarray(np.bincount(actor, weights=gain * pulled, minlength=a_count), dtype=np.float64)
        if bounds:
            bb = bb + self._signs(theta[k:])[2]
        dk = dknots(theta[1:k], steps)
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
        if observed:
            # the second derivative of exp(u): each growth exponent's own likelihood gradient
            # (Gauss-Newton leaves it out; where growth has levelled off it is most of the
            # curvature), kept from cancelling more than half of the prior's
            n_steps = len(steps)
            per_knot = np.bincount(k0, weights=w0 * slope, minlength=k)
            per_knot += np.bincount(k1, weights=f * slope, minlength=k)
            tail = np.cumsum(per_knot[::-1])[::-1]
            own = steps * np.exp(theta[1:k]) * tail[1:]
            index = np.arange(1, 1 + n_steps)
            hess[index, index] += np.maximum(-own, -0.5 / self.growth[1] ** 2)
        return np.asarray(hess, dtype=np.float64)

    def newton(self, theta: Array, *, most: int = 100) -> tuple[Array, bool]:
        """The posterior mode by damped Gauss-Newton steps with backtracking; (mode, converged)."""
        n_steps = len(self.steps)
        value, grad = self.objective(theta)
        for _ in range(most):
            step = np.linalg.solve(self.hessian(theta), grad)
            slope = float(grad @ step)
            alpha = 1.0
            while True:
                candidate = theta - alpha * step
                candidate[1 : 1 + n_steps] = np.clip(candidate[1 : 1 + n_steps], *U_BOUNDS)
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

    def log_density(self, draws: Array, hard: NDArray[np.bool_]) -> Array:
        """The exact log posterior (up to a constant) of each draw (one row each).

        Terms flagged in ``hard`` are walls: a draw beyond one has density 0 (log -inf).
        """
        terms, steps = self.terms, self.steps
        n_steps = len(steps)
        (m0, s0), (mu, su), (mb, sb) = self.level, self.growth, self.bias
        level, u, b = draws[:, 0], draws[:, 1 : 1 + n_steps], draws[:, 1 + n_steps :]
        out = -0.5 * ((level - m0) / s0) ** 2
        out -= 0.5 * np.sum(((np.clip(u, *U_BOUNDS) - mu) / su) ** 2, axis=1)
        out -= 0.5 * np.sum(((b - mb) / sb) ** 2, axis=1)
        active = self.sign != 0
        if active.any():
            z = self.sign[active] * b[:, active] / self.sign_scale
            out += np.sum(t4_logcdf(z), axis=1)
        knots = knot_values(level, u, steps)
        point = np.flatnonzero(terms.kind == POINT)
        bound = np.flatnonzero((terms.kind != POINT) & ~hard)
        walls = np.flatnonzero(hard)
        interpolation, gains = {}, {}
        for index, how in ((point, "point"), (bound, "bound"), (walls, "wall")):
            weights = np.zeros((n_steps + 1, len(index)))
            columns = np.arange(len(index))
            np.add.at(weights, (terms.knot[index], columns), 1.0 - terms.frac[index])
            np.add.at(weights, (np.minimum(terms.knot[index] + 1, n_steps), columns), terms.frac[index])
            interpolation[how] = weights
            biased = terms.actor[index] >= 0
            gain = np.zeros((self.n_actors, len(index)))
            gain[terms.actor[index][biased], columns[biased]] = terms.gain[index][biased]
            gains[how] = gain
        batch = max(1, _BATCH // max(len(terms.knot), 1))
        for start in range(0, len(draws), batch):
            rows = slice(start, start + batch)
            for index, how in ((point, "point"), (bound, "bound"), (walls, "wall")):
                if not len(index):
                    continue
                # η of every draw and term as two small matrix products: knot values times the
                # interpolation weights, biases times the gains
                x = knots[rows] @ interpolation[how] + b[rows] @ gains[how]
                sign = terms.kind[index].astype(np.float64)
                if how == "point":
                    r = (terms.target[index] - x) / terms.sigma[index]
                    out[rows] -= 2.5 * np.sum(np.log1p(r * r / 4.0), axis=1)
                elif how == "bound":
                    z = sign * (x - terms.target[index]) / terms.sigma[index]
                    out[rows] += np.sum(t4_logcdf(z), axis=1)
                else:
                    beyond = np.any(sign * (x - terms.target[index]) < 0.0, axis=1)
                    out[rows] = np.where(beyond, -np.inf, out[rows])
        return np.asarray(out, dtype=np.float64)


__all__ = ["LOWER", "POINT", "UPPER", "U_BOUNDS", "Posterior", "Terms", "dknots", "eta", "jvp", "knot_values"]
