"""Attribution: who claims a figure, from reporting cues in the sentence and around it (each
text written for this test)."""

from __future__ import annotations

import pytest

from counterclaim import extract_claims
from counterclaim.actor_files import load_registry


def claimants(text: str, published: str = "2024-03-14") -> list[tuple[str, int | None, str | None]]:
    return [(c.measure, c.value, c.claimant) for c in extract_claims(text, published=published, doc="t")]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an impersonal "it was reported" restates the source the sentence opened with
        (
            "In the Sunday report of the General Staff of the Ukrainian Armed Forces, it was reported "
            "that during the last day 1,260 Russian soldiers were killed.",
            ("killed", 1260, "Ukraine General Staff"),
        ),
        # the author of the figures, not the figures, is the source
        (
            "According to figures compiled by the World Health Organization, 84 people died.",
            ("killed", 84, "WHO"),
        ),
        # a relative clause between the subject and its verb
        (
            "The Observatory, which relies on a network of sources inside Syria, said 40 people were "
            "also wounded in the blast.",
            ("wounded", 40, "Syrian Observatory for Human Rights"),
        ),
        # the counted people are not a speaker: "Ukrainians had registered"
        (
            "As of February 2026, roughly 5.9 million Ukrainians had registered as refugees abroad, "
            "according to data from the U.N. High Commissioner for Refugees.",
            ("refugees", 5900000, "UNHCR"),
        ),
        # a name of a known body with a slip of the keyboard
        (
            "The Syrian Obervatory for Human Rights says more than 300 people have been killed.",
            ("killed", 300, "Syrian Observatory for Human Rights"),
        ),
    ],
)
def test_attribution_in_the_sentence(text, expected):
    assert claimants(text) == [expected]


def test_attribution_it_after_a_sentence_about_a_report_is_the_reports_author():
    text = (
        "The UN report covers a 15-month period. It also documents 75 cases of arbitrary detention "
        "by security forces.\n\nThe government did not comment."
    )
    assert claimants(text) == [("captured", 75, "United Nations")]


def test_attribution_a_spokesperson_speaks_for_the_body_that_was_speaking():
    text = (
        "UNICEF said on Tuesday that the toll had risen.\n\n"
        "Speaking from Gaza City, spokesperson James Elder said the situation was dire:\n\n"
        "Six more children have died of hypothermia in recent days, Mr. Elder said."
    )
    assert claimants(text) == [("killed", 6, "UNICEF")]


def test_attribution_a_report_with_nobody_named_before_takes_the_author_named_after():
    text = (
        "Report concludes more than 100,000 civilians have been killed as war crimes rage\n"
        "The extensive study by the Geneva Academy of International Humanitarian Law and Human "
        "Rights describes the deaths of children in Gaza."
    )
    assert claimants(text) == [("killed", 100000, "Geneva Academy")]


def test_attribution_a_source_standing_alone_goes_on_with_the_figures_after_it():
    text = (
        "According to data confirmed by the BBC from June 4 this year.Two colonels, three "
        "lieutenant colonels and 12 officers were also killed.\n\nThe ministry did not comment."
    )
    assert claimants(text) == [("killed", 2, "BBC"), ("killed", 3, "BBC"), ("killed", 12, "BBC")]


def test_attribution_goes_on_from_a_statement_of_figures_but_not_from_one_about_money():
    figures = "Health officials said 12 people were killed in the strike. Another 30 were wounded.\n\nCalm."
    assert claimants(figures) == [("killed", 12, "Health officials"), ("wounded", 30, "Health officials")]
    money = (
        "The World Bank said on Monday that aid needs were about $5bn. Hurricane Mitch killed about "
        "10,000 people in 1998.\n\nCalm."
    )
    assert claimants(money) == [("killed", 10000, None)]


