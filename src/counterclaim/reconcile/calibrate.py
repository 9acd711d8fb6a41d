"""Calibration of the bias priors against a truths file: check them, or fit them on a small grid."""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from counterclaim.errors import ReconcileError
from counterclaim.reconcile.priors import Priors, load_priors
from counterclaim.reconcile.truths import Check, Score, evaluate_checks

#: The grid `calibrate --fit` searches: a shift of the mean of each (relation, quantity) the
#: inputs use, and one scale of their sds.
MEAN_SHIFTS = (-0.4, -0.2, 0.0, 0.2, 0.4)
SD_SCALES = (0.75, 1.0, 1.5)
# Coverage at or above 90% is as good as any higher coverage: over a handful of checks, 100% is
# luck, not a better model.
_ENOUGH_COVERAGE = 0.9
# Gains in median |log error| below this (5%) are noise over a handful of checks: among the
# points within it of the best, the one closest to the current priors wins.
ERROR_TOLERANCE = 0.05


@dataclass(frozen=True)
class GridPoint:
    """One tried setting of the priors and the model's score with it."""

    shifts: dict[tuple[str, str, str], float]
    sd_scale: float
    score: Score

    @property
    def shortfall(self) -> float:
        """How far coverage falls short of 90%."""
        return max(0.0, _ENOUGH_COVERAGE - self.score.coverage)

    @property
    def error(self) -> float:
        """Median |log error| (infinite when no check has one)."""
        error = self.score.median_abs_log_error
        return math.inf if error is None else error

    @property
    def distance(self) -> float:
        """How far the point moves the priors."""
        return sum(abs(v) for v in self.shifts.values()) + abs(math.log(self.sd_scale))


def residuals(checks: Sequence[Check], priors: Priors | None = None) -> list[dict[str, object]]:
    """Each input claim against its later figure: log(claim / later) beside its prior's mean and sd.

    Only checks with a central later figure (not floors) count. The later figure may be of a
    later day than the claim, so an own-side count in a growing war looks more biased than it
    is; read these as a check of sign and size, which is what `calibrate` prints.
    """
    table = priors or load_priors()
    rows: list[dict[str, object]] = []
    for check in checks:
        if check.floor:
            continue
        for obs in check.inputs:
            central = obs.central
            if central is None or central <= 0 or obs.kind not in ("point", "interval"):
                continue
            prior = table.lookup(obs.relation, obs.measure, obs.role)
            residual = math.log(central / check.truth)
            z = (residual - prior.mean) / math.hypot(prior.sd, prior.noise)
            rows.append(
                {"check": check.row.id, "claim": obs.key, "relation": obs.relation,
                 "quantity": f"{obs.measure}·{obs.role}", "log_ratio": round(residual, 3),
                 "prior_mean": prior.mean, "prior_sd": prior.sd, "z": round(z, 2),
                 "within_90": abs(z) <= 1.645}
            )  # fmt: skip
    return rows


def fit_priors(
    checks: Sequence[Check], priors: Priors | None = None, *, seed: int = 0
) -> tuple[Priors, list[GridPoint]]:
    """The priors of the best grid point and every point tried.

    Best: the least coverage shortfall, then, among the points whose median |log error| is
    within :data:`ERROR_TOLERANCE` of the lowest, the one that moves the priors least.
    """
    base = priors or load_priors()
    keys = sorted({(o.relation, o.measure, o.role) for check in checks for o in check.inputs})
    points = []
    for shifts in itertools.product(MEAN_SHIFTS, repeat=len(keys)):
        for scale in SD_SCALES:
            shift = dict(zip(keys, shifts, strict=True))
            candidate = base.adjusted({key: (value, scale) for key, value in shift.items()})
            score = evaluate_checks(checks, methods=["model"], priors=candidate, seed=seed)["model"]
            points.append(GridPoint(shift, scale, score))
    shortfall = min(p.shortfall for p in points)
    eligible = [p for p in points if p.shortfall == shortfall]
    lowest = min(p.error for p in eligible)
    best = min(
        (p for p in eligible if p.error <= lowest + ERROR_TOLERANCE), key=lambda p: (p.distance, p.error)
    )
    return base.adjusted({key: (value, best.sd_scale) for key, value in best.shifts.items()}), points


def calibration_report(
    checks: Sequence[Check], priors: Priors, *, fit: bool = False, source: str = "the truths file"
) -> tuple[dict[str, object], Priors | None]:
    """What ``calibrate`` reports, and the fitted priors (with ``fit``; else None).

    The report holds ``residuals`` (each input against its later figure) and ``model`` (the
    model's score); with ``fit`` also ``fitted`` (the score with the fitted priors),
    ``grid_points`` and ``fitted_priors`` (mean and sd by relation/measure/role).
    """
    if not checks:
        raise ReconcileError(
            f"{source} gives no check: no later figure has an input of its quantity and party"
        )
    report: dict[str, object] = {
        "residuals": residuals(checks, priors),
        "model": evaluate_checks(checks, methods=["model"], priors=priors)["model"].to_dict(),
    }
    if not fit:
        return report, None
    fitted, points = fit_priors(checks, priors)
    report["fitted"] = evaluate_checks(checks, methods=["model"], priors=fitted)["model"].to_dict()
    report["grid_points"] = len(points)
    report["fitted_priors"] = {
        "/".join(key): {"mean": fitted.lookup(*key).mean, "sd": fitted.lookup(*key).sd}
        for key in sorted({(o.relation, o.measure, o.role) for c in checks for o in c.inputs})
    }
    return report, fitted
