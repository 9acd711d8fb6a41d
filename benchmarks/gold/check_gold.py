#!/usr/bin/env python3
"""Validate a folder of gold claims against the contract in claims.md.

Usage:
    python benchmarks/gold/check_gold.py benchmarks/gold
    python benchmarks/gold/check_gold.py /path/to/corpus/dev

The folder must hold ``gold.jsonl`` and ``manifest.jsonl``. Article texts are
read from ``<folder>/articles/`` when that directory exists, else from the
folder itself. Texts are read with ``open(path, encoding="utf-8").read()`` and
offsets are character offsets into that string.

Checks, per gold line: valid JSON object; exactly the contract keys in the
contract order; enum values; types; low/high consistent with qualifier and
value; vague quantifiers against the claims.md table ("a dozen" is
``about``/12); the number span parses to the stated value where the parser
understands it; evidence found verbatim in the text and covering
[start, end); doc present in the manifest; as_of a valid ISO date no later
than the publication date; no duplicate claim on the same span. Per manifest
line: valid JSON, required fields, the file exists, a valid publication date.

Every problem is printed as ``file:line: message``. Exit status is 1 when
there are errors, else 0. Standard library only.
"""

from __future__ import annotations

import datetime as _dt
import json
import re
import sys
from pathlib import Path

KEYS = [
    "doc",
    "measure",
    "qualifier",
    "value",
    "low",
    "high",
    "unit",
    "subject",
    "subject_party",
    "subject_role",
    "claimant",
    "claimant_text",
    "scope",
    "as_of",
    "evidence",
    "start",
    "end",
]
MEASURES = {"killed", "wounded", "casualties", "missing", "captured", "displaced", "refugees", "evacuated"}
QUALIFIERS = {"exact", "at_least", "more_than", "at_most", "less_than", "about", "range", "vague"}
UNITS = {"people", "households"}
ROLES = {"military", "civilian", "unspecified"}
SCOPES = {"cumulative", "incident", "unknown"}
VAGUE = {
    "dozens": (24, 99),
    "tens": (20, 99),
    "scores": (40, 99),
    "hundreds": (200, 999),
    "thousands": (2000, 9999),
    "tens of thousands": (20000, 99999),
    "hundreds of thousands": (200000, 999999),
    "millions": (2000000, 9999999),
}
MANIFEST_FIELDS = ["file", "title", "outlet", "url", "published"]

# ---------------------------------------------------------------- number parsing
_UNITS_W = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {
    "hundred": 100,
    "thousand": 1000,
    "million": 1000000,
    "billion": 1000000000,
    "k": 1000,
    "m": 1000000,
    "mn": 1000000,
    "bn": 1000000000,
}
_SEP = "[,\u00a0\u202f\u2009 ]"
_DIGITS = re.compile(rf"^\d{{1,3}}(?:{_SEP}\d{{3}})+$|^\d+$")
_DEC_SCALE = re.compile(r"^(\d+(?:\.\d+)?)\s*(thousand|million|billion|k|m|mn|bn)$", re.I)


def _words(s: str) -> int | None:
    toks = re.split(r"[\s-]+", s.lower().strip())
    if toks and toks[0] == "a":
        toks[0] = "one"
    if toks[:2] == ["half", "a"]:
        toks = ["half", *toks[2:]]
    total, cur, seen = 0, 0, False
    for t in toks:
        if t == "and":
            continue
        if t == "half":
            cur = 0.5
            seen = True
        elif t in _UNITS_W:
            cur += _UNITS_W[t]
            seen = True
        elif t in ("hundred",):
            cur = (cur or 1) * 100
        elif t in ("thousand", "million", "billion"):
            total += (cur or 1) * _SCALES[t]
            cur = 0
            seen = True
        else:
            return None
    if not seen:
        return None
    v = total + cur
    return int(v) if v == int(v) else None


def parse_number(s: str) -> int | None:
    """Parse one number span ("1,351", "4.3 million", "nineteen thousand"); None if unsure."""
    s = s.strip().rstrip("+").strip()
    if _DIGITS.match(s):
        return int(re.sub(_SEP, "", s))
    m = _DEC_SCALE.match(s)
    if m:
        v = float(m.group(1)) * _SCALES[m.group(2).lower()]
        return round(v)
    return _words(s)


_RANGE = re.compile(r"^(.+?)\s*(?:\band\b|\bto\b|-|\u2013|\u2014)\s*(.+)$")


