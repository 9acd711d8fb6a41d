"""The people counted: their role when the text names them once, by reference or by their
measure (each text written for this test)."""

from __future__ import annotations

import pytest

from counterclaim import extract_claims


def roles(text: str) -> list[tuple[str, int | None, str]]:
    found = extract_claims(text, published="2024-03-14", doc="t")
    return [(c.measure, c.value, c.subject_role) for c in found]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the people a coordinated phrase names once are the people of both counts
        (
            "A drone attack killed 12 and injured 16 civilian mine workers.",
            [("killed", 12, "civilian"), ("wounded", 16, "civilian")],
        ),
        (
            "The office documented more than 90 civilian deaths and 142 injuries.",
            [("killed", 90, "civilian"), ("wounded", 142, "civilian")],
        ),
        # "them" are the people named before; members of an armed group are its fighters
        (
            "Forces detained civilians, summarily executing more than 70 of them, the office said.",
            [("killed", 70, "civilian")],
        ),
        ("Suicide attacks killed at least 15 members of Ahrar al-Sham.", [("killed", 15, "military")]),
        ("Ukraine freed dozens of prisoners of war.", [("captured", None, "military")]),
    ],
)
def test_groups_roles_named_once_or_by_reference(text, expected):
    assert roles(text) == expected


def parties(text: str) -> list[tuple[str, int | None, str, str | None]]:
    found = extract_claims(text, published="2024-03-14", doc="t")
    return [(c.measure, c.value, c.subject_role, c.subject_party) for c in found]


def test_a_quoted_vague_count_keeps_the_group_after_its_closing_quote():
    # the quote mark after "hundreds" does not end the phrase naming who was killed
    text = "Sudan's army said it had killed \u201chundreds\u201d of Rapid Support Forces fighters."
    assert parties(text) == [("killed", None, "military", "RSF")]


def test_an_armys_count_of_enemy_fighters_it_killed_is_no_running_total():
    # a side's tally of its own soldiers lost runs on; the fighters it killed in a battle do not
    text = "Sudan's army said on Sunday that it had killed 120 Rapid Support Forces fighters."
    found = extract_claims(text, published="2024-03-14", doc="t")
    assert [(c.subject_party, c.scope) for c in found] == [("RSF", "incident")]
    own = "Sudan's army said on Sunday that 120 of its soldiers had been killed."
    assert [c.scope for c in extract_claims(own, published="2024-03-14", doc="t")] == ["cumulative"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (
            "War in Sudan has raged for a year. Over 10,000 have fled to neighbouring countries, mainly "
            "Chad, Egypt and South Sudan, the agency said.",
            10_000,
        ),
        (
            "War in Sudan has raged for a year. Around 5,000 people have fled across the border into Chad "
            "and Egypt, according to aid workers.",
            5_000,
        ),
    ],
)
def test_every_place_of_a_list_people_fled_to_is_a_destination_not_their_party(text, value):
    assert parties(text) == [("refugees", value, "unspecified", "Sudan")]


@pytest.mark.parametrize(
    "text",
    [
        "The storm earlier killed 17 people in Mozambique and Madagascar.",
        "The worst-hit areas are Sri Lanka, India, Indonesia and Thailand, with at least 17 people killed.",
    ],
)
def test_people_of_a_list_of_countries_are_of_no_single_party(text):
    assert parties(text) == [("killed", 17, "unspecified", None)]


def test_places_of_one_country_in_a_list_keep_its_party():
    text = "Shelling killed 17 people in Kharkiv and Kyiv."
    assert parties(text) == [("killed", 17, "unspecified", "Ukraine")]


@pytest.mark.parametrize(
    "text",
    [
        "Sudan's army fought the RSF in El Fasher. The RSF said its fighters had killed 350 soldiers.",
        "Sudan's army fought the RSF in El Fasher. The RSF said it had taken 350 soldiers prisoner.",
    ],
)
def test_soldiers_the_speakers_own_side_killed_or_took_are_the_other_sides(text):
    assert [(c.value, c.subject_party) for c in extract_claims(text, published="2024-03-14", doc="t")] == [
        (350, "Sudan")
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "UNRWA said 1.4 million displaced people were sheltering in its schools.",
            [("displaced", 1_400_000, "displaced people", "civilian")],
        ),
        (
            "The strike left 12 wounded soldiers in the hospital.",
            [("wounded", 12, "wounded soldiers", "military")],
        ),
    ],
)
def test_the_noun_a_measure_word_modifies_is_the_group(text, expected):
    found = extract_claims(text, published="2024-03-14", doc="t")
    assert [(c.measure, c.value, c.subject, c.subject_role) for c in found] == expected


