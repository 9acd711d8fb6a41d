"""The seed article gives exactly its five claims, every attribute right (docs/claims.md)."""

from __future__ import annotations

import json
from pathlib import Path

from counterclaim import extract_claims

# The seed's figure-bearing sentences, quoted (Al Jazeera, 2022-04-07), with its headline and
# the Kremlin's figure-free admission in between, as in the article.
SEED_SENTENCES = (
    "Russia admits ‘significant losses of troops’ in Ukraine\n\n"
    "“Yes, we have significant losses of troops and it is a huge tragedy for us,” Kremlin spokesman "
    "Dmitry Peskov told Sky News on Thursday.\n\n"
    "Russia launched its military offensive against Ukraine on February 24, causing the world’s fastest "
    "refugee crisis – with more than 4.3 million fleeing to neighbouring countries.\n\n"
    "At least 1,500 civilians have been killed so far, according to the United Nations, which fears the "
    "real number to be far higher.\n\n"
    "Casualties on the Russian side have been harder to assess with the country’s defence minister "
    "saying on March 25 – its most recent update – that 1,351 of its soldiers have been killed in combat, "
    "while 3,825 were wounded.\n\n"
    "Ukraine says 19,000 Russian soldiers have been killed.\n"
)
SCORED = (
    "measure",
    "qualifier",
    "value",
    "low",
    "high",
    "unit",
    "subject_party",
    "subject_role",
    "claimant",
    "scope",
    "as_of",
)
EXPECTED = [
    (
        "refugees",
        "more_than",
        4300000,
        4300000,
        None,
        "people",
        "Ukraine",
        "unspecified",
        None,
        "cumulative",
        "2022-04-07",
    ),
    (
        "killed",
        "at_least",
        1500,
        1500,
        None,
        "people",
        "Ukraine",
        "civilian",
        "United Nations",
        "cumulative",
        "2022-04-07",
    ),
    (
        "killed",
        "exact",
        1351,
        1351,
        1351,
        "people",
        "Russia",
        "military",
        "Russia Ministry of Defence",
        "cumulative",
        "2022-03-25",
    ),
    (
        "wounded",
        "exact",
        3825,
        3825,
        3825,
        "people",
        "Russia",
        "military",
        "Russia Ministry of Defence",
        "cumulative",
        "2022-03-25",
    ),
    (
        "killed",
        "exact",
        19000,
        19000,
        19000,
        "people",
        "Russia",
        "military",
        "Ukraine",
        "cumulative",
        "2022-04-07",
    ),
]


def test_seed_sentences_give_exactly_the_five_claims():
    claims = extract_claims(SEED_SENTENCES, published="2022-04-07", doc="seed")
    assert [tuple(c.to_dict()[k] for k in SCORED) for c in claims] == EXPECTED
    for claim in claims:
        assert SEED_SENTENCES[claim.start : claim.end] in {"4.3 million", "1,500", "1,351", "3,825", "19,000"}
        assert SEED_SENTENCES[claim.start : claim.end] in claim.evidence


def test_seed_article_matches_its_gold_file_field_by_field(shared: Path):
    seed = shared / "seed"
    manifest = json.loads((seed / "manifest.jsonl").read_text(encoding="utf-8").splitlines()[0])
    text = (seed / manifest["file"]).read_text(encoding="utf-8")
    gold = [
        json.loads(line) for line in (seed / "gold.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    claims = [
        c.to_dict() for c in extract_claims(text, published=manifest["published"], doc=manifest["file"])
    ]
    assert len(claims) == len(gold) == 5
    fields = (*SCORED, "doc", "evidence", "start", "end")
    for got, want in zip(claims, gold, strict=True):
        assert {k: got[k] for k in fields} == {k: want[k] for k in fields}
