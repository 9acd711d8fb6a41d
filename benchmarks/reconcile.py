"""Speed and accuracy of reconciliation: the model beside the transparent rules, measured in one run.

    PYTHONPATH=src python benchmarks/reconcile.py            # everything (about a minute or two)
    PYTHONPATH=src python benchmarks/reconcile.py --quick    # 100 series instead of 2,000

1. One synthetic series of 10,000 claims: time to fit and estimate, and each method's 90%
   coverage and median |log error| against the known truth on 20 days.
2. A synthetic ledger of one million claims (2,000 series of 500 claims, fixed seed, in memory):
   every series reconciled by the model (on 2 worker processes) and by each rule; wall time and
   accuracy on each series' last day.
3. The real truths file (../shared/data/truths.csv), when it is beside the project.

The synthetic claims follow the model's own assumptions (one bias per claimant drawn from the
shipped priors, below zero for monitors and own-side soldiers' counts, above it for enemies'
counts; Student-t noise; "at least" figures a half-normal step under the claimant's figure, and
never above the truth when a monitor or the counted side gives them), so their accuracy figures
check the implementation, not the assumptions; section 3 does that.
"""

from __future__ import annotations

import argparse
import math
import multiprocessing
import os
import platform
import statistics
import sys
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from counterclaim.reconcile import METHOD_NAMES, Observation, load_priors, make_method
from counterclaim.reconcile.truths import build_checks, evaluate_checks, parse_truths

START = date(2022, 2, 24)
SHARED = Path(__file__).resolve().parents[1] / ".." / "shared"
RELATIONS = ("own", "adversary", "monitor", "independent", "unknown")
SHARES = (0.2, 0.3, 0.15, 0.25, 0.1)


def synthetic_series(seed: int, n_claims: int, days: int = 900) -> tuple[list[Observation], float, float]:
    """Claims about one cumulative toll N(t) = rate * (t + 1) ** shape, and the (rate, shape) drawn."""
    rng = np.random.default_rng(seed)
    priors = load_priors()
    rate, shape = math.exp(rng.uniform(math.log(5), math.log(500))), rng.uniform(0.6, 1.3)
    n_actors = int(rng.integers(3, 13))
    relations = rng.choice(RELATIONS, size=n_actors, p=SHARES)
    biases = []
    for relation in relations:
        prior = priors.lookup(str(relation), "killed", "military")
        bias = rng.normal(prior.mean, prior.sd)
        # the model's bias prior: a normal, cut at zero where the claimant's figures run under
        # (floor) or over (ceiling) the truth; drawn again until it falls on the right side
        while (prior.floor and bias > 0) or (prior.ceiling and bias < 0):
            bias = rng.normal(prior.mean, prior.sd)
        biases.append(bias)
    actor = rng.integers(0, n_actors, size=n_claims)
    day = rng.integers(1, days, size=n_claims)
    qualifier = rng.choice(
        ["exact", "about", "at_least", "more_than"], size=n_claims, p=(0.6, 0.3, 0.05, 0.05)
    )
    claims = []
    for a, d, q in zip(actor, day, qualifier, strict=True):
        relation = str(relations[a])
        prior = priors.lookup(relation, "killed", "military")
        # the own-side lag of the model: a party's count of its own trails, then catches up
        gain = prior.lag_persist + (1.0 - prior.lag_persist) * math.exp(-float(d) / prior.lag_days)
        true = truth(rate, shape, START + timedelta(days=int(d)))
        # Student-t noise with 4 degrees of freedom, as the model reads it
        value = true * math.exp(biases[a] * gain + prior.noise * rng.standard_t(4))
        if q in ("at_least", "more_than"):  # a bound sits below what its claimant believes
            step = abs(rng.normal(0, priors.bound_gap))
            # a verified minimum (a monitor's, a party's own) is never above the truth: the
            # model's wall times its term, a cut distribution, so drawn again (as the biases
            # are) until it falls under the truth; clipping would pile the figures on the truth
            while prior.bounds_bind and value * math.exp(-step) > true:
                value = true * math.exp(biases[a] * gain + prior.noise * rng.standard_t(4))
                step = abs(rng.normal(0, priors.bound_gap))
            value *= math.exp(-step)
        claims.append(
            Observation(claimant=f"actor {a}", relation=relation, qualifier=str(q), value=round(value),
                        as_of=START + timedelta(days=int(d)), role="military", key=f"{seed}-{len(claims)}")
        )  # fmt: skip
    return claims, rate, shape


def truth(rate: float, shape: float, day: date) -> float:
    """The toll on ``day``: rate x (days of fighting, the start day counted as the first) ** shape."""
    return rate * ((day - START).days + 1) ** shape