def test_attribution_an_embedded_post_is_its_signers():
    text = (
        "Horrible scenes from the town 35+ dead & 70+ wounded after an airstrike hit the market "
        "pic.twitter.com/abc123 Charles Lister (@CharlesLister) June 12 2016"
    )
    assert claimants(text, published="2016-06-13") == [
        ("killed", 35, "Charles Lister"),
        ("wounded", 70, "Charles Lister"),
    ]


def test_attribution_a_generic_role_belongs_to_the_place_the_sentence_opens_with():
    # the speaker before it speaks for Turkey; "In Syria," frames the health ministry's sentence
    text = (
        "Turkey's disaster agency AFAD said 900 people had been killed in the earthquake.\n\n"
        "In Syria, the health ministry said 212 people had died in government-held areas."
    )
    assert ("killed", 212, "Syria Ministry of Health") in claimants(text)
    # and with no place in front, the ministry still has no side of its own in the sentence
    plain = "In the morning the health ministry said 212 people had died."
    assert ("killed", 212, "Syria Ministry of Health") not in claimants(plain)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Some 250,000 people have been displaced in the north, according to the UN's humanitarian "
            "office, OCHA.",
            ("displaced", 250000, "OCHA"),
        ),
        ("The UN refugee agency, UNHCR, said 80,000 people had fled abroad.", ("refugees", 80000, "UNHCR")),
        # "says more than …": the words after the verb are the statement, not an inverted speaker
        (
            "The UN refugee agency, UNHCR, says more than 80,000 people have fled abroad.",
            ("refugees", 80000, "UNHCR"),
        ),
        # a news agency after the comma reports the statement; it does not make it
        ("Twelve people were killed, the ministry said, AFP reported.", ("killed", 12, None)),
    ],
)
def test_attribution_an_acronym_in_apposition_names_the_body(text, expected):
    assert expected in claimants(text)


def test_attribution_the_authority_refers_back_to_the_authority_named_before():
    text = (
        "At least 300 people have died in the floods, the National Disaster Management Authority "
        "said on Monday.\n\nMore than a million people have been affected. The authority said 450 "
        "people had been injured."
    )
    assert ("wounded", 450, "National Disaster Management Authority") in claimants(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the capital after "in" says where the ministry sits; it does not speak itself
        ("The interior ministry in Damascus said 14 people had been detained.", "Syria Ministry of Interior"),
        # a place after "in" is where the witnesses are, not a state's statement
        ("Witnesses in Homs said 7 people were killed.", "Witnesses"),
    ],
)
def test_attribution_a_place_after_in_belongs_to_the_speaker_before_it(text, expected):
    assert [c.claimant for c in extract_claims(text, published="2024-03-14", doc="t")] == [expected]


def test_attribution_the_charity_refers_to_the_charity_the_text_introduced_by_name():
    text = (
        "Five volunteers with the charity Harbour Relief were killed when shells hit their "
        "warehouse on Tuesday.\n\nThe dead included two doctors, the charity said."
    )
    assert ("killed", 2, "Harbour Relief") in claimants(text)
    # with no body introduced by that noun, the charity stays unnamed
    alone = "The dead included two doctors, the charity said."
    assert ("killed", 2, "Harbour Relief") not in claimants(alone)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("About 300 soldiers were killed, according to Ukrainian figures.", ("killed", 300, "Ukraine")),
        ("About 300 soldiers were killed, according to Russian tallies.", ("killed", 300, "Russia")),
        # figures with no side named stay as the words give them
        (
            "About 300 soldiers were killed, according to official figures.",
            ("killed", 300, "official figures"),
        ),
    ],
)
def test_attribution_a_sides_figures_speak_for_that_side(text, expected):
    assert expected in claimants(text)


