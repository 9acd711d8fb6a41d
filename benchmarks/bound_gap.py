"""How far an "at least" figure sits under its claimant's own figure: ``bound_gap`` from the bundled series.

The model reads "at least v" (or "more than v") as the claimant's own figure v * exp(s), s a
half-normal step of scale ``bound_gap`` (data/priors.toml); how far the claimant's own figure
sits from the truth is its bias, a separate term. So the step is measured against the same
claimant's point figures (exact, about, a range's middle): on the bundled series of the demo
ledger, every at-least figure whose claimant gave point figures on both sides of its day
(within ``WINDOW`` days) is set against them, interpolated on the log scale to its day.

Some pairs are not one count (an extracted "at least 30 captured" beside "about 130 hostages"),
so the scale is estimated robustly: the median |s| of a half-normal is 0.674 times its scale.

    PYTHONPATH=src python benchmarks/bound_gap.py            # builds a demo ledger in a temporary folder
    PYTHONPATH=src python benchmarks/bound_gap.py --db demo.db
"""

from __future__ import annotations

import argparse
import math
import statistics
import tempfile
from pathlib import Path

from counterclaim import api
from counterclaim.reconcile import Observation

#: The claimant's own figures must lie within this many days on each side of the at-least figure.
WINDOW = 400
#: The median of |N(0, 1)|: median |s| / this is the half-normal scale.
HALF_NORMAL_MEDIAN = 0.6745
BOUNDS = ("at_least", "more_than")
POINTS = ("exact", "about", "range")


def steps(db: str) -> list[tuple[str, Observation, float]]:
    """(series id, the at-least claim, log(claimant's own figure that day / its bound)) for each pair."""
    ledger = api.open_ledger(db, create=False)
    found = []
    for series in api.load_series(ledger, api.read_conflicts()):
        dated = [o for o in series.observations if o.as_of is not None]
        for claim in dated:
            if claim.qualifier not in BOUNDS or not claim.low or claim.as_of is None:
                continue
            day = claim.as_of
            own = [o for o in dated if o.claimant == claim.claimant and o is not claim
                   and o.qualifier in POINTS and o.central and o.as_of is not None
                   and abs((o.as_of - day).days) <= WINDOW]  # fmt: skip
            before = [o for o in own if o.as_of is not None and o.as_of <= day]
            after = [o for o in own if o.as_of is not None and o.as_of >= day]
            if not before or not after:
                continue
            left = max(before, key=lambda o: o.as_of or day)
            right = min(after, key=lambda o: o.as_of or day)
            assert left.as_of and right.as_of and left.central and right.central
            span = (right.as_of - left.as_of).days
            share = (day - left.as_of).days / span if span else 0.0
            figure = (1.0 - share) * math.log(left.central) + share * math.log(right.central)
            found.append((series.id, claim, figure - math.log(claim.low)))
    ledger.engine.dispose()
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a demo ledger (counterclaim demo --db FILE); built afresh when absent")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        db = args.db or str(api.demo(Path(folder) / "demo.db").path)
        pairs = steps(db)
    for series_id, claim, step in pairs:
        who = claim.claimant or ""
        print(f"{series_id:<50} {claim.as_of} {who:<28} {claim.low:>12,.0f}  step {step:+.3f}")
    scale = statistics.median(abs(step) for *_, step in pairs) / HALF_NORMAL_MEDIAN
    print(f"{len(pairs)} pairs; bound_gap (median |step| / {HALF_NORMAL_MEDIAN}) = {scale:.3f}")


if __name__ == "__main__":
    main()
