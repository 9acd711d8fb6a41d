"""French: its number formats, a sentence per measure, households and homes, attribution and dates,
elided articles and letters lost to the replacement character, and the language screen telling
French from Spanish, Italian, Portuguese and Catalan."""

from __future__ import annotations

import pytest

from counterclaim.errors import InputError
from counterclaim.extract import extract_claims
from counterclaim.ingest.language import load_languages, screen
from counterclaim.models import Document
from packcases import pack_claims, pack_numbers


def numbers(text: str) -> list[tuple[int | None, int | None, int | None, str]]:
    return pack_numbers(text, "fr")


@pytest.mark.parametrize(
    ("text", "value", "written"),
    [
        ("plus de 25 081 personnes", 25081, "25 081"),
        ("quelque 25.081 déplacés", 25081, "25.081"),
        ("14,312 PDI", 14312, "14,312"),
        ("2 000 ménages", 2000, "2 000"),
        ("3,5 millions de personnes", 3500000, "3,5 millions"),
        ("mille personnes", 1000, "mille"),
        ("trois mille réfugiés", 3000, "trois mille"),
        ("deux cent quarante familles", 240, "deux cent quarante"),
        ("deux mille cinq cents évacués", 2500, "deux mille cinq cents"),
        ("vingt et un morts", 21, "vingt et un"),
        ("trente-sept blessés", 37, "trente-sept"),
        ("quatre-vingt-dix-huit disparus", 98, "quatre-vingt-dix-huit"),
        ("soixante-douze otages", 72, "soixante-douze"),
        ("septante soldats", 70, "septante"),
    ],
)
def test_french_numbers(text: str, value: int, written: str):
    assert (value, value, value, written) in numbers(text)


def test_round_and_vague_numbers():
    assert numbers("une centaine de familles") == [(100, 100, 100, "une centaine")]
    assert numbers("une vingtaine de blessés") == [(20, 20, 20, "une vingtaine")]
    assert numbers("des centaines de sinistrés") == [(None, 200, 999, "centaines")]
    assert numbers("des milliers de personnes") == [(None, 2000, 9999, "milliers")]
    assert numbers("plusieurs dizaines de civils") == [(None, 20, 99, "dizaines")]
    assert numbers("des dizaines de milliers de déplacés") == [(None, 20000, 99999, "dizaines de milliers")]
    assert numbers("le 8 juin 2013") == [(8, 8, 8, "8"), (2013, 2013, 2013, "2013")]


def claims(text: str, published: str = "2019-06-20") -> list[tuple[object, ...]]:
    return pack_claims(text, "fr", published)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("L'explosion a fait 14 morts dans le marché.", ("killed", "exact", 14, 14, 14, "people", "14")),
        ("Au moins 9 villageois ont été tués.", ("killed", "at_least", 9, 9, None, "people", "9")),
        (
            "On déplore 31 décès depuis le début de l'épidémie.",
            ("killed", "exact", 31, 31, 31, "people", "31"),
        ),
        ("Plus de 60 personnes ont été blessées.", ("wounded", "more_than", 60, 60, None, "people", "60")),
        ("Onze pêcheurs sont portés disparus.", ("missing", "exact", 11, 11, 11, "people", "Onze")),
        ("Les rebelles ont enlevé 23 écoliers.", ("captured", "exact", 23, 23, 23, "people", "23")),
        ("La police a placé 8 manifestants en détention.", ("captured", "exact", 8, 8, 8, "people", "8")),
        (
            "Environ 4 200 personnes déplacées internes vivent sur le site.",
            ("displaced", "about", 4200, None, None, "people", "4 200"),
        ),
        (
            "On compte 12 500 PDI dans le territoire.",
            ("displaced", "exact", 12500, 12500, 12500, "people", "12 500"),
        ),
        (
            "Près de 700 habitants ont été évacués vers l'école.",
            ("evacuated", "less_than", 700, None, 700, "people", "700"),
        ),
        ("Quelque 900 sinistrés dorment dehors.", ("displaced", "about", 900, None, None, "people", "900")),
        (
            "Le cyclone a laissé 3 000 personnes sans abri.",
            ("displaced", "exact", 3000, 3000, 3000, "people", "3 000"),
        ),
        (
            "Environ 5 000 réfugiés ont franchi la frontière.",
            ("refugees", "about", 5000, None, None, "people", "5 000"),
        ),
    ],
)
def test_a_sentence_per_measure(text: str, expected: tuple[object, ...]):
    assert expected in claims(text)


def test_families_and_homes_are_households():
    assert claims("Les pluies ont jeté 450 ménages hors de chez eux ; ils sont sans abri.") == [
        ("displaced", "exact", 450, 450, 450, "households", "450")
    ]
    assert claims("Une centaine de familles ont été évacuées.") == [
        ("evacuated", "about", 100, None, None, "households", "Une centaine")
    ]
    # homes evacuated are households; homes destroyed are no count of people
    text = "Le feu a détruit 40 maisons et a fait évacuer une vingtaine d'habitations."
    assert claims(text) == [("evacuated", "about", 20, None, None, "households", "une vingtaine")]
    assert claims("On recense 2 000 maisons endommagées et 17 blessés.") == [
        ("wounded", "exact", 17, 17, 17, "people", "17")
    ]


