"""Recall of displacement figures on IDMC's IDETECT excerpts, an outside benchmark.

    python benchmarks/idetect.py [--set test|dev] [--data ../shared/data/idmc-displacement] [--misses]

Protocol (the data folder's README): an excerpt's gold figure counts as found when the
extractor emits a displaced / evacuated / refugees claim whose value equals the gold
quantity, in the gold unit (households are a unit, not people); for housing terms
(destroyed or damaged homes), it counts as found when no people claim carries that
number. `test` is the challenge's 312 excerpts, to report only; `dev` is the 133 fully
labelled excerpts that mention a figure. Each excerpt takes a user's document's path: the
language screen (a Spanish excerpt is read by the Spanish pack, one in a language with no
pack is skipped with E110, as `counterclaim extract` would), then the extractor.

On `dev`, the 57 excerpts not labelled as mentioning a figure (Mentions = N or blank) are
listed with the displacement figures claimed in them (`--misses` prints them): most of those
are figures the text does state (IDMC did not count them: repeats, totals), so a change in
their number is to be read claim by claim, not scored as precision.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from counterclaim import Claim, extract_claims
from counterclaim.ingest.language import screen
from counterclaim.models import Document

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "idmc-displacement"
DISPLACEMENT = {"displaced", "evacuated", "refugees"}
HOUSING = {"Destroyed Housing", "Partially Destroyed Housing", "Uninhabitable Housing"}


def rows(data: Path, which: str) -> list[tuple[str, str, int, str, str]]:
    """(id, excerpt, quantity, term, unit) for every scored row."""
    found = []
    if which == "test":
        with (data / "IDETECT_test_dataset_NLP.csv").open(encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                if row["Quantity"].strip():
                    found.append(
                        (
                            row["excerpt_id"],
                            row["excerpt"],
                            int(float(row["Quantity"])),
                            row["Term"].strip(),
                            row["Unit"].strip(),
                        )
                    )
    else:
        with (data / "IDMC_fully_labelled.csv").open(encoding="utf-8") as handle:
            for number, row in enumerate(csv.DictReader(handle), start=1):
                figure = row["Displacement figure"].replace(",", "").strip()
                if row["Mentions"].strip().upper() == "Y" and figure:
                    found.append(
                        (
                            str(number),
                            row["Excerpt"],
                            int(float(figure)),
                            row["Reporting term"].strip(),
                            row["Reporting unit"].strip(),
                        )
                    )
    return found


def no_figure_rows(data: Path) -> list[tuple[str, str]]:
    """(id, excerpt) of the development excerpts not labelled as mentioning a figure."""
    with (data / "IDMC_fully_labelled.csv").open(encoding="utf-8") as handle:
        return [
            (str(number), row["Excerpt"])
            for number, row in enumerate(csv.DictReader(handle), start=1)
            if row["Mentions"].strip().upper() != "Y"
        ]


def claims_of(excerpt_id: str, excerpt: str) -> list[Claim]:
    """The claims of an excerpt read as a user's document: screened for its language, then extracted."""
    [item] = list(screen([Document(id=excerpt_id, text=excerpt)]))
    if not isinstance(item, Document):
        return []  # skipped (E110: a language with no pack; E115: not prose)
    return extract_claims(item.text, doc=item.id, language=item.language)


def _value(claim: Claim) -> int | None:
    if claim.value is not None:
        return claim.value
    return claim.low if claim.low == claim.high else None


def is_found(claims: list[Claim], quantity: int, term: str, unit: str) -> bool:
    if term in HOUSING:
        return not any(_value(c) == quantity and c.unit == "people" for c in claims)
    wanted_unit = "households" if unit.lower().startswith("household") else "people"
    return any(c.measure in DISPLACEMENT and _value(c) == quantity and c.unit == wanted_unit for c in claims)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", choices=["test", "dev"], default="test")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--misses", action="store_true", help="list the excerpts whose figure was missed")
    args = parser.parse_args(argv)
    if not args.data.exists():
        print(
            f"{args.data} not found: the IDETECT data sits in ../shared/data beside the project",
            file=sys.stderr,
        )
        return 1
    scored = rows(args.data, args.set)
    found_by_term: Counter[str] = Counter()
    total_by_term: Counter[str] = Counter()
    for excerpt_id, excerpt, quantity, term, unit in scored:
        claims = claims_of(excerpt_id, excerpt)
        hit = is_found(claims, quantity, term, unit)
        total_by_term[term] += 1
        found_by_term[term] += hit
        if args.misses and not hit:
            got = [(c.measure, _value(c), c.unit) for c in claims]
            print(f"miss {excerpt_id}: {quantity} {unit} {term} — got {got} — {excerpt[:160]!r}")
    total = sum(total_by_term.values())
    found = sum(found_by_term.values())
    print(f"IDETECT {args.set}: {found}/{total} figures found, recall {found / total:.3f}")
    for term, count in total_by_term.most_common():
        print(f"  {term:30} {found_by_term[term]:4}/{count:<4} {found_by_term[term] / count:.3f}")
    if args.set == "dev":
        unlabelled = no_figure_rows(args.data)
        claimed = 0
        for excerpt_id, excerpt in unlabelled:
            figures = [c for c in claims_of(excerpt_id, excerpt) if c.measure in DISPLACEMENT]
            claimed += len(figures)
            if args.misses and figures:
                got = [(c.measure, _value(c), c.unit) for c in figures]
                print(f"unlabelled {excerpt_id}: {got} — {excerpt[:160]!r}")
        print(f"excerpts labelled with no figure: {len(unlabelled)}, displacement figures in them: {claimed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