def score(rows: Sequence[tuple[float, float, float, float]]) -> tuple[float, float]:
    """(coverage, median |log error|) of (low, best, high, truth) rows."""
    covered = sum(low <= t <= high for low, _, high, t in rows) / len(rows)
    return covered, statistics.median(abs(math.log(max(best, 0.5) / t)) for _, best, _, t in rows)


def one_big_series() -> None:
    claims, rate, shape = synthetic_series(seed=1, n_claims=10_000)
    days = [START + timedelta(days=d) for d in range(45, 900, 45)]
    print("1. one series of 10,000 claims")
    print(f"   {'method':<24} {'fit+estimate s':>14} {'coverage':>9} {'median |log err|':>17}")
    for name in METHOD_NAMES:
        began = time.perf_counter()
        fitted = make_method(name, seed=0, origin=START).fit(claims)
        estimate = fitted.estimate(days[-1])
        elapsed = time.perf_counter() - began
        rows = [(e.low, e.best, e.high, truth(rate, shape, e.as_of)) for e in map(fitted.estimate, days)]
        coverage, error = score(rows)
        assert estimate.low <= estimate.best <= estimate.high
        print(f"   {name:<24} {elapsed:>14.3f} {coverage:>9.0%} {error:>17.3f}")


#: The synthetic ledger, built once in the parent; forked workers read it without copying.
LEDGER: list[tuple[list[Observation], float, float]] = []


def _reconcile_chunk(
    job: tuple[Sequence[int], Sequence[str]],
) -> dict[str, list[tuple[float, float, float, float]]]:
    indices, methods = job
    out: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in methods}
    for index in indices:
        claims, rate, shape = LEDGER[index]
        last = max(c.as_of for c in claims if c.as_of)
        for name in methods:
            est = make_method(name, seed=0, origin=START).fit(claims).estimate(last)
            out[name].append((est.low, est.best, est.high, truth(rate, shape, last)))
    return out


def _run(
    methods: Sequence[str], workers: int
) -> tuple[float, dict[str, list[tuple[float, float, float, float]]]]:
    chunks = [(range(i, len(LEDGER), workers * 8), methods) for i in range(workers * 8)]
    results: dict[str, list[tuple[float, float, float, float]]] = {name: [] for name in methods}
    began = time.perf_counter()
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
        for part in pool.map(_reconcile_chunk, chunks):
            for name, rows in part.items():
                results[name].extend(rows)
    return time.perf_counter() - began, results


def million_claims(n_series: int, workers: int) -> None:
    print(f"2. a ledger of {n_series * 500:,} claims: {n_series:,} series of 500, {workers} worker processes")
    began = time.perf_counter()
    LEDGER.extend(synthetic_series(seed=s, n_claims=500) for s in range(1000, 1000 + n_series))
    print(
        f"   claims generated in memory: {time.perf_counter() - began:.1f} s (not part of the timings below)"
    )
    model_time, results = _run(["model"], workers)
    rules_time, rule_results = _run(list(METHOD_NAMES[1:]), workers)
    results.update(rule_results)
    print(
        f"   model, every series: {model_time:.1f} s wall; the four rules together: {rules_time:.1f} s wall"
    )
    print(f"   {'method':<24} {'coverage':>9} {'median |log err|':>17}   (on each series' last day)")
    for name in METHOD_NAMES:
        coverage, error = score(results[name])
        print(f"   {name:<24} {coverage:>9.0%} {error:>17.3f}")


def real_truths() -> None:
    path = SHARED / "data" / "truths.csv"
    if not path.exists():
        print(f"3. skipped: {path} is not beside the project")
        return
    checks, skipped = build_checks(parse_truths(path.read_text(encoding="utf-8")))
    print(f"3. truths.csv: {len(checks)} checks ({len(skipped)} later figure(s) without inputs)")
    print(f"   {'method':<24} {'coverage':>9} {'median |log err|':>17}")
    for name, result in evaluate_checks(checks).items():
        error = result.median_abs_log_error
        print(f"   {name:<24} {result.coverage:>9.0%} {'' if error is None else f'{error:.3f}':>17}")


def main() -> None:
    # BLAS threads on top of the worker processes only fight for the two cores; numpy reads this
    # when it loads, so the script starts itself again with one thread each
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        os.environ.update(OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        os.execv(sys.executable, [sys.executable, *sys.argv])
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 series instead of 2,000")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    machine = f"{os.cpu_count()} cores, {platform.machine()}"
    print(f"python {platform.python_version()}, numpy {np.__version__}, {machine}")
    one_big_series()
    million_claims(100 if args.quick else 2000, args.workers)
    real_truths()


if __name__ == "__main__":
    main()
