"""Displacement figures as humanitarian reporting writes them: bulletins, shelters, asides, units."""

from __future__ import annotations

import pytest

from counterclaim import extract_claims
from counterclaim.lexicon import load_lexicon
from counterclaim.numbers import NumberReader

DISPLACEMENT = {"displaced", "evacuated", "refugees"}


def _figures(text: str) -> set[tuple[str, int | None, str]]:
    return {(c.measure, c.value, c.unit) for c in extract_claims(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bulletin's or a table's label of several words, before a colon or a dash
        ("Number of displaced persons: 452", ("displaced", 452, "people")),
        ("People in evacuation centres: 2,700", ("evacuated", 2700, "people")),
        ("No. of people evacuated: 5,210", ("evacuated", 5210, "people")),
        ("IDPs – 12,000", ("displaced", 12000, "people")),
        ("Total displaced – 45,600 people", ("displaced", 45600, "people")),
        ("Displaced families: 1,250", ("displaced", 1250, "households")),
        ("Killed: 12 Displaced households: 1,320", ("displaced", 1320, "households")),
        # places of shelter hosting a count
        ("The government has opened 20 relief camps housing 4,000 people.", ("displaced", 4000, "people")),
        ("Evacuation centres are hosting 2,750 people.", ("evacuated", 2750, "people")),
        ("There are 12 relief camps with 3,200 inmates.", ("displaced", 3200, "people")),
        (
            "The district has set up 35 relief camps, where 6,780 people are staying.",
            ("displaced", 6780, "people"),
        ),
        (
            "Some 18 relief camps have been opened, accommodating 3,900 people.",
            ("displaced", 3900, "people"),
        ),
        # housed, accommodated, out of doors
        ("More than 4,000 people were accommodated in schools.", ("displaced", 4000, "people")),
        ("About 300 people are being housed in a sports hall.", ("displaced", 300, "people")),
        ("Some 520 people are living in the open after the quake.", ("displaced", 520, "people")),
        ("Some 2,000 families are staying with their relatives.", ("displaced", 2000, "households")),
        # moved by others; the destination decides
        ("About 500 people were moved to a nearby school.", ("evacuated", 500, "people")),
        ("Some 41,000 people had been moved into 30 camps.", ("displaced", 41000, "people")),
        ("About 12,000 people have been told to evacuate.", ("evacuated", 12000, "people")),
        ("Authorities had to relocate 1,400 people.", ("evacuated", 1400, "people")),
        ("Over 400 households were forced to move.", ("displaced", 400, "households")),
        # flight, eviction, refuge
        ("Violence forced 7,000 people to seek shelter elsewhere.", ("displaced", 7000, "people")),
        ("Around 8,000 people have sought safety in nearby villages.", ("displaced", 8000, "people")),
        ("Around 700 people have been forcibly evicted.", ("displaced", 700, "people")),
        ("Some 600 families deserted their villages after the raid.", ("displaced", 600, "households")),
        ("The violence caused around 3,000 people to leave their villages.", ("displaced", 3000, "people")),
        ("Storm displaces 2,000 in Fiji", ("displaced", 2000, "people")),
        ("Some 3,000 people  ed to nearby hills.", ("displaced", 3000, "people")),
        # asides and long subjects
        (
            "An estimated 45,000 people, most of them women and children from the border areas of "
            "the region, have been displaced.",
            ("displaced", 45000, "people"),
        ),
        (
            "About 3,500 people living along the banks of the river in the town have been displaced.",
            ("displaced", 3500, "people"),
        ),
        (
            "The number of people who have been forced to leave their homes because of the floods in "
            "the south of the country has risen to 28,000.",
            ("displaced", 28000, "people"),
        ),
        ("The numbers of displaced have swelled to 80,000.", ("displaced", 80000, "people")),
        ("Those evacuated totalled 4,000.", ("evacuated", 4000, "people")),
        # a part takes the unit of its whole
        (
            "The flooding affected 5,400 households, of which 1,100 were displaced.",
            ("displaced", 1100, "households"),
        ),
        (
            "The floods affected 23,000 families, displacing 4,500 of them.",
            ("displaced", 4500, "households"),
        ),
        # qualifiers with a full stop, PDF text
        ("The floods have displaced approx. 5,000 people.", ("displaced", 5000, "people")),
        ("The floods have displaced 61, 000 people in the region.", ("displaced", 61000, "people")),
    ],
)
def test_reporting_wordings(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


@pytest.mark.parametrize(
    "text",
    [
        "The NDRRMC said 2,345 families or 10,456 persons are staying in 98 evacuation centers.",
        "Some 12,500 families or 56,000 persons were preemptively evacuated.",
    ],
)
def test_families_or_persons_are_two_claims_each_in_its_unit(text: str) -> None:
    figures = {(value, unit) for measure, value, unit in _figures(text) if measure in DISPLACEMENT}
    households = next(v for v, u in figures if u == "households")
    people = next(v for v, u in figures if u == "people")
    assert households < people
    assert len(figures) == 2


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("The floods affected 45,000 people in six districts.", 45000),
        ("Rescue teams rescued 320 people trapped on rooftops.", 320),
        ("Some 37,000 are in urgent need of basic living supplies.", 37000),
        ("The government set up 40 evacuation centres.", 40),
        ("The government opened 25 relief camps.", 25),
        ("The camp has capacity for 5,000 people.", 5000),
        ("Camps that will house 5,000 people are being built.", 5000),
        ("The army relocated 2,000 troops to the front.", 2000),
    ],
)
def test_not_displacement(text: str, not_expected: int) -> None:
    assert not any(m in DISPLACEMENT and v == not_expected for m, v, _ in _figures(text))