def test_families_and_households_are_a_unit_not_a_civilian_kind():
    # docs/claims.md: civilian only for a civilian kind; families counts people by household
    found = extract_claims(
        "The IOM said 1,200 families had been displaced from camps.", published="2024-03-14", doc="t"
    )
    assert [(c.subject, c.subject_role, c.unit) for c in found] == [("families", "unspecified", "households")]


def test_the_group_between_number_of_and_its_measure_word_put_at_a_count():
    text = (
        "A leaked US intelligence assessment put the number of Russian soldiers killed at as many as 43,000."
    )
    assert parties(text) == [("killed", 43_000, "military", "Russia")]


def test_a_part_with_no_name_of_its_own_is_of_the_party_of_the_whole():
    text = (
        "The senator spoke in New York, a day after Israeli attacks killed 31 Palestinians in Gaza, "
        "including six children."
    )
    assert parties(text) == [("killed", 31, "unspecified", "Gaza"), ("killed", 6, "civilian", "Gaza")]


def test_a_storms_name_is_not_the_place_that_has_it():
    # "Mocha" is also a port in Yemen; Cyclone Mocha struck Myanmar
    text = (
        "The junta said that 145 people had died in Cyclone Mocha, which tore through the state of Rakhine."
    )
    assert parties(text) == [("killed", 145, "unspecified", "Myanmar")]


def test_a_nationality_in_a_facilitys_name_is_not_its_peoples_party():
    text = (
        "An air strike hit the Jabalia camp in Gaza. The director of the nearby Indonesian Hospital said "
        "the facility had received at least 50 bodies."
    )
    assert [(c.value, c.subject_party) for c in extract_claims(text, published="2024-03-14", doc="t")] == [
        (50, "Gaza")
    ]


def test_a_datelines_city_is_where_the_report_was_filed_not_where_its_people_are():
    text = (
        "BEIRUT, March 10 - More than 1,000 people have been killed in clashes in Syria's coastal provinces."
    )
    assert parties(text) == [("killed", 1_000, "unspecified", "Syria")]


def test_a_quoted_noun_after_a_count_is_the_group():
    text = 'The junta says its troops have killed 2,000 "terrorists" since the coup.'
    assert [(c.subject, c.subject_role) for c in extract_claims(text, published="2024-03-14", doc="t")] == [
        ("terrorists", "military")
    ]


def test_terrorists_an_army_counts_in_gaza_are_hamas():
    # lexicon [irregular_sides]: the non-state side irregular words mean in Gaza
    text = 'A military spokesman said: "We have eliminated more than 9,000 terrorists in Gaza."'
    assert parties(text) == [("killed", 9_000, "military", "Hamas")]


def test_a_list_of_places_may_name_each_places_part():
    text = (
        "An earthquake struck southern Turkey and northern Syria on Monday, killing more than 2,300 people."
    )
    assert parties(text) == [("killed", 2_300, "unspecified", None)]


def test_them_are_the_people_last_named_with_a_party():
    text = (
        "The Israeli military said it had carried out a strike on Hamas militants operating from a "
        "compound inside the school, and that it had killed 20 of them."
    )
    assert parties(text) == [("killed", 20, "military", "Hamas")]


def test_a_partys_alias_another_actor_shares_names_it_only_in_its_conflict():
    # "coalition" is the Saudi-led coalition's in Yemen; in Raqqa it is the US-led coalition
    text = (
        "Strikes by the US-led coalition hit Raqqa in Syria. "
        "The coalition has acknowledged 159 civilian deaths in the campaign."
    )
    assert parties(text) == [("killed", 159, "civilian", "Syria")]


def test_where_captives_are_held_is_not_their_party():
    assert parties("Israel says about 130 hostages remain in Gaza.") == [
        ("captured", 130, "unspecified", "Israel")
    ]
