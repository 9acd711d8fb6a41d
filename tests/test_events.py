"""Events and their dates: the day a figure refers to (each text written for this test)."""

from __future__ import annotations

from counterclaim import extract_claims
from counterclaim.dates import find_dates, parse_published


def dated(text: str, published: str) -> list[tuple[str, int | None, str | None]]:
    return [(c.measure, c.value, c.as_of) for c in extract_claims(text, published=published, doc="t")]


def test_events_a_range_holds_two_dates():
    text = "the casualties occurred between Nov. 14 to Nov. 17 in clashes"
    found = find_dates(text, published=parse_published("2017-11-22"))
    assert [m.when.isoformat() for m in found if m.when] == ["2017-11-14", "2017-11-17"]


def test_events_a_lead_takes_the_end_of_the_period_the_next_sentence_dates_it_to():
    text = (
        "The World Health Organization says 84 people have been killed over a four-day stretch of "
        "fighting near Damascus. The agency said the casualties occurred between Nov. 14 to Nov. 17 "
        "in clashes in eastern Ghouta."
    )
    assert dated(text, "2017-11-22") == [("killed", 84, "2017-11-17")]


def test_events_a_weekday_possessive_before_an_event_dates_that_event():
    text = (
        "As they waited outside Aleppo a bomb attack hit the bus convoy, killing more than 120 "
        "people. Buses arrived later. In the hours leading up to Saturday's attacks the two women "
        "spoke to reporters."
    )
    assert dated(text, "2017-04-18") == [("killed", 120, "2017-04-15")]


def test_events_a_day_said_of_strikes_dates_the_strikes_not_the_statement():
    text = (
        "OCHA warned on Tuesday that drone attacks are causing deaths.\n\n"
        "In North Darfur, it said that drone strikes on Saturday caused civilian casualties.\n\n"
        "Humanitarian partners say those strikes displaced more than 600 people."
    )
    assert dated(text, "2026-01-06") == [("displaced", 600, "2026-01-03")]


def test_events_an_incident_with_a_period_of_its_own_is_not_given_the_storys_day():
    text = (
        "Drone strikes hit the city on Friday, killing two people.\n\n"
        "Three strikes on health facilities killed 31 people last week, the WHO said."
    )
    assert dated(text, "2026-02-09") == [("killed", 2, "2026-02-06"), ("killed", 31, "2026-02-09")]


def test_events_a_running_total_takes_a_day_given_in_its_own_clause():
    text = "Yesterday in continued attacks on Aleppo 18 civilians have been killed, the agency said."
    assert dated(text, "2016-04-29") == [("killed", 18, "2016-04-28")]


def test_events_a_pair_of_days_gives_the_later_one():
    text = (
        "Human Rights Watch said 64 people died after warplanes attacked the area on December 11 and 12 2016."
    )
    assert dated(text, "2017-05-02") == [("killed", 64, "2016-12-12")]


def test_events_a_day_that_modifies_the_incidents_noun_dates_its_toll():
    # "by the March 3 floods" names the incident's day; "on Friday" is when the toll stood
    text = "The number of people killed by the March 3 floods in the valley rose to 212 on Friday."
    assert dated(text, "2024-03-09") == [("killed", 212, "2024-03-03")]
    # a day after "by the" with no incident after it is the count's day
    text = "The number of people killed in the valley rose to 212 by the March 8 count."
    assert dated(text, "2024-03-09") == [("killed", 212, "2024-03-08")]


def test_events_a_later_toll_takes_the_day_naming_the_incident_before_over_its_count_day():
    # the sentence before names the incident's day and the day its toll stood: the incident's
    text = (
        "The number of people killed by the March 3 floods in the valley rose to 212 on Friday.\n\n"
        "The governor said 40 people had been confirmed dead in the town."
    )
    assert dated(text, "2024-03-09")[1] == ("killed", 40, "2024-03-03")
    # with no day naming the incident, the day before it is the story's
    text = (
        "Floods in the valley killed 212 people on Friday.\n\n"
        "The governor said 40 people had been confirmed dead in the town."
    )
    assert dated(text, "2024-03-09")[1] == ("killed", 40, "2024-03-08")


def test_events_an_undated_toll_takes_the_day_the_document_names_its_incident_by_later():
    text = (
        "Missiles struck the capital while the envoy was visiting the city.\n\n"
        "At least 10 people were injured when one of the missiles struck a residential building.\n\n"
        "The envoy met the president in the morning.\n\n"
        "Officials said the city's air defences were working.\n\n"
        "The mayor asked residents to stay in shelters.\n\n"
        "Thursday's missile strikes came hours after new aid was announced."
    )
    assert dated(text, "2022-04-29") == [("wounded", 10, "2022-04-28")]
    # two incidents named with two days: neither is the document's
    two = text + "\n\nWednesday's shelling hit the east."
    assert dated(two, "2022-04-29") == [("wounded", 10, "2022-04-29")]


def test_events_the_documents_incident_day_is_not_given_past_a_separate_incident():
    text = (
        "Missiles struck the capital while the envoy was visiting the city.\n\n"
        "In a separate attack in the south, shelling killed 3 people in a market.\n\n"
        "Twelve people were wounded there, police said.\n\n"
        "Thursday's missile strikes came hours after new aid was announced."
    )
    assert ("wounded", 12, "2022-04-29") in dated(text, "2022-04-29")


def test_events_the_previous_day_counts_back_from_the_report_when_nothing_else_anchors_it():
    assert dated("Police said 5 people were killed the previous day.", "2024-03-14") == [
        ("killed", 5, "2024-03-13")
    ]
    # with a day in the sentence, from that day
    text = "Police said on Tuesday that 5 people had been killed the previous day."
    assert dated(text, "2024-03-14") == [("killed", 5, "2024-03-11")]


def test_events_a_headline_takes_the_day_the_next_sentence_names_the_incident_by():
    text = (
        "Death toll from missile strike on apartment block rises to 40\n\n"
        "Rescuers pulled more bodies from the ruins on Monday, taking the death toll from "
        "Saturday's missile strike to 40, officials said."
    )
    assert dated(text, "2023-01-16")[0] == ("killed", 40, "2023-01-14")
