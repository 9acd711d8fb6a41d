"""Sentence spans."""

from __future__ import annotations

import pytest

from counterclaim.extract.sentences import split_sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Ukraine says 19,000 died. The U.N. disagrees.",
            ["Ukraine says 19,000 died.", "The U.N. disagrees."],
        ),
        ("Headline here\n\nFirst sentence. Second one!", ["Headline here", "First sentence.", "Second one!"]),
        ("Mr. Smith said 12 died. Gen. Jones agreed.", ["Mr. Smith said 12 died.", "Gen. Jones agreed."]),
        ("“We lost 12,” he said. Then he left.", ["“We lost 12,” he said.", "Then he left."]),
        ("It rose to 4.3 million. Others fled.", ["It rose to 4.3 million.", "Others fled."]),
        ("   ", []),
    ],
)
def test_sentences_split(text, expected):
    assert [text[s:e] for s, e in split_sentences(text)] == expected


def test_sentences_run_on_text_is_cut_into_bounded_pieces():
    text = "word " * 3000 + "and 12 people were killed"
    spans = split_sentences(text)
    assert all(end - start <= 2000 for start, end in spans)
    assert text[spans[0][0] : spans[-1][1]].endswith("killed")


def test_a_wrapped_line_does_not_end_a_sentence():
    text = "Some 3,000 people were forced to leave\ntheir homes.\nShaanxi Province\n800 evacuated"
    assert [text[s:e] for s, e in split_sentences(text)] == [
        "Some 3,000 people were forced to leave\ntheir homes.",
        "Shaanxi Province",
        "800 evacuated",
    ]
