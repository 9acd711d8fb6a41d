"""Named-list floors for the back-test: the named military dead by date of death, as truths.csv rows.

The Mediazona/BBC list (Russian dead) and UALosses (Ukrainian dead) count deaths by the day they
happened, as known when the lists were last copied (2025-11-08). The deaths named with a date on
or before day D are a floor of the true toll on D: each month's end becomes one row of kind
``named`` (qualifier ``at_least``), published on the lists' date. The lists stay in
``../shared/data`` (their owners' terms apply to redistribution); this writes the rows to a file
of yours, for ``counterclaim backtest --truths FILE``:

    python benchmarks/named_floors.py ../shared/data/named-military-deaths -o named-floors.csv
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date, timedelta
from pathlib import Path

#: (file, subject party, id prefix): the daily counts by date of death.
LISTS = (
    ("russia_daily_2025-11-08.json", "Russia", "NLR", "Mediazona/BBC named list (by death date)"),
    ("ukraine_daily-deduplicated_2025-11-08.json", "Ukraine", "NLU", "UALosses named list (by death date)"),
)
PUBLISHED = "2025-11-08"
COLUMNS = ("id", "quantity", "subject_party", "claimant", "kind", "as_of", "published", "value", "low",
           "high", "qualifier", "source")  # fmt: skip


def month_ends(daily: dict[str, dict[str, int]]) -> list[tuple[date, int]]:
    """The cumulative deaths at each month's end (and at the list's last day), by date of death."""
    days = sorted((date.fromisoformat(key), int(value.get("deaths", 0))) for key, value in daily.items())
    rows: list[tuple[date, int]] = []
    total = 0
    for index, (day, deaths) in enumerate(days):
        total += deaths
        last = index == len(days) - 1
        if last or (day + timedelta(days=1)).month != day.month or days[index + 1][0].month != day.month:
            rows.append((day, total))
    return rows


def main(argv: list[str] | None = None) -> int:
    """Write the rows; the folder is ../shared/data/named-military-deaths."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path, help="../shared/data/named-military-deaths")
    parser.add_argument("-o", "--output", type=Path, required=True, help="the CSV file to write")
    args = parser.parse_args(argv)
    written = 0
    with args.output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        for file, party, prefix, claimant in LISTS:
            daily = json.loads((args.folder / file).read_text(encoding="utf-8"))
            for number, (day, total) in enumerate(month_ends(daily), 1):
                row = (f"{prefix}{number}", "military_killed", party, claimant, "named", day.isoformat(),
                       PUBLISHED, total, "", "", "at_least", f"ukrwarlosses {file}")  # fmt: skip
                writer.writerow(row)
                written += 1
    sys.stderr.write(f"wrote {written} floors to {args.output}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
