"""Displacement wording of disaster and conflict news: IDMC's terms, places of shelter, households."""

from __future__ import annotations

import pytest

from counterclaim import extract_claims

DISPLACEMENT = {"displaced", "evacuated", "refugees"}


def _figures(text: str) -> set[tuple[str, int | None, str]]:
    return {(c.measure, c.value, c.unit) for c in extract_claims(text)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # relocated, in a list and as a verb
        ("The typhoon caused 46 deaths, 25 missing and 628,000 relocated.", ("evacuated", 628000, "people")),
        ("Officials relocated 1,500 families to safer ground.", ("evacuated", 1500, "households")),
        ("The government relocated 3,000 people to temporary camps.", ("evacuated", 3000, "people")),
        # sheltered, sought shelter, without shelter, in need of shelter
        ("Around 5,600 people have been sheltered in 40 evacuation centres.", ("displaced", 5600, "people")),
        ("Some 400 people have sought shelter at the stadium.", ("displaced", 400, "people")),
        ("The quake left 15,000 families without shelter.", ("displaced", 15000, "households")),
        (
            "To date, 299 families have been found in need of emergency shelter.",
            ("displaced", 299, "households"),
        ),
        # places people displaced are in
        ("Some 700 people are housed in temporary camps.", ("displaced", 700, "people")),
        ("About 2,000 people were moved to evacuation shelters.", ("evacuated", 2000, "people")),
        ("About 5,000 people were staying in 30 evacuation centres.", ("evacuated", 5000, "people")),
        ("Around 1,000 people are living in tents after the quake.", ("displaced", 1000, "people")),
        # moved out of harm's way
        ("Nearly 2,000 people were shifted to safer places.", ("evacuated", 2000, "people")),
        ("The authorities moved 3,500 people to higher ground.", ("evacuated", 3500, "people")),
        # a participle before "and" shares the count with the measure verb
        ("A total of 3,200 people were rescued and evacuated.", ("evacuated", 3200, "people")),
        (
            "Nine hundred and twenty-one families were affected and displaced.",
            ("displaced", 921, "households"),
        ),
        # households named after the measure word, houses lost
        ("Some 3,000 homeless families are sheltering in schools.", ("displaced", 3000, "households")),
        ("3,000 displaced families are living in tents.", ("displaced", 3000, "households")),
        ("About 6,000 people lost their houses.", ("displaced", 6000, "people")),
        # the same people counted again in another unit, in parentheses
        ("Approximately 1,500 families (7,500 people) have been displaced.", ("displaced", 7500, "people")),
        (
            "Approximately 1,500 families (7,500 people) have been displaced.",
            ("displaced", 1500, "households"),
        ),
        ("The floods displaced 7,500 people (1,500 families).", ("displaced", 1500, "households")),
        # a bulletin's label
        ("Displaced: 45,000 people", ("displaced", 45000, "people")),
        ("IDPs: 45,000", ("displaced", 45000, "people")),
        # leaving home under force
        ("Fighting forced an estimated 6,000 people from their villages.", ("displaced", 6000, "people")),
        ("The flood waters forced 10,000 people to abandon their homes.", ("displaced", 10000, "people")),
        ("Some 12,000 residents were driven out of their villages.", ("displaced", 12000, "people")),
        # Indian digit grouping
        ("Over 1,25,000 people are in relief camps.", ("displaced", 125000, "people")),
        ("As many as 12,34,567 people were evacuated.", ("evacuated", 1234567, "people")),
        # hosting a count named as displaced people is no plan
        (
            "Uganda is hosting more than 1.5 million refugees, the UNHCR said.",
            ("refugees", 1500000, "people"),
        ),
        ("The camps now house 12,000 displaced people.", ("displaced", 12000, "people")),
        # a long subject, or one with a relative clause, before a displacement verb
        (
            "Some 12,000 people in the Gedo, Bakool and Bay regions of southern Somalia have been displaced.",
            ("displaced", 12000, "people"),
        ),
        ("Some 4,000 people who live along the river were evacuated.", ("evacuated", 4000, "people")),
        # a restatement after ", or"
        ("Nearly 5,000 people, or 1,000 families, were displaced.", ("displaced", 5000, "people")),
        ("Nearly 5,000 people, or 1,000 families, were displaced.", ("displaced", 1000, "households")),
        # IDMC's movements, protracted displacement, IDP households, the displaced numbered
        ("IDMC recorded 12,000 new displacements.", ("displaced", 12000, "people")),
        ("Some 50,000 people remain in displacement.", ("displaced", 50000, "people")),
        ("There are 12,000 IDP households in the district.", ("displaced", 12000, "households")),
        ("The displaced numbered 45,000.", ("displaced", 45000, "people")),
        # a dot between thousands, as in much of Europe and Latin America
        ("Nearly 10.000 people were evacuated.", ("evacuated", 10000, "people")),
        ("More than 1,2 million people were displaced.", ("displaced", 1200000, "people")),
        # in camps, or hosted by relatives
        ("Some 45,000 people are living in camps.", ("displaced", 45000, "people")),
        ("About 900 people are staying with relatives.", ("displaced", 900, "people")),
        # dwellings evacuated are households evacuated
        ("A fire has forced the evacuations of about 50 homes.", ("evacuated", 50, "households")),
        ("Police evacuated about 200 homes.", ("evacuated", 200, "households")),
        # humanitarian reports' abbreviation for households
        ("Some 1,200 HHs were displaced.", ("displaced", 1200, "households")),
        ("The floods left 3,000 people without homes.", ("displaced", 3000, "people")),
        ("The total number of displaced people in the state is now 45,000.", ("displaced", 45000, "people")),
        # text out of a PDF that lost its "fl" ligature
        ("The fighting has forced 12,000 people to  ee.", ("displaced", 12000, "people")),
        ("Over 3,000 people have  ed their homes.", ("displaced", 3000, "people")),
        # the same people in two units, joined by "from" or "comprising"
        ("Some 1,200 people from 300 households were evacuated.", ("evacuated", 1200, "people")),
        ("About 300 families comprising 1,500 people were displaced.", ("displaced", 300, "households")),
        ("A total of 1,500 people (300 families) were evacuated.", ("evacuated", 1500, "people")),
        # a list by place after the first count
        (
            "Over 2,000 people were evacuated in Jiangxi, 3,000 in Hunan and 1,500 in Hubei.",
            ("evacuated", 1500, "people"),
        ),
        ("Some 2,000 were evacuated in Jiangxi and another 3,000 in Hunan.", ("evacuated", 3000, "people")),
        # South Asian English
        ("The floods rendered 3,000 people houseless.", ("displaced", 3000, "people")),
        ("Some 3,000 families were left shelterless.", ("displaced", 3000, "households")),
        ("Nearly 2,000 people have been shifted.", ("evacuated", 2000, "people")),
        ("About 45,000 IDP's live in the camps.", ("displaced", 45000, "people")),
        # South Asian scale words
        ("Over 2 lakh people have been evacuated.", ("evacuated", 200000, "people")),
    ],
)
def test_displacement_wordings(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


@pytest.mark.parametrize(
    ("text", "not_expected"),
    [
        # a count right before a place of shelter counts the places
        ("Around 5,600 people have been sheltered in 40 evacuation centres.", 40),
        ("The government opened 12 relief camps in the district.", 12),
        ("Some 3,000 people live in 12 displacement camps.", 12),
        # a bare count continuing a count of things is more of the things
        ("Some 12,500 civil servant posts have been axed, and 7,800 relocated out of the capital.", 7800),
        # a plan to host, or a share of them opening a clause of its own
        ("The country plans to host 5,000 refugees.", 5000),
        (
            "Only 5,000 of the 60,000 children who lived there remain, many sheltering in basements.",
            60000,
        ),
        # a long subject reaches a displacement verb, never a noun naming people inside it
        ("At least five attackers blew themselves up outside and inside a camp for Iraqi refugees.", 5),
        # dwellings destroyed or damaged are no people
        ("The fire destroyed 120 homes and forced 500 people to evacuate.", 120),
        # soldiers relocated are redeployed
        ("The army relocated 2,000 troops to the front.", 2000),
        # out of office is not out of home
        ("Some 12 officials were forced out of office.", 12),
        # people affected are not the people displaced beside them
        ("The floods affected 50,000 people, including 12,000 displaced.", 50000),
        ("More than 23,000 people have been affected and 2,536 relocated.", 23000),
        ("Some 300,000 people were affected and 12,000 displaced.", 300000),
    ],
)
def test_displacement_non_claims(text: str, not_expected: int) -> None:
    assert not any(c.value == not_expected and c.measure in DISPLACEMENT for c in extract_claims(text))


def test_households_affected_and_displaced_keep_their_own_counts() -> None:
    figures = _figures("More than 23,000 people have been affected and 2,536 relocated.")
    assert ("evacuated", 2536, "people") in figures


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # more places of shelter, and people taken to shelters
        ("About 500 families are living in makeshift shelters.", ("displaced", 500, "households")),
        ("Some 2,000 people are staying in transit centres.", ("displaced", 2000, "people")),
        ("Around 300 families were moved to temporary housing.", ("displaced", 300, "households")),
        ("About 800 people were taken to shelters.", ("displaced", 800, "people")),
        # a sentence wrapped over lines (text taken out of a PDF report)
        ("Some 29,739 people lost\ntheir homes in the floods.", ("displaced", 29739, "people")),
        ("More than 2,000 families that\nwere displaced need help.", ("displaced", 2000, "households")),
    ],
)
def test_shelters_and_wrapped_lines(text: str, expected: tuple[str, int, str]) -> None:
    assert expected in _figures(text)


def test_a_count_of_shelters_and_a_line_per_place_stay_apart() -> None:
    assert _figures("Some 12 makeshift shelters were built.") == set()
    assert _figures("Henan Province\n800 people evacuated\nShaanxi Province\n34,000 evacuated") == {
        ("evacuated", 800, "people"),
        ("evacuated", 34000, "people"),
    }
