"""The back-test over the bundled series, in one command: the figures of benchmarks/README.md.

Builds the demo ledger (the bundled tables and sample articles) in a temporary folder, writes
the named-list floors of ``../shared/data/named-military-deaths`` as truths rows, and back-tests
the model beside every transparent rule against those, ``../shared/data/truths.csv`` and the
series' own later verified counts; prints a Markdown table, per method and per horizon.

    PYTHONPATH=src python benchmarks/backtest.py [--shared ../shared] [--every 30d] [--horizons 0,90,365]

The same as the commands (benchmarks/README.md, "Back-test"):

    counterclaim demo --db demo.db
    python benchmarks/named_floors.py ../shared/data/named-military-deaths -o named-floors.csv
    counterclaim backtest --db demo.db --truths ../shared/data/truths.csv --truths named-floors.csv
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from counterclaim import api
from counterclaim.reconcile import backtest as bt
from counterclaim.store import Ledger
from named_floors import main as write_floors


def _pct(value: object) -> str:
    return "–" if not isinstance(value, float | int) else f"{value:.1%}"


def _num(value: object) -> str:
    return "–" if not isinstance(value, float | int) else f"{value:.3f}"


def _ci(value: object) -> str:
    return "–" if not isinstance(value, list) else f"{value[0]:.1%} – {value[1]:.1%}"


def _row(name: str, cell: dict[str, object]) -> str:
    return (
        f"| {name} | {cell['point_pairs']} | {_pct(cell['coverage'])} | {_ci(cell['coverage_ci'])} "
        f"| {_num(cell['interval_score'])} | {_num(cell['median_abs_log_error'])} | {cell['floor_pairs']} "
        f"| {_pct(cell['floor_consistency'])} | {_ci(cell['floor_consistency_ci'])} "
        f"| {_num(cell['floor_pinball'])} |"
    )


HEADER = (
    "| method | points | coverage | 95% interval | interval score | median \\|log error\\| | floors "
    "| floors reached | 95% interval | floor pinball |\n"
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"
)


def _held_out(ledger: Ledger, measures: list[str], every: str, horizons: str) -> bt.BacktestReport:
    """The back-test's report targets on other measures of the same bodies (e.g. the Gaza
    ministry's count of the wounded): a check of the predictive on series it was not built on."""
    conflicts = api.read_conflicts()
    rules = bt.load_report_rules()
    chosen = bt.FloorRules(
        frozenset(measures), rules.qualifiers, rules.relations, rules.claimants, rules.min_horizon
    )
    nothing = bt.FloorRules(frozenset(), frozenset(), frozenset(), frozenset())
    series = [s for s in api.load_series(ledger, conflicts) if s.measure in measures]
    return bt.backtest(
        series, conflicts=conflicts, floor_rules=nothing, report_rules=chosen, every=bt.parse_span(every),
        horizons=bt.parse_horizons(horizons), priors=api.read_priors(),
    )  # fmt: skip


def _misses(report: bt.BacktestReport) -> None:
    """Per series and horizon, the model's later reports covered, above its band and below it."""
    print("\nper series, the model on later reports: covered / pairs (above the band, below it)")
    for series_id in report.series:
        mine = [
            p for p in report.scores["model"].pairs if p.series == series_id and p.target.kind == "report"
        ]
        for horizon in sorted({p.horizon for p in mine}):
            at = [p for p in mine if p.horizon == horizon]
            above = sum(p.target.value > p.estimate.high for p in at)
            below = sum(p.target.value < p.estimate.low for p in at)
            covered = sum(p.covered for p in at)
            print(f"- {series_id}, {horizon} days: {covered}/{len(at)} ({above} above, {below} below)")


def main(argv: list[str] | None = None) -> int:
    """Run it and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[1].parent / "shared")
    parser.add_argument("--every", default="30d")
    parser.add_argument("--horizons", default="0,90,365")
    parser.add_argument("--json", type=Path, help="also write the JSON report here")
    parser.add_argument(
        "--held-out",
        default="wounded,captured",
        help="measures whose later reports are NOT targets of the back-test, scored apart as a check "
        "of the predictive on series it was not built on ('' for none)",
    )
    args = parser.parse_args(argv)
    held_out: bt.BacktestReport | None = None
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        built = api.demo(Path(folder) / "demo.db")
        floors = Path(folder) / "named-floors.csv"
        write_floors([str(args.shared / "data" / "named-military-deaths"), "-o", str(floors)])
        demo_seconds = time.perf_counter() - started
        started = time.perf_counter()
        report = api.backtest(
            built.ledger, api.read_conflicts(), api.read_priors(), every=args.every, horizons=args.horizons,
            truths=[args.shared / "data" / "truths.csv", floors],
        )  # fmt: skip
        seconds = time.perf_counter() - started
        if args.held_out:
            held_out = _held_out(built.ledger, args.held_out.split(","), args.every, args.horizons)
        built.ledger.engine.dispose()
    data = report.to_dict()
    print(f"demo ledger built in {demo_seconds:.1f} s; back-test in {seconds:.1f} s")
    print(f"series: {', '.join(report.series)}")
    for line in report.skipped:
        print(f"skipped: {line}")
    print(f"\nall horizons (origins every {report.every} days)\n\n{HEADER}")
    for name, cell in data.items():
        print(_row(name, cell))
    for kind in ("report", "truth", "floor"):
        print(f"\n{kind} targets\n\n{HEADER}")
        for name, cell in data.items():
            print(_row(name, cell["by_kind"][kind]))
    for horizon in report.horizons:
        print(f"\nhorizon {horizon} days\n\n{HEADER}")
        for name, cell in data.items():
            if cell["by_horizon"][str(horizon)]["pairs"]:
                print(_row(name, cell["by_horizon"][str(horizon)]))
    print("\nper series: covered / pairs")
    for series_id in report.series:
        cells = []
        for name, score in report.scores.items():
            mine = [p for p in score.pairs if p.series == series_id]
            cells.append(f"{name} {sum(p.covered for p in mine)}/{len(mine)}")
        print(f"- {series_id}: {'; '.join(cells)}")
    _misses(report)
    if held_out is not None:
        print(f"\nheld out: later reports of the same bodies on {args.held_out} (no floor, no truth)")
        print(f"\n{HEADER}")
        scored = held_out.to_dict()
        for name, cell in scored.items():
            print(_row(name, cell))
        for horizon in held_out.horizons:
            cell = scored["model"]["by_horizon"][str(horizon)]
            if cell["point_pairs"]:
                print(f"\nheld out, horizon {horizon} days\n\n{HEADER}\n{_row('model', cell)}")
        _misses(held_out)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