def test_attribution_it_refers_to_the_body_the_sentence_before_opened_with():
    text = (
        "The Syrian Observatory for Human Rights said 40 people had died.\n\n"
        "SANA gave a very different account. It said rebel fire had killed 13 civilians."
    )
    assert ("killed", 13, "SANA") in claimants(text)
    # when the sentence before has a speaker of its own, "it" is that speaker
    spoken = (
        "SANA gave a very different account, the Syrian Observatory for Human Rights said. "
        "It said rebel fire had killed 13 civilians."
    )
    assert ("killed", 13, "Syrian Observatory for Human Rights") in claimants(spoken)


def test_attribution_a_rank_does_not_change_whom_an_official_speaks_for():
    text = "A senior Ukrainian official said 1,200 soldiers were being held as prisoners of war."
    assert ("captured", 1200, "Ukraine") in claimants(text)


def test_attribution_the_attackers_side_is_not_the_side_of_the_officials_who_count():
    text = (
        "A missile hit an apartment block in the Ukrainian city of Dnipro on Saturday.\n\n"
        "Rescuers worked through the night, and the toll from Saturday's Russian missile strike "
        "rose to 40, regional officials said."
    )
    assert ("killed", 40, "Ukraine") in claimants(text)


def test_attribution_a_ministry_of_another_role_is_not_the_ministry_named_before():
    text = (
        "The Hamas-run health ministry said 90 people had been killed in the strike.\n\n"
        "The Hamas-run interior ministry said the strike had caused 400 casualties."
    )
    found = claimants(text)
    assert ("killed", 90, "Gaza Health Ministry") in found
    assert ("casualties", 400, "Gaza Health Ministry") not in found


def test_attribution_put_the_toll_at_with_a_phrase_inside_the_object():
    text = "The research centre put the death toll from the six-year conflict at more than 470,000 people."
    assert [c.claimant_text for c in extract_claims(text, published="2016-06-12", doc="t")] == [
        "The research centre"
    ]


def test_attribution_told_reporters_names_the_addressee_not_the_speaker():
    text = (
        "The toll rose to 242 on Thursday, Mozambique's environment minister, Celso Correia, told reporters."
    )
    assert ("killed", 242, "Mozambique") in claimants(text)
    assert ("killed", 242, "reporters") not in claimants(text)


def test_attribution_telling_shares_the_sentences_subject():
    text = (
        "Syria's health minister, Hassan al-Ghabbash, gave a lower toll, telling state television "
        "that 80 people had been killed."
    )
    assert ("killed", 80, "Syria Ministry of Health") in claimants(text)


def test_attribution_a_person_in_apposition_as_a_bodys_spokesman_speaks_for_the_body():
    text = (
        "At least 30 people were killed, said Ahmed Ali, the head of the World Health Organization in Gaza."
    )
    assert ("killed", 30, "WHO") in claimants(text)
    # a spokesman for no body the registry knows stays the person
    family = "At least 30 people were killed, said Ahmed Ali, a spokesman for the family."
    assert ("killed", 30, "Ahmed Ali") in claimants(family)


def test_a_de_facto_authoritys_ombudsman_is_its_own_claimant_on_its_side():
    # "Karabakh's human rights ombudsman" is the Armenian authorities' office, not a bare phrase
    text = "Karabakh's human rights ombudsman said 39 civilians had been killed in the enclave."
    assert claimants(text, "2020-10-29") == [("killed", 39, "Artsakh Human Rights Defender")]
    assert load_registry().side_of("Artsakh Human Rights Defender") == "Artsakh"


def test_the_army_refers_back_to_the_army_named_before_and_its_soldiers_are_its_side():
    text = (
        "KHARTOUM, June 13 - Fighting between Sudan's army and the paramilitary RSF has killed at "
        "least 226 people since May 10, the UN said on Thursday.\n\n"
        "The RSF said its fighters had killed 350 members of the army on Monday.\n\n"
        "The army said it had repelled the attack, and that 9 of its soldiers had died."
    )
    nine = [c for c in extract_claims(text, published="2024-06-13") if c.value == 9]
    assert [(c.claimant, c.subject_party) for c in nine] == [("Sudanese Armed Forces", "Sudan")]
