"""The world gazetteer, and the party of the people counted (each text written for this test)."""

from __future__ import annotations

import pytest

from counterclaim import extract_claims
from counterclaim.gazetteer import load_gazetteer


def places(text: str) -> list[tuple[str, str, str]]:
    found = load_gazetteer().mentions(text)
    return [(text[start:end], place.country, place.kind) for start, end, place in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Seven killed in crash in Jharkhand", [("Jharkhand", "IN", "region")]),
        ("Bangladeshi officials said", [("Bangladeshi", "BD", "demonym")]),
        ("Syrias war has left", [("Syrias", "SY", "country")]),  # a possessive without its apostrophe
        ("Kafr Batna was hit", []),  # a place only as a whole name
        ("the Indian Ocean", []),  # a demonym before a name is not the country's people
        ("British Airways flights", []),
    ],
)
def test_gazetteer_mentions(text, expected):
    assert places(text) == expected


def test_a_run_read_again_is_read_by_the_words_around_it_each_time():
    # the same capitalised run ("Batna"), read before, reads again by the words around it: a
    # city is a place after "near", and no place where nothing locative stands beside it
    for _ in range(2):
        assert places("Batna was hit from near Batna today") == [("Batna", "DZ", "region")]
        assert places("Shelling hit Batna today") == []
        assert places("Shelling hit near Batna today") == [("Batna", "DZ", "region")]


def parties(text: str, published: str = "2024-03-14") -> list[tuple[str, int | None, str | None, str]]:
    return [
        (c.measure, c.value, c.subject_party, c.subject_role)
        for c in extract_claims(text, published=published, doc="t")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a country the registry does not list is its own party
        ("Seven killed in air ambulance crash in Jharkhand", [("killed", 7, "India", "unspecified")]),
        # the place right after the group, not the attacker's adjective
        (
            "Israeli attacks killed at least 31 Palestinians in Gaza, including six children.",
            [("killed", 31, "Gaza", "unspecified"), ("killed", 6, "Gaza", "civilian")],
        ),
        # exchanged prisoners are of both sides
        (
            "Russia and Ukraine have exchanged 157 prisoners of war each, the Russian Defence Ministry said.",
            [("captured", 157, None, "military")],
        ),
        # a region of several countries names no party
        (
            "He expressed Scotland's sympathy for the victims of the Indian Ocean tidal wave which "
            "killed 150,000.",
            [("killed", 150000, None, "unspecified")],
        ),
        # "either side of the frontline"
        (
            "Artillery attacks either side of the frontline left at least 10 people dead.",
            [("killed", 10, None, "unspecified")],
        ),
        # people who fled a country are refugees from it
        (
            "About 6 million people have fled Ukraine since 2022.",
            [("refugees", 6000000, "Ukraine", "unspecified")],
        ),
    ],
)
def test_gazetteer_party_of_the_people_counted(text, expected):
    assert parties(text) == expected