def parse_range(s: str) -> tuple[int, int] | None:
    m = _RANGE.match(s.strip())
    if not m:
        return None
    a, b = parse_number(m.group(1)), parse_number(m.group(2))
    if a is None or b is None:
        # "1.2 to 1.5 million": carry the scale word of the second number over to the first
        m2 = re.match(r"^([\d.]+)$", m.group(1).strip())
        sc = re.search(r"\s*(thousand|million|billion|m|bn)$", m.group(2).strip(), re.I)
        if m2 and sc and b is not None:
            a = parse_number(m2.group(1) + " " + sc.group(1))
    if a is None or b is None:
        return None
    return a, b


# ---------------------------------------------------------------- checks
def _is_int(x) -> bool:
    return isinstance(x, int) and not isinstance(x, bool)


def _date(s) -> _dt.date | None:
    if not isinstance(s, str):
        return None
    try:
        return _dt.date.fromisoformat(s)
    except ValueError:
        return None


def check_bounds(d: dict, span: str | None) -> list[str]:
    q, v, lo, hi = d.get("qualifier"), d.get("value"), d.get("low"), d.get("high")
    errs = []
    for k in ("value", "low", "high"):
        if d.get(k) is not None and not _is_int(d.get(k)):
            errs.append(f"{k} must be an integer or null, got {d.get(k)!r}")
    if errs:
        return errs
    if q == "exact":
        if v is None or lo != v or hi != v:
            errs.append(f"exact needs low = high = value (value={v}, low={lo}, high={hi})")
    elif q in ("at_least", "more_than"):
        if v is None or lo != v or hi is not None:
            errs.append(f"{q} needs low = value and high null (value={v}, low={lo}, high={hi})")
    elif q in ("at_most", "less_than"):
        if v is None or hi != v or lo is not None:
            errs.append(f"{q} needs high = value and low null (value={v}, low={lo}, high={hi})")
    elif q == "about":
        if v is None or lo is not None or hi is not None:
            errs.append(f"about needs a value and low/high null (value={v}, low={lo}, high={hi})")
    elif q == "range":
        if v is not None or lo is None or hi is None or not lo < hi:
            errs.append(f"range needs value null and low < high (value={v}, low={lo}, high={hi})")
    elif q == "vague":
        if v is not None:
            errs.append(f"vague needs value null (value={v})")
        key = (span or "").strip().lower()
        if key in ("a dozen", "dozen"):
            errs.append('"a dozen" is qualifier about with value 12, not vague')
        elif key in VAGUE:
            if (lo, hi) != VAGUE[key]:
                errs.append(f"vague {key!r} needs low/high {VAGUE[key]}, got ({lo}, {hi})")
        elif span is not None:
            errs.append(f"vague span {span!r} is not in the claims.md table")
    if (
        span is not None
        and span.strip().lower() in ("a dozen", "dozen")
        and q != "vague"
        and (q != "about" or v != 12)
    ):
        errs.append(f'"a dozen" needs qualifier about and value 12 (got {q}, {v})')
    # the number span should say what value/low/high say
    if span is not None and q not in ("vague",) and not errs:
        if q == "range":
            r = parse_range(span)
            if r is not None and r != (lo, hi):
                errs.append(f"span {span!r} reads as {r}, but low/high are ({lo}, {hi})")
        else:
            n = parse_number(span)
            if n is not None and n != v:
                errs.append(f"span {span!r} reads as {n}, but value is {v}")
    return errs


