"""The extraction quality gate: pinned score floors per corpus, and the corpus hash they hold for.

    python benchmarks/gate.py --floors dev      # prints "--require f1=0.97 --require ..." for the CLI
                                                # (corpora: gold, seed, dev, dev2)
    python benchmarks/gate.py --check gold      # scores benchmarks/gold, exit 1 below a floor
    python benchmarks/gate.py --update gold     # re-pins the floors to today's scores (never lower
                                                # without --allow-regression)

`baseline.json` beside this file holds, per corpus, the floors and (for the repo's own gold)
the SHA-256 of the annotated files, so a changed gold file cannot silently move the bar.
A floor is the measured score minus a small epsilon, rounded down: a change that lowers a
score below it is a regression.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = Path(__file__).with_name("baseline.json")
CORPORA = {
    "gold": ROOT / "benchmarks" / "gold",
    "seed": ROOT.parent / "shared" / "seed",
    "dev": ROOT.parent / "shared" / "corpus" / "dev",
    "dev2": ROOT.parent / "shared" / "corpus" / "dev2",
}
EPSILON = 0.005
# What the project promises (issue: the claim extractor); a floor never goes below these.
REQUIRED = {"seed": {"f1": 1.0, "claimant": 1.0}, "dev": {"f1": 0.9, "claimant": 0.9}, "gold": {"f1": 0.95}}


def corpus_sha256(folder: Path) -> str:
    """The SHA-256 of a corpus: its manifest, its gold file and every article, in name order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in {".txt", ".jsonl"}):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def load_baseline() -> dict[str, dict[str, object]]:
    return json.loads(BASELINE.read_text(encoding="utf-8"))


def floors(name: str) -> dict[str, float]:
    entry = load_baseline().get(name)
    if entry is None:
        raise SystemExit(f"no floors pinned for {name!r} in {BASELINE}")
    return {key: float(value) for key, value in dict(entry["floors"]).items()}  # type: ignore[call-overload]


def scores(name: str) -> dict[str, float]:
    """Today's scores on a corpus, through the same code path as `counterclaim evaluate`."""
    from counterclaim import api

    folder = CORPORA[name]
    report, _ = api.evaluate_manifest(folder / "gold.jsonl", folder / "manifest.jsonl")
    result = {
        "f1": report.f1,
        "precision": report.precision,
        "recall": report.recall,
        "strict_f1": report.strict_f1,
    }
    result.update(
        {
            attribute: report.accuracy(attribute)
            for attribute in ("qualifier", "claimant", "subject_role", "subject_party", "as_of")
        }
    )
    return result


def below_floors(name: str) -> list[str]:
    """The scores of a corpus that fall below their floors (empty when the gate passes)."""
    pinned = floors(name)
    current = scores(name)
    return [f"{key} {current[key]:.4f} < {floor}" for key, floor in pinned.items() if current[key] < floor]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--floors", choices=sorted(CORPORA), help="print the CLI's --require options")
    group.add_argument("--check", choices=sorted(CORPORA), help="score a corpus and compare with its floors")
    group.add_argument("--update", choices=sorted(CORPORA), help="pin today's scores as the floors")
    parser.add_argument("--allow-regression", action="store_true", help="let --update lower a floor")
    args = parser.parse_args(argv)

    if args.floors:
        print(" ".join(f"--require {key}={value}" for key, value in floors(args.floors).items()))
        return 0
    if args.check:
        failed = below_floors(args.check)
        for line in failed:
            print(f"{args.check}: below the floor: {line}", file=sys.stderr)
        print(f"{args.check}: {'FAIL' if failed else 'ok'}")
        return 1 if failed else 0

    name = args.update
    baseline = load_baseline()
    old = dict(baseline.get(name, {}).get("floors", {}))  # type: ignore[call-overload]
    measured = scores(name)
    new = {key: math.floor((value - EPSILON) * 1000) / 1000 for key, value in measured.items()}
    for key, required in REQUIRED.get(name, {}).items():
        if measured[key] < required:
            print(f"{name}: {key} {measured[key]:.4f} is below the promised {required}", file=sys.stderr)
            return 1
        new[key] = max(new[key], required)
    lowered = [key for key, value in new.items() if key in old and value < float(old[key])]
    if lowered and not args.allow_regression:
        print(f"refusing to lower {', '.join(lowered)} without --allow-regression", file=sys.stderr)
        return 1
    baseline[name] = {"floors": new}
    if name == "gold":
        baseline[name]["sha256"] = corpus_sha256(CORPORA[name])
    BASELINE.write_text(json.dumps(baseline, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{name}: floors pinned: {new}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
