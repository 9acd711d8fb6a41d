"""Extraction scores per source dataset, and each source left out: does a change generalise?

    python benchmarks/sources.py                      # per source, today's extractor
    python benchmarks/sources.py --baseline HEAD~3    # the same beside another commit's extractor
    python benchmarks/sources.py --json               # machine-readable

The development articles come from several source datasets (the manifests name each one):
FA-KES Syria reports, GDELT-collected Russia–Ukraine articles, a news tracker of UN News and
world news pages, a crawl of Ukraine-war pages, BBC 2004–05, the seed article, and the
project's own written gold. Rules tuned on some of them must also hold on the others, so every
score is given per source, and as "all but one": the articles of every other source together,
which is what a rule written while looking at that one source is judged on.

With ``--baseline REF`` the extractor of that commit (checked out in a temporary git worktree
and run in a subprocess) is scored on the same articles, and each cell shows the change.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# (corpus name, folder, manifest, gold)
CORPORA = (
    ("seed", SHARED / "seed", "manifest.jsonl", "gold.jsonl"),
    ("dev", SHARED / "corpus" / "dev", "manifest.jsonl", "gold.jsonl"),
    ("dev2", SHARED / "corpus" / "dev2", "manifest.jsonl", "gold.jsonl"),
    ("gold", ROOT / "benchmarks" / "gold", "manifest.jsonl", "gold.jsonl"),
)
# The first word of a manifest's `dataset` names the source; short names for the table.
SOURCE_NAMES = {
    "fmohsen/Fake-news-res": "FA-KES Syria",
    "hellaskella33/ukraine-war-news-sentiment-analysis": "GDELT Ukraine",
    "myidkd1-coder/perplexity-news-tracker": "news tracker",
    "Kjdragan/universal_agent": "Ukraine crawl",
    "dejanbatanjac/bbc-article-classify-bert": "BBC 2004-05",
}
COLUMNS = ("gold", "P", "R", "F1", "claimant", "as_of", "party", "role", "strict")


def source_of(corpus: str, entry: dict[str, object]) -> str:
    if corpus == "gold":
        return "project gold"
    if corpus == "seed":
        return "seed"
    dataset = str(entry.get("dataset") or "").split(" ")[0]
    return SOURCE_NAMES.get(dataset, dataset or "unknown")


def score_rows() -> dict[str, dict[str, float]]:
    """Every source's scores, and every source's complement ("all but X"), with this checkout."""
    sys.path.insert(0, str(ROOT / "src"))
    from counterclaim.errors import InputError
    from counterclaim.evaluate import Report, evaluate
    from counterclaim.extract import default_extractor
    from counterclaim.formats import read_claims
    from counterclaim.ingest.inputs import read_manifest
    from counterclaim.models import Claim

    extractor = default_extractor()
    gold: dict[str, list[Claim]] = defaultdict(list)
    predicted: dict[str, list[Claim]] = defaultdict(list)
    for corpus, folder, manifest, gold_file in CORPORA:
        if not (folder / manifest).exists():
            continue
        sources: dict[str, str] = {}
        with (folder / manifest).open(encoding="utf-8") as handle:
            for line in handle:
                if line.strip():
                    entry = json.loads(line)
                    sources[Path(entry["file"]).name] = source_of(corpus, entry)
        for claim in read_claims(folder / gold_file):
            gold[sources[Path(claim.doc or "").name]].append(claim)
        for document in read_manifest(folder / manifest):
            if isinstance(document, InputError):
                raise SystemExit(f"cannot read {document}")
            claims = extractor.extract(document.text, published=document.published, doc=document.id)
            predicted[sources[Path(document.id).name]].extend(claims)

    def row(report: Report) -> dict[str, float]:
        return {
            "gold": report.gold_count,
            "P": report.precision,
            "R": report.recall,
            "F1": report.f1,
            "claimant": report.accuracy("claimant"),
            "as_of": report.accuracy("as_of"),
            "party": report.accuracy("subject_party"),
            "role": report.accuracy("subject_role"),
            "strict": report.strict_f1,
        }

    same = extractor.registry.same
    rows: dict[str, dict[str, float]] = {}
    names = sorted(gold)
    for name in names:
        rows[name] = row(evaluate(gold[name], predicted[name], same_actor=same))
    for name in names:
        others = [n for n in names if n != name]
        rows[f"all but {name}"] = row(
            evaluate(
                [c for n in others for c in gold[n]],
                [c for n in others for c in predicted[n]],
                same_actor=same,
            )
        )
    rows["all"] = row(
        evaluate(
            [c for n in names for c in gold[n]], [c for n in names for c in predicted[n]], same_actor=same
        )
    )
    return rows


def baseline_rows(ref: str) -> dict[str, dict[str, float]]:
    """The same table for the extractor of another commit, run from a temporary worktree."""
    with tempfile.TemporaryDirectory(prefix="counterclaim-baseline-") as folder:
        tree = Path(folder) / "tree"
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(tree), ref], check=True
        )
        try:
            # The worktree sits beside nothing: point its corpora at this checkout's shared folder
            # by running this file (not the old one) against the old sources.
            result = subprocess.run(
                [sys.executable, __file__, "--json", "--src", str(tree)],
                check=True,
                capture_output=True,
                text=True,
            )
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)
    return dict(json.loads(result.stdout))


def render(rows: dict[str, dict[str, float]], baseline: dict[str, dict[str, float]] | None) -> str:
    width = max(len(name) for name in rows) + 2
    cell = 16 if baseline else 9
    lines = [f"{'source':<{width}}" + "".join(f"{c:>{cell}}" for c in COLUMNS)]
    groups = (
        [n for n in rows if not n.startswith("all")],
        [n for n in rows if n.startswith("all but")],
        ["all"],
    )
    for group in groups:
        lines.append("")
        for name in group:
            cells = []
            for column in COLUMNS:
                value = rows[name][column]
                text = f"{int(value)}" if column == "gold" else f"{value:.3f}"
                if baseline is not None and name in baseline and column != "gold":
                    text = f"{text} ({value - baseline[name][column]:+.3f})"
                cells.append(f"{text:>{cell}}")
            lines.append(f"{name:<{width}}" + "".join(cells))
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--baseline", metavar="REF", help="a git commit to compare with (e.g. HEAD~1, main)")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    parser.add_argument("--src", type=Path, help=argparse.SUPPRESS)  # the checkout to score (baseline runs)
    args = parser.parse_args(argv)
    if not (SHARED / "corpus" / "dev").exists():
        print(f"{SHARED} not found: the development corpora sit beside the project", file=sys.stderr)
        return 1
    if args.src is not None:
        global ROOT
        gold_root = ROOT
        ROOT = args.src.resolve()
        # the project's gold stays this checkout's: the baseline is scored on the same articles
        global CORPORA
        CORPORA = tuple(
            (name, gold_root / "benchmarks" / "gold" if name == "gold" else folder, manifest, gold_file)
            for name, folder, manifest, gold_file in CORPORA
        )
    rows = score_rows()
    if args.json:
        print(json.dumps(rows))
        return 0
    baseline = baseline_rows(args.baseline) if args.baseline else None
    print(render(rows, baseline))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
