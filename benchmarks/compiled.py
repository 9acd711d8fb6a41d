"""Build a copy of counterclaim with the extractor's pure modules compiled by mypyc, and check it.

    python benchmarks/compiled.py [--out build/compiled] [--check CORPUS]
    PYTHONPATH=build/compiled python benchmarks/throughput.py --quantulum-articles 0

Copies src/counterclaim to --out and compiles the modules of COMPILED there with mypyc (it
comes with mypy; it needs a C compiler, and a minute or two). The source tree is left as it
is: only a PYTHONPATH that starts with --out runs the compiled modules, and an edit of the
source is not in the copy until it is built again. --check (on by default, over the
development corpus, else the repository's gold) extracts every article with the source and
with the copy, each in its own process, and fails unless every claim of both is the same.
On 2026-12-08 the copy ran the development corpus about 20% faster, its claims identical
(benchmarks/README.md, "Speed, compiled").
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = ROOT.parent / "shared" / "corpus" / "dev"
FALLBACK_CORPUS = ROOT / "benchmarks" / "gold"

#: The pure modules the extractor spends its time in. Left out: extract/token_list.py (a
#: subclass of list, which mypyc does not compile) and every module that does I/O or is not
#: on the English extraction path.
COMPILED = (
    "counterclaim/actor_names.py",
    "counterclaim/actors.py",
    "counterclaim/dates.py",
    "counterclaim/gazetteer.py",
    "counterclaim/lexicon.py",
    "counterclaim/number_words.py",
    "counterclaim/numbers.py",
    "counterclaim/extract/attribution.py",
    "counterclaim/extract/carry_over.py",
    "counterclaim/extract/claims.py",
    "counterclaim/extract/count_links.py",
    "counterclaim/extract/cues.py",
    "counterclaim/extract/events.py",
    "counterclaim/extract/groups.py",
    "counterclaim/extract/measures.py",
    "counterclaim/extract/quotations.py",
    "counterclaim/extract/references.py",
    "counterclaim/extract/sentences.py",
    "counterclaim/extract/speaker.py",
    "counterclaim/extract/speaker_phrases.py",
    "counterclaim/extract/tokens.py",
)

# Run in a child process with one PYTHONPATH: every claim of every article, one JSON line each.
_DUMP = """
import json, sys
from pathlib import Path
from counterclaim import extract_claims
corpus = Path(sys.argv[1])
for line in (corpus / "manifest.jsonl").read_text(encoding="utf-8").splitlines():
    if line.strip():
        entry = json.loads(line)
        text = (corpus / entry["file"]).read_text(encoding="utf-8")
        for claim in extract_claims(text, published=entry.get("published"), doc=entry["file"]):
            print(json.dumps(claim.to_dict(), sort_keys=True, ensure_ascii=False))
"""


def build(out: Path) -> None:
    """Copy the package to ``out`` and compile the modules of :data:`COMPILED` there."""
    if out.exists():
        shutil.rmtree(out)
    skip = shutil.ignore_patterns("*.so", "__pycache__")
    shutil.copytree(ROOT / "src" / "counterclaim", out / "counterclaim", ignore=skip)
    command = [sys.executable, "-m", "mypyc", "--config-file", str(ROOT / "pyproject.toml"), *COMPILED]
    result = subprocess.run(command, cwd=out, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SystemExit(f"mypyc failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def claims_with(path: Path, corpus: Path) -> list[str]:
    """Every claim over ``corpus`` as extracted with ``path`` first on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": str(path)}
    result = subprocess.run(
        [sys.executable, "-c", _DUMP, str(corpus)], env=env, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise SystemExit(f"extraction with {path} failed:\n{result.stderr[-3000:]}")
    return result.stdout.splitlines()


def check(out: Path, corpus: Path) -> int:
    """The number of claims both extract; exits with the first difference if they differ."""
    source, compiled = claims_with(ROOT / "src", corpus), claims_with(out, corpus)
    if source != compiled:
        first = next(
            (i for i, (a, b) in enumerate(zip(source, compiled, strict=False)) if a != b), len(source)
        )
        raise SystemExit(
            f"compiled claims differ from the source's ({len(compiled)} against {len(source)}); "
            f"first at {first}:\n{source[first : first + 1]}\n{compiled[first : first + 1]}"
        )
    return len(source)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "compiled", help="where the copy goes")
    parser.add_argument("--check", type=Path, default=None, help="corpus to compare claims over")
    parser.add_argument("--no-check", action="store_true", help="build only")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    build(out)
    print(f"built {len(COMPILED)} compiled modules in {out}")
    if not args.no_check:
        corpus = args.check or (DEFAULT_CORPUS if DEFAULT_CORPUS.exists() else FALLBACK_CORPUS)
        print(f"{check(out, corpus)} claims over {corpus}, identical with and without compiling")
    print(f"run it: PYTHONPATH={out} python benchmarks/throughput.py --quantulum-articles 0")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
