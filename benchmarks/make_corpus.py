"""A large, reproducible news corpus for the scale benchmarks, as JSONL and as WARC.

    python benchmarks/make_corpus.py --documents 100000 --out DIR [--seed 2024] [--shard 10000]

Each document recombines sentences of the bundled sample articles (src/counterclaim/samples)
and the project's gold articles (benchmarks/gold/articles): a headline and two to five
paragraphs, mostly runs of consecutive sentences of one article (so "he said" still follows
its speaker) and some sentences from elsewhere; its numbers are redrawn (a similar size, years
and days kept plausible), some claimants swapped for others, weekdays changed and the article
dated a random day of 2019-2025 by one of 40 outlets. About one document in twelve is a
syndicated copy of a recent one under another outlet (the ledger stores its text once). The
same --seed gives the same corpus, byte for byte.

Writes DIR/corpus.jsonl (fields id, title, text, published, outlet, url) and
DIR/warc/corpus-NNNNN.warc.gz (WARC/1.0, one gzip member per record: a warcinfo record, then
one HTTP response record with the article as an HTML page per document, --shard per file).
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import random
import re
import time
import uuid
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SOURCES = (ROOT / "src" / "counterclaim" / "samples", ROOT / "benchmarks" / "gold" / "articles")

OUTLETS = [f"{a} {b}" for a in ("Daily", "Evening", "Global", "Morning", "Regional") for b in (
    "Courier", "Dispatch", "Herald", "Ledger", "Monitor", "Observer", "Post", "Tribune")]  # fmt: skip
# Claimants as the articles name them; a sentence's may be swapped for another of the same list.
CLAIMANTS = [
    "the health ministry", "the Health Ministry", "the United Nations", "the UN", "officials",
    "the regional governor", "Ukraine's general staff", "the Russian Defence Ministry",
    "the Israeli military", "the Red Cross", "the World Health Organization", "rescuers",
    "local authorities", "the army", "the interior ministry", "OCHA", "UNHCR", "the IOM",
    "medics", "police", "the civil defence agency", "activists", "the Syrian Observatory for Human Rights",
]  # fmt: skip
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]  # fmt: skip
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’]))\s+(?=[A-Z\"“‘])")
_NUMBER = re.compile(r"(?<![\w.,:])(\d{1,3}(?:,\d{3})+|\d+)(?!\w|[.,:]\d)")
_CLAIMANT = re.compile("|".join(re.escape(c) for c in sorted(CLAIMANTS, key=len, reverse=True)))
_WEEKDAY = re.compile(r"\b(?:" + "|".join(WEEKDAYS) + r")\b")
_MONTH_BEFORE = re.compile(r"(?:" + "|".join(MONTHS) + r")\s+$")
SYNDICATED = 1 / 12


def load_articles() -> list[tuple[str, list[list[str]]]]:
    """(headline, paragraphs as lists of sentences) of every source article, in file order."""
    articles = []
    for folder in SOURCES:
        for path in sorted(folder.glob("*.txt")):
            blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if b.strip()]
            if len(blocks) < 2:
                continue
            paragraphs = [_SENTENCE_END.split(" ".join(b.split())) for b in blocks[1:]]
            articles.append((blocks[0], paragraphs))
    if not articles:
        raise SystemExit(f"no articles found in {', '.join(map(str, SOURCES))}")
    return articles


def _vary_number(rng: random.Random, match: re.Match[str], text: str) -> str:
    digits = match.group(1)
    value = int(digits.replace(",", ""))
    if len(digits) == 4 and 1900 <= value <= 2100:
        return digits  # a year
    if _MONTH_BEFORE.search(text, 0, match.start()):
        return str(rng.randint(1, 28))  # a day of the month
    small = value < 10  # "two", "3 children": stay small
    new = max(1, value + rng.randint(-2, 3)) if small else max(10, round(value * rng.uniform(0.5, 2.0)))
    return f"{new:,}" if "," in digits or new >= 10_000 else str(new)


def vary(rng: random.Random, sentence: str) -> str:
    """The sentence with its numbers redrawn, maybe another claimant and another weekday."""
    sentence = _NUMBER.sub(lambda m: _vary_number(rng, m, sentence), sentence)
    if rng.random() < 0.35:
        sentence = _CLAIMANT.sub(lambda _: rng.choice(CLAIMANTS), sentence, count=1)
    if rng.random() < 0.5:
        sentence = _WEEKDAY.sub(lambda _: rng.choice(WEEKDAYS), sentence)
    return sentence


def _paragraph(rng: random.Random, articles: Sequence[tuple[str, list[list[str]]]]) -> list[str]:
    _, paragraphs = rng.choice(articles)
    sentences = rng.choice(paragraphs)
    if rng.random() < 0.75:  # a run of consecutive sentences keeps each pronoun with its speaker
        start = rng.randrange(len(sentences))
        return sentences[start : start + rng.randint(1, 4)]
    return [rng.choice(rng.choice(rng.choice(articles)[1])) for _ in range(rng.randint(1, 3))]


def generate(count: int, seed: int = 2024) -> Iterator[dict[str, Any]]:
    """``count`` articles as corpus rows (id, title, text, published, outlet, url)."""
    rng = random.Random(seed)
    articles = load_articles()
    recent: list[str] = []
    start = date(2019, 1, 1)
    for number in range(count):
        published = start + timedelta(days=rng.randrange(7 * 365))
        outlet = rng.choice(OUTLETS)
        if recent and rng.random() < SYNDICATED:
            title, text = json.loads(rng.choice(recent))
        else:
            title = vary(rng, rng.choice(articles)[0])
            paragraphs = [
                " ".join(vary(rng, s) for s in _paragraph(rng, articles)) for _ in range(rng.randint(2, 5))
            ]
            text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
            recent = [*recent[-99:], json.dumps([title, text])]
        slug = outlet.lower().replace(" ", "-")
        yield {
            "id": f"doc-{number:07d}",
            "title": title,
            "text": text,
            "published": published.isoformat(),
            "outlet": outlet,
            "url": f"https://{slug}.example/{published:%Y/%m/%d}/{number:07d}",
        }


def _record(headers: list[tuple[str, str]], block: bytes) -> bytes:
    """One WARC/1.0 record, gzip-compressed on its own (a member per record, as crawlers write)."""
    head = "WARC/1.0\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers)
    head += f"Content-Length: {len(block)}\r\n\r\n"
    return gzip.compress(head.encode("utf-8") + block + b"\r\n\r\n", mtime=0)


def page(row: dict[str, Any]) -> bytes:
    """The article as a news site serves it."""
    body = "".join(f"<p>{html.escape(p)}</p>\n" for p in row["text"].split("\n\n")[1:])
    return (
        '<!DOCTYPE html>\n<html><head><meta charset="utf-8">'
        f"<title>{html.escape(row['title'])} | {html.escape(row['outlet'])}</title>\n"
        f'<meta property="og:site_name" content="{html.escape(row["outlet"])}">\n'
        f'<meta property="article:published_time" content="{row["published"]}T08:00:00Z">\n'
        f"</head><body><nav>Home | World | Live</nav><article><h1>{html.escape(row['title'])}</h1>\n"
        f"{body}</article><footer>© {row['outlet']}</footer></body></html>\n"
    ).encode()


def _record_id(rng: random.Random) -> str:
    return f"<urn:uuid:{uuid.UUID(int=rng.getrandbits(128))}>"


def warc_records(rows: Sequence[dict[str, Any]], rng: random.Random, name: str) -> Iterator[bytes]:
    info = b"software: counterclaim benchmarks/make_corpus.py\r\nformat: WARC File Format 1.0\r\n"
    yield _record(
        [("WARC-Type", "warcinfo"), ("WARC-Record-ID", _record_id(rng)),
         ("WARC-Date", "2025-01-01T00:00:00Z"), ("WARC-Filename", name),
         ("Content-Type", "application/warc-fields")],
        info,
    )  # fmt: skip
    for row in rows:
        content = page(row)
        http = (
            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n"
            f"Content-Length: {len(content)}\r\n\r\n"
        ).encode() + content
        yield _record(
            [("WARC-Type", "response"), ("WARC-Record-ID", _record_id(rng)),
             ("WARC-Date", f"{row['published']}T09:30:00Z"), ("WARC-Target-URI", row["url"]),
             ("Content-Type", "application/http; msgtype=response")],
            http,
        )  # fmt: skip


def write(out: Path, count: int, seed: int, shard: int) -> tuple[Path, list[Path]]:
    """Write the corpus as JSONL and WARC shards; returns their paths."""
    (out / "warc").mkdir(parents=True, exist_ok=True)
    jsonl = out / "corpus.jsonl"
    shards: list[Path] = []
    ids = random.Random(seed + 1)  # record ids, apart from the text's generator
    rows: list[dict[str, Any]] = []

    def flush() -> None:
        path = out / "warc" / f"corpus-{len(shards):05d}.warc.gz"
        with path.open("wb") as stream:
            for record in warc_records(rows, ids, path.name):
                stream.write(record)
        shards.append(path)
        rows.clear()

    with jsonl.open("w", encoding="utf-8") as stream:
        for row in generate(count, seed):
            stream.write(json.dumps(row, ensure_ascii=False) + "\n")
            rows.append(row)
            if len(rows) == shard:
                flush()
    if rows:
        flush()
    return jsonl, shards


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--shard", type=int, default=10_000, help="documents per WARC file")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    jsonl, shards = write(args.out, args.documents, args.seed, args.shard)
    size = sum(p.stat().st_size for p in [jsonl, *shards]) / 1e6
    print(
        f"{args.documents:,} documents in {time.perf_counter() - started:.1f} s: {jsonl} and "
        f"{len(shards)} WARC file(s) in {jsonl.parent / 'warc'} ({size:,.0f} MB in all)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
