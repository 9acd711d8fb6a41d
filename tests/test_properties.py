"""Property tests: any text, however odd, never makes the extractor raise."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from counterclaim import extract_claims
from counterclaim.lexicon import lower_text
from counterclaim.numbers import parse_quantity

ODD = st.sampled_from(
    [
        "\u00a0", "\u202f", "\u2009", "–", "—", "‑", "“", "”", "‘", "’", "«", "»", "İ", "ß", "ﬁ",
        "\u200b", "\ufeff", "\n", "\r\n", "٣", "𝟑", "½", ",", ".", "+", "%", "$", "-",
    ]
)  # fmt: skip
WORDS = st.sampled_from(
    [
        "killed", "at least", "more than", "up to", "dozens", "tens of thousands", "between", "and",
        "said", "according to", "the UN", "Kyiv", "on Thursday", "March 25", "people", "soldiers",
        "were", "wounded", "displaced", "fled", "toll", "rose to", "including", "million", "a dozen",
        "1,351", "4.3 million", "19 000", "nineteen thousand", "35+", "7,000-15,000", "its", "“",
    ]
)  # fmt: skip
HUGE = st.integers(min_value=0, max_value=10**60).map(str)
TEXT = st.lists(st.one_of(st.text(max_size=30), ODD, WORDS, HUGE), max_size=40).map(" ".join)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT, published=st.one_of(st.none(), st.dates().map(lambda d: d.isoformat())))
@pytest.mark.slow
def test_properties_extract_never_raises_and_spans_point_into_the_text(text: str, published: str | None):
    for claim in extract_claims(text, published=published):
        assert 0 <= claim.start < claim.end <= len(text)
        assert claim.evidence in text
        if claim.low is not None and claim.high is not None:
            assert claim.low <= claim.high
        if claim.qualifier == "exact":
            assert claim.low == claim.high == claim.value


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_properties_any_unicode_never_raises(text: str):
    extract_claims(text)
    parse_quantity(text)
    assert len(lower_text(text)) == len(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**12))
def test_properties_rendered_numbers_round_trip(number: int):
    for rendered in (f"{number:,}", str(number), f"{number:,}".replace(",", "\u00a0")):
        quantity = parse_quantity(f"{rendered} people were killed")
        if quantity is not None:  # four-digit years are, rightly, not counts
            assert quantity.value == number


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=1, max_value=10**9), st.integers(min_value=1, max_value=10**9))
def test_properties_ranges_stay_ordered(first: int, second: int):
    low, high = sorted((first, second))
    quantity = parse_quantity(f"between {low:,} and {high:,} people")
    if low < high:
        assert quantity is not None
        assert (quantity.qualifier, quantity.low, quantity.high) == ("range", low, high)