def test_an_aside_is_no_part_of_the_group() -> None:
    [claim] = extract_claims("Some 3,000 residents, mostly farmers from the hills, were displaced.")
    assert (claim.measure, claim.value, claim.subject) == ("displaced", 3000, "residents")


def test_a_stray_space_after_a_thousands_comma() -> None:
    reader = NumberReader(load_lexicon())
    assert [n.value for n in reader.numbers("and 61, 000 people displaced")] == [61000]
    # a day of the month before a comma is no thousands group
    assert [n.value for n in reader.numbers("on june 3, 500 people fled")] == [3, 500]
    # a list of numbers stays a list
    assert [n.value for n in reader.numbers("sections 12, 345, 678")] == [12, 345, 678]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The Red Cross is assisting 5,000 displaced people in the province.", ("displaced", 5000, "people")),
        ("UNHCR is supporting some 20,000 internally displaced persons.", ("displaced", 20000, "people")),
        ("Volunteers are helping 3,000 evacuees in the shelters.", ("evacuated", 3000, "people")),
    ],
)
def test_aid_to_people_named_as_displaced(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


@pytest.mark.parametrize(
    "text",
    [
        "The agency plans to assist 5,000 refugees next year.",
        "The programme will help 4,000 displaced families.",
    ],
)
def test_aid_planned_is_no_count(text: str) -> None:
    assert not _figures(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The district now has a displaced population of 45,000.", ("displaced", 45000, "people")),
        (
            "The number of displaced families is estimated to be 349.",
            ("displaced", 349, "households"),
        ),
        (
            "Some 455,573 people have been affected (85,000 of which have been relocated).",
            ("evacuated", 85000, "people"),
        ),
    ],
)
def test_a_measure_named_before_the_count(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 2,000 people were under evacuation orders.", ("evacuated", 2000, "people")),
        ("The attacks triggered an exodus of 15,000 people.", ("displaced", 15000, "people")),
        (
            "The DTM identified 158,316 internally displaced persons (27,919 households).",
            ("displaced", 27919, "households"),
        ),
    ],
)
def test_orders_exodus_and_a_restated_count(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


def test_a_replacement_character_between_verb_and_count() -> None:
    # text whose non-ASCII characters were lost: U+FFFD stands for a no-break space or a dash
    assert ("displaced", 5000, "people") in _figures("The floods have displaced\ufffd5,000 people.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The floods left 2,000 families without a place to stay.", ("displaced", 2000, "households")),
        (
            "The floods forced more than 14,000 families to seek temporary shelter.",
            ("displaced", 14000, "households"),
        ),
        ("Some 1,500 families were affected, 800 of which were displaced.", ("displaced", 800, "households")),
    ],
)
def test_without_a_place_to_stay_and_a_part_of_families(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        ("A total of 26,438 people were evacuated and 618\npeople rescued.", 618),
        ("Of the 239,500 people affected, 12,100 have been evacuated.", 239500),
        (
            "About 289,000 residents have been relocated and some 37,000 are in urgent need of "
            "basic living supplies.",
            37000,
        ),
    ],
)
def test_people_affected_rescued_or_in_need_are_not_displaced(text: str, not_expected: int) -> None:
    figures = _figures(text)
    assert not any(m in DISPLACEMENT and v == not_expected for m, v, _ in figures)
    assert any(m in DISPLACEMENT for m, _, _ in figures)  # the clause beside keeps its own


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The storm forced the evacuation of, according to the latest figures, 9,240 people.",
            ("evacuated", 9240, "people"),
        ),
        (
            "The fighting has displaced, according to OCHA, some 40,000 people.",
            ("displaced", 40000, "people"),
        ),
    ],
)
def test_an_aside_between_the_measure_and_its_count(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 50 homes were evacuated.", ("evacuated", 50, "households")),
        ("Residents of 400 houses were evacuated.", ("evacuated", 400, "households")),
        ("About 60 families are in the evacuation centre.", ("evacuated", 60, "households")),
        ("Some 20,000 people are in cyclone shelters.", ("evacuated", 20000, "people")),
        ("Some 30,000 people live in IDP camps.", ("displaced", 30000, "people")),
        (
            "Some 14 evacuation centres are currently open, sheltering 2,100 people.",
            ("evacuated", 2100, "people"),
        ),
    ],
)
def test_homes_evacuated_and_one_evacuation_centre(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


def test_an_of_noun_after_a_count_counts_what_follows_its_of_not_the_count():
    # the exodus is of "young men", not of the reservists called up
    text = (
        "Moscow announced a call-up of some 300,000 reservists, a move that sparked an exodus of young men."
    )
    assert not [c for c in extract_claims(text) if c.value == 300_000]
    # the of-noun still reads the count after it
    assert ("displaced", 12_000, "people") in _figures("The fighting caused an exodus of 12,000 people.")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a second count with its own predicate takes that predicate's measure
        (
            "The group counted 66 reporters killed, 119 were kidnapped and 178 were imprisoned.",
            ("captured", 178, "people"),
        ),
        ("At least 12 people have been put to death since the protests.", ("killed", 12, "people")),
        ("Gunmen murdered 14 villagers on Sunday.", ("killed", 14, "people")),
    ],
)
def test_verbs_of_killing_and_imprisonment_give_their_measure(
    text: str, expected: tuple[str, int, str]
) -> None:
    assert expected in _figures(text)


@pytest.mark.parametrize(
    "text",
    [
        "More than half of the country's pre-war population of 22 million has been forced from their homes.",
        "The town, with a population of about 40,000, was evacuated on Monday.",
    ],
)
def test_a_population_is_how_many_live_there_not_how_many_were_harmed(text: str) -> None:
    assert not [c for c in extract_claims(text) if c.value in {22_000_000, 40_000}]
