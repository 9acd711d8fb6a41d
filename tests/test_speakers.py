"""Reporting cues and their speakers' words in one sentence (each sentence written for this test)."""

from __future__ import annotations

import pytest

from counterclaim.extract import default_extractor
from counterclaim.extract.cues import find_cues
from counterclaim.lexicon import lower_text


def cues(text: str) -> list[tuple[str, str, str]]:
    lexicon = default_extractor().lexicon
    return [(c.kind, c.governs, c.speaker) for c in find_cues(text, lower_text(text), 0, len(text), lexicon)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The ministry said 12 people were killed.", [("verb", "after", "The ministry")]),
        ("Twelve people were killed, said the ministry.", [("inverted", "before", "the ministry")]),
        (
            "The Observatory, which relies on sources inside Syria, said 40 were wounded.",
            [("verb", "after", "The Observatory")],
        ),
        (
            "Russia's defence ministry put Ukrainian losses at 500.",
            [("verb", "after", "Russia's defence ministry")],
        ),
        (
            "According to figures compiled by the World Health Organization, 84 people died.",
            [
                ("according", "both", "the World Health Organization"),
                ("source", "after", "the World Health Organization"),
            ],
        ),
        ("It was a quiet day in the city.", []),
    ],
)
def test_speakers_cues_and_their_speakers(text, expected):
    assert cues(text) == expected