def test_people_affected_or_touched_are_no_claim():
    text = "Les crues ont touché 18 000 personnes et 1 200 personnes ont été évacuées."
    assert claims(text) == [("evacuated", "exact", 1200, 1200, 1200, "people", "1 200")]
    text = "Au total, 2 345 ménages affectés et 15 blessés ont été recensés."
    assert claims(text) == [("wounded", "exact", 15, 15, 15, "people", "15")]
    text = "Le nombre de déplacés s'élève à 25 000."
    assert claims(text) == [("displaced", "exact", 25000, 25000, 25000, "people", "25 000")]


def test_elided_articles_and_lost_accents():
    # "l'OIM", "d'enfants": the word is matched without its elided article or preposition
    [claim] = extract_claims(
        "Selon l'OIM, 300 d'entre eux ont été relogés.", published="2019-06-20", language="fr"
    )
    assert (claim.measure, claim.value, claim.claimant) == ("displaced", 300, "IOM")
    # a spreadsheet that lost its accents to the replacement character
    text = "Quelque 14,312 PDI (2,870 m\ufffdnages) ont \ufffdt\ufffd identifi\ufffds par la DTM"
    assert [(c.measure, c.value, c.unit, c.claimant) for c in extract_claims(text, language="fr")] == [
        ("displaced", 14312, "people", "IOM"),
        ("displaced", 2870, "households", "IOM"),
    ]


def test_the_speaker_and_the_date():
    text = "Au moins 37 civils ont été tués le 8 juin 2019 dans le Nord-Kivu, selon la MONUSCO."
    [claim] = extract_claims(text, published="2019-06-20", language="fr")
    assert (claim.claimant, claim.subject_role, claim.subject_party, claim.as_of) == (
        "MONUSCO",
        "civilian",
        "DR Congo",
        "2019-06-08",
    )
    text = "Le ministère de la Santé congolais a annoncé que 12 personnes sont mortes mardi."
    [claim] = extract_claims(text, published="2019-06-20", language="fr")
    assert (claim.measure, claim.claimant, claim.as_of) == (
        "killed",
        "DR Congo Ministry of Health",
        "2019-06-18",
    )
    text = "Des milliers de personnes ont fui les combats depuis le 3 mai, d'après le HCR."
    [claim] = extract_claims(text, published="2019-06-20", language="fr")
    assert (claim.measure, claim.low, claim.high, claim.claimant, claim.as_of) == (
        "displaced",
        2000,
        9999,
        "UNHCR",
        "2019-06-20",
    )
    text = "Le 1er juin, 30 habitants ont été tués à Bunia."
    [claim] = extract_claims(text, published="2019-06-20", language="fr")
    assert (claim.as_of, claim.subject_party) == ("2019-06-01", "DR Congo")
    text = "L'armée a indiqué hier que 5 assaillants avaient été abattus."
    [claim] = extract_claims(text, published="2019-06-20", language="fr")
    assert (claim.subject_role, claim.as_of) == ("military", "2019-06-19")


FRENCH = (
    "Les fortes pluies qui s'abattent sur le nord du pays depuis une semaine ont fait au moins 12 morts "
    "et plus de 3 000 personnes ont été évacuées, selon la protection civile, qui maintient "
    "l'alerte rouge dans trois provinces."
)
NEIGHBOURS = {
    "Spanish": (
        "Las fuertes lluvias que azotan el norte del país han dejado al menos 12 muertos y más de "
        "3.000 personas evacuadas, según informó la Defensa Civil, que mantiene la alerta roja en "
        "tres provincias."
    ),
    "Portuguese": (
        "As fortes chuvas que atingem o norte do país deixaram pelo menos 12 mortos e mais de "
        "3.000 pessoas desalojadas, segundo a Defesa Civil, que mantém o alerta vermelho em três "
        "províncias."
    ),
    "Italian": (
        "Le forti piogge che hanno colpito il nord del paese hanno causato almeno 12 morti e più "
        "di 3.000 persone sono state evacuate, secondo la Protezione civile, che mantiene "
        "l'allerta rossa in tre province."
    ),
    "Catalan": (
        "Les fortes pluges que afecten el nord del país han deixat almenys 12 morts i més de "
        "3.000 persones evacuades, segons ha informat la Defensa Civil, que manté l'alerta "
        "vermella a tres províncies."
    ),
}


def test_the_screen_routes_french_to_its_pack():
    [screened] = list(screen([Document(id="fr.txt", text=FRENCH)]))
    assert isinstance(screened, Document) and screened.language == "fr"
    assert load_languages().guess(FRENCH).code == "fr"
    # a short French text (under the screen's 20 words) is French when clearly so
    short = "Plus de dix familles ont été évacuées par mesure de sécurité dans la nuit."
    assert load_languages().guess(short).code == "fr"
    # an excerpt whose accents were lost to the replacement character is still prose, and French
    lost = (
        "Quelque 14,312 PDI (2,870 m\ufffdnages) ont \ufffdt\ufffd identifi\ufffds par la DTM "
        "dans les 3 provinces"
    )
    assert load_languages().guess(lost).code == "fr"


@pytest.mark.parametrize("name", sorted(NEIGHBOURS))
def test_neighbouring_languages_are_not_taken_for_french(name: str):
    guess = load_languages().guess(NEIGHBOURS[name])
    assert guess.language == name and guess.code == ("es" if name == "Spanish" else None)
    [item] = list(screen([Document(id="x.txt", text=NEIGHBOURS[name])]))
    if name == "Spanish":
        assert isinstance(item, Document) and item.language == "es"
    else:
        assert isinstance(item, InputError) and item.code == "E110"


def test_short_english_stays_english():
    for text in ("Paris Up to 212,400", "Les Cayes floods: 500 people displaced by the river"):
        assert load_languages().guess(text).english
