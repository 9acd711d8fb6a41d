"""Growth past the last claim, checked on the bundled series: how tolls grew after a claimant's figure.

A series with claims on one day only has no rate of its own: past it the model grows the toll by
log(τ(t2) / τ(t1)) · exp(u), τ the days since the conflict's start, u ~ Normal(growth.mean,
growth.sd) (data/priors.toml, [growth]). Leave-one-out on the bundled series: every claimant
with many exact or "about" figures in one series gives, for each of its figures v1 on day t1
and its first figure v2 at least h days later (h = 90, 180, 270, 365), the growth exponent that
actually followed, u = log(log(v2 / v1) / log(τ(t2) / τ(t1))) (the claimant's bias cancels in
v2 / v1). The prior's 90% band should hold about 90% of them.

    PYTHONPATH=src python benchmarks/extrapolation.py            # builds a demo ledger in a temporary folder
    PYTHONPATH=src python benchmarks/extrapolation.py --db demo.db
"""

from __future__ import annotations

import argparse
import math
import tempfile
from collections import defaultdict
from pathlib import Path

import numpy as np

from counterclaim import api

HORIZONS = (90, 180, 270, 365)
#: A claimant needs this many point figures in a series to be read.
MOST_FIGURES = 20
#: The second figure must lie within this many days after the horizon.
SLACK = 14
#: The days before and after a figure over which the change of its growth exponent is read.
CHANGE_SPAN = 90
Z90 = 1.6449


def exponents(db: str) -> dict[str, list[float]]:
    """The growth exponents that followed each figure, by series and claimant."""
    found: dict[str, list[float]] = {}
    for name, start, figures in _figures(db):
        days = np.array([d for d, _ in figures])
        values = np.array([v for _, v in figures])
        out = []
        for day, value in figures:
            if day - start <= 0:
                continue  # a figure dated before the conflict's start has no clock
            for h in HORIZONS:
                j = int(np.searchsorted(days, day + h))
                if j >= len(days) or days[j] > day + h + SLACK:
                    continue
                rise = values[j] - value
                if rise > 0:
                    out.append(math.log(rise / math.log((days[j] - start) / (day - start))))
        found[name] = out
    return found


def _figures(db: str) -> list[tuple[str, int, list[tuple[int, float]]]]:
    """Each claimant with many exact or "about" figures in a series: (name, clock start, figures)."""
    ledger = api.open_ledger(db, create=False)
    out = []
    for series in api.load_series(ledger, api.read_conflicts()):
        if series.start is None:
            continue
        by_claimant: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for o in series.observations:
            if o.qualifier in ("exact", "about") and o.as_of and o.central and o.central > 0:
                by_claimant[o.claimant or ""].append((o.as_of.toordinal(), math.log(o.central)))
        for claimant, figures in by_claimant.items():
            if len(figures) >= MOST_FIGURES:
                out.append((f"{series.id} ({claimant})", series.start.toordinal() - 1, sorted(figures)))
    ledger.engine.dispose()
    return out


def changes(db: str, span: int = CHANGE_SPAN) -> dict[str, list[float]]:
    """How much the growth exponent changed at each figure: u over the ``span`` days after it
    minus u over the ``span`` days before it (what the step past the last claim must cover).
    A claimant whose figure did not grow in the days after gives u = log(1e-6): growth stopped."""
    found: dict[str, list[float]] = {}
    for name, start, figures in _figures(db):
        days = np.array([d for d, _ in figures])
        values = np.array([v for _, v in figures])
        out = []
        for day, value in figures:
            i = int(np.searchsorted(days, day - span, side="right")) - 1
            j = int(np.searchsorted(days, day + span))
            if i < 0 or j >= len(days) or days[i] < day - span - SLACK or days[j] > day + span + SLACK:
                continue
            if days[i] - start <= 0 or value - values[i] <= 0:
                continue
            before = math.log((value - values[i]) / math.log((day - start) / (days[i] - start)))
            after = math.log(max(values[j] - value, 1e-6) / math.log((days[j] - start) / (day - start)))
            out.append(after - before)
        found[name] = out
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a demo ledger (counterclaim demo --db FILE); built afresh when absent")
    args = parser.parse_args()
    priors = api.read_priors()
    mean, sd = priors.growth_mean, priors.growth_sd
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(api.demo(Path(folder) / "demo.db").path)
        found = exponents(db)
        changed = changes(db)
    print(f"{'series (claimant)':<72} {'pairs':>6} {'median u':>9} {'5%':>6} {'95%':>6}")
    for name, values in sorted(found.items()):
        if values:
            q05, q50, q95 = np.quantile(values, [0.05, 0.5, 0.95])
            print(f"{name:<72} {len(values):>6} {q50:>9.2f} {q05:>6.2f} {q95:>6.2f}")
    pooled = np.array([u for values in found.values() for u in values])
    for label, scale in (("the prior", sd), ("the prior widened by a step (x1.41)", sd * math.sqrt(2))):
        inside = np.mean(np.abs(pooled - mean) <= Z90 * scale)
        print(f"u ~ Normal({mean}, {scale:.2f}), {label}: its 90% band holds {inside:.1%} of {len(pooled)}")
    print(f"share under the prior's median: {np.mean(pooled < mean):.1%}")
    print(f"\nthe change of u from the {CHANGE_SPAN} days before a figure to the {CHANGE_SPAN} days after it")
    heads = ("1%", "5%", "median", "95%", "99%", "sd")
    print(f"{'series (claimant)':<72} {'pairs':>6} " + " ".join(f"{h:>6}" for h in heads))
    rows = [(name, values) for name, values in sorted(changed.items()) if values]
    rows.append(("pooled", [u for values in changed.values() for u in values]))
    for name, values in rows:
        q = np.quantile(values, [0.01, 0.05, 0.5, 0.95, 0.99])
        cells = [*q, float(np.std(values))]
        print(f"{name:<72} {len(values):>6} " + " ".join(f"{v:>6.2f}" for v in cells))
    step = np.array(rows[-1][1])
    print(f"a Normal(0, {sd:.2f}) step (the largest the model takes): its 90% band holds "
          f"{np.mean(np.abs(step) <= Z90 * sd):.1%} of {len(step)}")  # fmt: skip


if __name__ == "__main__":
    main()
