"""Dates resolved against the publication date."""

from __future__ import annotations

from datetime import date

import pytest

from counterclaim.dates import find_dates, parse_published
from counterclaim.errors import InvalidDateError

THURSDAY = date(2022, 4, 7)


@pytest.mark.parametrize(
    ("text", "published", "expected"),
    [
        ("told Sky News on Thursday", THURSDAY, "2022-04-07"),  # the publication day itself
        ("on Wednesday", THURSDAY, "2022-04-06"),
        ("on Friday", THURSDAY, "2022-04-01"),
        ("last Thursday", THURSDAY, "2022-03-31"),
        ("Last Friday, a strike", date(2026, 1, 5), "2026-01-02"),
        ("yesterday", THURSDAY, "2022-04-06"),
        ("on March 25", THURSDAY, "2022-03-25"),
        ("on 25 March", THURSDAY, "2022-03-25"),
        ("on December 23, 2021", THURSDAY, "2021-12-23"),
        ("on 26 December", date(2005, 1, 10), "2004-12-26"),  # no year: the latest one not after publication
        ("at the end of 2022", THURSDAY, "2022-12-31"),
        ("by the end of May 2023", THURSDAY, "2023-05-31"),
        ("In 2022, it stood at 108.4 million at the end of the year", date(2023, 6, 14), "2022-12-31"),
        ("24-02-2015 Syrian Army", None, "2015-02-24"),
        ("20 November 2016 10 people", None, "2016-11-20"),
    ],
)
def test_dates_resolve_against_publication(text, published, expected):
    mentions = [m for m in find_dates(text, published=published) if m.when is not None]
    assert mentions, f"no date found in {text!r}"
    assert mentions[0].when.isoformat() == expected


@pytest.mark.parametrize("text", ["in May 2023", "in 2022", "since March 2011"])
def test_dates_month_or_year_alone_is_not_a_date(text):
    assert [m for m in find_dates(text, published=THURSDAY) if m.when is not None] == []


def test_dates_weekday_without_publication_date_is_unresolved():
    assert [m.when for m in find_dates("on Wednesday", published=None)] == [None]


def test_dates_parse_published_rejects_non_iso_with_coded_error():
    with pytest.raises(InvalidDateError, match=r"\[E301\].*2022-13-45"):
        parse_published("2022-13-45")
    assert parse_published("2022-04-07") == THURSDAY
    assert parse_published(None) is None
