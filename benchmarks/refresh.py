"""What keeping every estimate and checking alert rules costs, beside fitting alone, in one run.

    python benchmarks/refresh.py [--db counterclaim-demo.db]

On the demo ledger (built in a temporary folder unless --db names one), times:
  1. fitting every series alone (`summarize_series` with no ledger: the baseline);
  2. the same, keeping each estimate (`summarize_series(..., ledger=)`): the first time (new
     revisions) and again (nothing new: the duplicate check alone);
  3. `refresh_estimates` with one rule of each kind on every series (nothing changed: the marks
     read, nothing evaluated twice), and after one new claim outside a band (one series fitted
     twice for the outside_band check).
It prints the figures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from counterclaim import api
from counterclaim.alerting import Rule
from counterclaim.models import Document

RULES = [
    Rule("moves", "*", "best_moves", percent=5),
    Rule("band", "*", "outside_band"),
    Rule("who", "*", "new_claimant"),
    Rule("fixes", "*", "corrected"),
]


def _timed(label: str, run: Callable[[], Any], baseline: float | None = None, repeat: int = 1) -> float:
    """The fastest of ``repeat`` runs (the machine's other work only ever adds time)."""
    took = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        took = min(took, time.perf_counter() - started)
    ratio = f"  ({took / baseline:.2f}x fitting alone)" if baseline else ""
    print(f"{label:<66} {took:8.2f} s{ratio}")
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", type=Path, help="a demo ledger to use (made in a temporary folder if absent)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = args.db or Path(folder) / "demo.db"
        ledger = api.demo(path).ledger if not path.exists() else api.open_ledger(str(path))
        conflicts, priors = api.read_conflicts(), api.read_priors()
        series = api.load_series(ledger, conflicts)
        fitted = {s.id: api.fit_series(s, priors, conflicts=conflicts) for s in series if s.observations}
        claims = ledger.counts()["claims"]
        print(f"{len(series)} series, {len(fitted)} with a cumulative claim, {claims:,} claims")

        def plain() -> object:
            return api.summarize_series(series, priors, conflicts=conflicts)

        def keeping() -> object:
            return api.summarize_series(series, priors, conflicts=conflicts, ledger=ledger)

        def unchanged() -> object:
            return api.refresh_estimates(ledger, rules=RULES, priors=priors, conflicts=conflicts)

        pairs = [(s, fitted[s.id]) for s in series if s.id in fitted]
        base = _timed("fit every series (baseline, fastest of 3)", plain, repeat=3)
        kept = ledger.counts()["estimates"]
        _timed("fit every series and keep each estimate", keeping, base)
        print(f"{'':<66} {ledger.counts()['estimates'] - kept} revisions stored")
        _timed("fit and keep again (unchanged: nothing stored; fastest of 3)", keeping, base, repeat=3)
        _timed(
            "keep the fitted estimates alone (duplicate check)",
            lambda: api.record_estimates(ledger, pairs),
            base,
        )
        _timed("refresh_estimates, 4 rules, nothing changed (fastest of 3)", unchanged, base, repeat=3)
        article = Document(
            id="bench-outlier.txt",
            text="KYIV, Sept 23 (Reuters) - Ukraine's General Staff said on Friday that 160,000 Russian "
            "soldiers had been killed since the invasion began.\n",
            published=date(2022, 9, 23),
        )
        summary = api.ingest(ledger, [article])
        new_ids = ledger.claims_of_run(summary.run_id)
        report: dict[str, Any] = {}

        def refresh_new() -> None:
            report["r"] = api.refresh_estimates(
                ledger, new_claim_ids=new_ids, rules=RULES, priors=priors, conflicts=conflicts
            )

        _timed("refresh_estimates of the new claim's series, 4 rules", refresh_new, base)
        print(f"{'':<66} {len(report['r'].alerts)} alerts: {[a['kind'] for a in report['r'].alerts]}")
        ledger.engine.dispose()


if __name__ == "__main__":
    main()