def check_folder(folder: Path) -> list[str]:
    errors: list[str] = []
    gold_path, man_path = folder / "gold.jsonl", folder / "manifest.jsonl"
    for p in (gold_path, man_path):
        if not p.is_file():
            errors.append(f"{p}: missing")
    if errors:
        return errors

    published: dict[str, _dt.date | None] = {}
    texts: dict[str, str] = {}
    for n, line in enumerate(man_path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{man_path}:{n}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            m = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: invalid JSON ({e})")
            continue
        if not isinstance(m, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        missing = [k for k in MANIFEST_FIELDS if k not in m]
        if missing:
            errors.append(f"{where}: missing fields {missing}")
        entry = m.get("file")
        if not isinstance(entry, str):
            errors.append(f"{where}: file must be a string")
            continue
        # the file is relative to the manifest; a claim's doc is the file's name
        tp = folder / entry
        f = Path(entry).name
        if f in published:
            errors.append(f"{where}: {f} listed twice")
        pub = m.get("published")
        d = _date(pub)
        if pub is not None and d is None:
            errors.append(f"{where}: published {pub!r} is not an ISO date")
        published[f] = d
        if not tp.is_file():
            errors.append(f"{where}: text file {tp} not found")
        else:
            texts[f] = tp.read_text(encoding="utf-8")

    seen: dict[tuple, int] = {}
    for n, line in enumerate(gold_path.read_text(encoding="utf-8").splitlines(), 1):
        where = f"{gold_path}:{n}"
        if not line.strip():
            errors.append(f"{where}: empty line")
            continue
        try:
            d = json.loads(line)
        except json.JSONDecodeError as e:
            errors.append(f"{where}: invalid JSON ({e})")
            continue
        if not isinstance(d, dict):
            errors.append(f"{where}: not a JSON object")
            continue
        doc = d.get("doc")
        where = f"{where} [{doc}]"
        if list(d) != KEYS:
            missing = [k for k in KEYS if k not in d]
            extra = [k for k in d if k not in KEYS]
            if missing or extra:
                errors.append(f"{where}: keys differ from the contract (missing {missing}, extra {extra})")
            else:
                errors.append(f"{where}: keys out of order: {list(d)}")
        for k, allowed in (
            ("measure", MEASURES),
            ("qualifier", QUALIFIERS),
            ("unit", UNITS),
            ("subject_role", ROLES),
            ("scope", SCOPES),
        ):
            if d.get(k) not in allowed:
                errors.append(f"{where}: {k} {d.get(k)!r} not one of {sorted(allowed)}")
        for k in ("subject", "evidence"):
            if not isinstance(d.get(k), str) or not d.get(k).strip():
                errors.append(f"{where}: {k} must be a non-empty string")
        for k in ("subject_party", "claimant", "claimant_text"):
            if d.get(k) is not None and not (isinstance(d.get(k), str) and d.get(k).strip()):
                errors.append(f"{where}: {k} must be a non-empty string or null")
        if d.get("claimant") is None and d.get("claimant_text") is not None:
            errors.append(f"{where}: claimant is null but claimant_text is {d.get('claimant_text')!r}")
        if d.get("claimant") is not None and d.get("claimant_text") is None:
            errors.append(f"{where}: claimant {d.get('claimant')!r} has no claimant_text")

        as_of = d.get("as_of")
        if as_of is not None:
            ad = _date(as_of)
            if ad is None:
                errors.append(f"{where}: as_of {as_of!r} is not an ISO date")
            elif published.get(doc) and ad > published[doc]:
                errors.append(f"{where}: as_of {as_of} is after the publication date {published[doc]}")

        if doc not in published:
            errors.append(f"{where}: doc not in manifest")
        text = texts.get(doc)
        span = None
        s, e = d.get("start"), d.get("end")
        if not (_is_int(s) and _is_int(e)):
            errors.append(f"{where}: start/end must be integers")
        elif text is not None:
            if not 0 <= s < e <= len(text):
                errors.append(f"{where}: start/end ({s}, {e}) outside the text (length {len(text)})")
            else:
                span = text[s:e]
                if span != span.strip():
                    errors.append(f"{where}: span {span!r} has surrounding whitespace")
                ev = d.get("evidence")
                if isinstance(ev, str) and ev:
                    hits = [m.start() for m in re.finditer(re.escape(ev), text)]
                    if not hits:
                        errors.append(f"{where}: evidence not found verbatim in the text")
                    elif not any(h <= s and e <= h + len(ev) for h in hits):
                        errors.append(f"{where}: evidence does not contain the span [{s}, {e}) {span!r}")
        for msg in check_bounds(d, span):
            errors.append(f"{where}: {msg}")
        key = (doc, s, e, d.get("measure"))
        if key in seen:
            errors.append(f"{where}: same span and measure as line {seen[key]}")
        else:
            seen[key] = n
    return errors


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[0])
        print("usage: check_gold.py FOLDER [FOLDER ...]")
        return 2
    total = 0
    for arg in argv[1:]:
        folder = Path(arg)
        errs = check_folder(folder)
        for msg in errs:
            print(msg)
        n_claims = 0
        gp = folder / "gold.jsonl"
        if gp.is_file():
            n_claims = sum(1 for ln in gp.read_text(encoding="utf-8").splitlines() if ln.strip())
        print(f"{folder}: {n_claims} claims, {len(errs)} error(s)")
        total += len(errs)
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
