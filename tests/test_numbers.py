"""Numbers, qualifiers and intervals, and what is not a count of people."""

from __future__ import annotations

import pytest

from counterclaim.lexicon import load_lexicon, lower_text
from counterclaim.numbers import NumberReader, parse_digits, parse_quantity

READER = NumberReader(load_lexicon())


@pytest.mark.parametrize(
    ("phrase", "qualifier", "value", "low", "high", "span"),
    [
        ("1,351 soldiers", "exact", 1351, 1351, 1351, "1,351"),
        ("1\u00a0351 soldiers", "exact", 1351, 1351, 1351, "1\u00a0351"),
        ("473 400 personnel", "exact", 473400, 473400, 473400, "473 400"),
        ("470000 people", "exact", 470000, 470000, 470000, "470000"),
        ("4.3 million fleeing", "exact", 4300000, 4300000, 4300000, "4.3 million"),
        ("1.2m people", "exact", 1200000, 1200000, 1200000, "1.2m"),
        ("nineteen thousand soldiers", "exact", 19000, 19000, 19000, "nineteen thousand"),
        ("two people", "exact", 2, 2, 2, "two"),
        ("one hundred and fifty thousand", "exact", 150000, 150000, 150000, "one hundred and fifty thousand"),
        ("twenty-five people", "exact", 25, 25, 25, "twenty-five"),
        ("half a million refugees", "exact", 500000, 500000, 500000, "half a million"),
        ("at least 1,500 civilians", "at_least", 1500, 1500, None, "1,500"),
        ("no fewer than 40", "at_least", 40, 40, None, "40"),
        ("35+ killed", "at_least", 35, 35, None, "35"),
        ("more than 4.3 million", "more_than", 4300000, 4300000, None, "4.3 million"),
        ("over 80 terrorists", "more_than", 80, 80, None, "80"),
        ("upwards of 300", "more_than", 300, 300, None, "300"),
        ("up to a million refugees", "at_most", 1000000, None, 1000000, "a million"),
        ("as many as 200", "at_most", 200, None, 200, "200"),
        ("nearly 12 million", "less_than", 12000000, None, 12000000, "12 million"),
        ("almost half a million", "less_than", 500000, None, 500000, "half a million"),
        ("fewer than 100", "less_than", 100, None, 100, "100"),
        ("about 300", "about", 300, None, None, "300"),
        ("around 40", "about", 40, None, None, "40"),
        ("some 150,000 people", "about", 150000, None, None, "150,000"),
        ("an estimated 108.4 million", "about", 108400000, None, None, "108.4 million"),
        ("roughly 2,000", "about", 2000, None, None, "2,000"),
        ("a dozen people", "about", 12, None, None, "a dozen"),
        ("between 7,000 and 15,000", "range", None, 7000, 15000, "7,000 and 15,000"),
        ("7,000 to 15,000", "range", None, 7000, 15000, "7,000 to 15,000"),
        ("7,000-15,000 dead", "range", None, 7000, 15000, "7,000-15,000"),
        ("80–100 chaplains", "range", None, 80, 100, "80–100"),
        ("2 to 3 million people", "range", None, 2000000, 3000000, "2 to 3 million"),
        ("dozens of people", "vague", None, 24, 99, "dozens"),
        ("scores of people", "vague", None, 40, 99, "scores"),
        ("hundreds of civilians", "vague", None, 200, 999, "hundreds"),
        ("thousands fled", "vague", None, 2000, 9999, "thousands"),
        ("tens of thousands", "vague", None, 20000, 99999, "tens of thousands"),
        ("hundreds of thousands", "vague", None, 200000, 999999, "hundreds of thousands"),
        ("millions of people", "vague", None, 2000000, 9999999, "millions"),
    ],
)
def test_numbers_read_value_qualifier_and_interval(phrase, qualifier, value, low, high, span):
    quantity = parse_quantity(phrase)
    assert quantity is not None
    assert (quantity.qualifier, quantity.value, quantity.low, quantity.high) == (qualifier, value, low, high)
    assert phrase[quantity.start : quantity.end] == span


@pytest.mark.parametrize(
    "phrase",
    [
        "on February 24",
        "on 3 January",
        "since March 2011",
        "in 2022",
        "24-02-2015 Syrian Army",
        "Last updated at Jul 282016",
        "a 12-year-old girl",
        "a 6-year-old girl",
        "a $1.3bn bill",
        "£20m appeal",
        "5bn rupees",
        "19 tanks",
        "300 drones",
        "40 km north",
        "three-day retreat",
        "a 20-member team",
        "200,000 refugees per day",
        "an average of 899 a day",
        "rose by 8.9 million",
        "by a record 35%, or 8.9 million people",
        "three times as many",
        "minus 10°C",
        "60 per cent",
        "No. 10",
        "more than 1,000 days",
        "7.8 magnitude",
        "10:30",
        "F-16 jets",
        "M23 rebels",
        "since World War Two",
        "Flight 171",
        "left the city of 3 million",
        "for 10 or more years",
        "Item 1 of 5",
        "one in four",
    ],
)
def test_numbers_that_are_not_counts_are_dropped(phrase):
    assert READER.quantities(lower_text(phrase)) == []


@pytest.mark.parametrize(
    ("text", "value"),
    [("1,351", 1351), ("4.3 million", 4300000), ("2bn", 2 * 10**9), ("7.8", None), ("9" * 40, None)],
)
def test_numbers_parse_digits(text, value):
    assert parse_digits(text) == value


def test_numbers_ages_inside_a_group_are_not_counts():
    found = READER.quantities(lower_text("eight students between 7 and 12 years old"))
    assert [q.text for q in found] == ["eight"]


def test_numbers_qualifier_applies_only_to_the_number_it_precedes():
    found = READER.quantities("more than 15,000 killed, 41,000 injured")
    assert [(q.value, q.qualifier) for q in found] == [(15000, "more_than"), (41000, "exact")]


def test_numbers_a_rate_of_a_later_number_leaves_this_one_a_count():
    text = lower_text("put the death toll at 494 with 90 percent killed by gas")
    assert [q.value for q in READER.quantities(text)] == [494]
