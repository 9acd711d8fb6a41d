"""Spanish: its number formats, a sentence per measure, households and homes, attribution, and
the language screen telling Spanish from Portuguese, Italian, Catalan and Galician."""

from __future__ import annotations

import pytest

from counterclaim.errors import InputError
from counterclaim.extract import extract_claims
from counterclaim.ingest.language import load_languages, screen
from counterclaim.models import Document
from packcases import pack_claims, pack_numbers


def numbers(text: str) -> list[tuple[int | None, int | None, int | None, str]]:
    return pack_numbers(text, "es")


@pytest.mark.parametrize(
    ("text", "value", "written"),
    [
        ("más de 2.000 personas", 2000, "2.000"),
        ("unas 3 000 familias", 3000, "3 000"),
        ("2 mil viviendas", 2000, "2 mil"),
        ("300 mil desplazados", 300000, "300 mil"),
        ("2,5 millones de personas", 2500000, "2,5 millones"),
        ("diez familias", 10, "diez"),
        ("treinta y cinco muertos", 35, "treinta y cinco"),
        ("doscientas cuarenta personas", 240, "doscientas cuarenta"),
        ("dos mil quinientos evacuados", 2500, "dos mil quinientos"),
        ("mil personas", 1000, "mil"),
    ],
)
def test_spanish_numbers(text: str, value: int, written: str):
    assert (value, value, value, written) in numbers(text)


def test_round_and_vague_numbers():
    assert numbers("un centenar de casas") == [(100, 100, 100, "un centenar")]
    assert numbers("cientos de damnificados") == [(None, 200, 999, "cientos")]
    assert numbers("miles de personas") == [(None, 2000, 9999, "miles")]
    assert numbers("decenas de miles de personas") == [(None, 20000, 99999, "decenas de miles")]
    assert numbers("el 24 de mayo de 2016") == [(24, 24, 24, "24"), (2016, 2016, 2016, "2016")]


def claims(text: str, published: str = "2017-06-01") -> list[tuple[object, ...]]:
    return pack_claims(text, "es", published)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Las inundaciones dejaron 12 muertos.", ("killed", "exact", 12, 12, 12, "people", "12")),
        ("Al menos 40 personas resultaron heridas.", ("wounded", "at_least", 40, 40, None, "people", "40")),
        ("Hay 15 desaparecidos en la zona.", ("missing", "exact", 15, 15, 15, "people", "15")),
        ("La policía informó de 8 detenidos.", ("captured", "exact", 8, 8, 8, "people", "8")),
        (
            "Más de 1.500 personas se han desplazado.",
            ("displaced", "more_than", 1500, 1500, None, "people", "1.500"),
        ),
        (
            "Alrededor de 700 personas fueron evacuadas.",
            ("evacuated", "about", 700, None, None, "people", "700"),
        ),
        (
            "Cerca de 900 damnificados siguen en albergues.",
            ("displaced", "about", 900, None, None, "people", "900"),
        ),
        (
            "Unos 3.000 refugiados cruzaron la frontera.",
            ("refugees", "about", 3000, None, None, "people", "3.000"),
        ),
    ],
)
def test_a_sentence_per_measure(text: str, expected: tuple[object, ...]):
    assert expected in claims(text)


def test_families_and_homes_are_households():
    assert claims("El alud dejó 450 familias sin hogar.") == [
        ("displaced", "exact", 450, 450, 450, "households", "450")
    ]
    assert claims("Más de veinte familias han sido evacuadas.") == [
        ("evacuated", "more_than", 20, 20, None, "households", "veinte")
    ]
    # homes evacuated are households; homes destroyed or damaged are no count of people
    text = "El fuego destruyó 30 viviendas y obligó a evacuar un centenar de casas."
    assert claims(text) == [("evacuated", "about", 100, None, None, "households", "un centenar")]
    assert claims("Se registran 2 mil viviendas con daños y 14 heridos.") == [
        ("wounded", "exact", 14, 14, 14, "people", "14")
    ]


def test_accents_dropped_by_the_press_or_a_pdf_are_read():
    assert claims("Segun la Defensa Civil, mas de 600 personas fueron evacuadas.") == [
        ("evacuated", "more_than", 600, 600, None, "people", "600")
    ]


def test_the_speaker_and_the_date():
    text = "Unas 2.300 personas han sido evacuadas desde el lunes, según ACNUR."
    [claim] = extract_claims(text, published="2017-06-01", language="es")
    assert (claim.claimant, claim.value, claim.as_of) == ("UNHCR", 2300, "2017-05-29")
    text = "Fuentes oficiales informaron que 80 personas murieron el 3 de mayo."
    [claim] = extract_claims(text, published="2017-06-01", language="es")
    assert (claim.measure, claim.claimant, claim.as_of) == ("killed", "officials", "2017-05-03")


SPANISH = (
    "Las fuertes lluvias que azotan el norte del país han dejado al menos 12 muertos y más de "
    "3.000 personas evacuadas, según informó la Defensa Civil, que mantiene la alerta roja en "
    "tres provincias."
)
NEIGHBOURS = {
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
    "Galician": (
        "As fortes choivas que afectan o norte do país deixaron polo menos 12 mortos e máis de "
        "3.000 persoas evacuadas, segundo informou a Defensa Civil, que mantén a alerta vermella "
        "en tres provincias."
    ),
}


def test_the_screen_routes_spanish_to_its_pack():
    [screened] = list(screen([Document(id="es.txt", text=SPANISH)]))
    assert isinstance(screened, Document) and screened.language == "es"
    assert load_languages().guess(SPANISH).code == "es"
    # a short Spanish text (under the screen's 20 words) is Spanish when clearly so
    short = "Más de diez familias han sido evacuadas por seguridad a otra comunidad."
    assert load_languages().guess(short).code == "es"


@pytest.mark.parametrize("name", sorted(NEIGHBOURS))
def test_neighbouring_languages_are_not_taken_for_spanish(name: str):
    guess = load_languages().guess(NEIGHBOURS[name])
    assert (guess.code, guess.language) == (None, name)
    [skipped] = list(screen([Document(id="x.txt", text=NEIGHBOURS[name])]))
    assert isinstance(skipped, InputError) and skipped.code == "E110"


def test_short_english_stays_english():
    for text in ("Cyprus Up to 212,400", "La Paz floods: 500 people displaced by the river"):
        assert load_languages().guess(text).english


def test_a_sentence_wrapped_over_lines_is_one_sentence():
    text = "Las lluvias dejaron 600 familias\nsin hogar en la provincia.\nCaracoles\n12 muertos"
    assert claims(text) == [
        ("displaced", "exact", 600, 600, 600, "households", "600"),
        ("killed", "exact", 12, 12, 12, "people", "12"),
    ]


def test_a_period_s_first_day_is_not_the_figure_s_day_and_civil_protection_is_named():
    text = (
        "Las lluvias que afectan al norte desde el pasado 10 de enero han dejado al menos 12 muertos, "
        "según el Instituto Nacional de Defensa Civil (INDECI). El 3 de marzo, 40 personas fueron evacuadas."
    )
    found = extract_claims(text, published="2023-03-15", language="es")
    assert [(c.measure, c.value, c.scope, c.as_of, c.claimant) for c in found] == [
        ("killed", 12, "cumulative", "2023-03-15", "Peru INDECI"),
        ("evacuated", 40, "incident", "2023-03-03", None),
    ]


def test_people_affected_are_no_claim_and_a_level_belongs_to_the_measure_before():
    text = "Las lluvias afectaron a 18.000 personas y obligaron a evacuar a 1.200."
    assert claims(text) == [("evacuated", "exact", 1200, 1200, 1200, "people", "1.200")]
    text = "Un total de 2.345 familias resultaron afectadas y 15 heridos fueron atendidos."
    assert claims(text) == [("wounded", "exact", 15, 15, 15, "people", "15")]
    text = "El número de damnificados se elevó a 25.000."
    assert claims(text) == [("displaced", "exact", 25000, 25000, 25000, "people", "25.000")]
    assert claims("La temperatura alcanzó 40 grados y dejó 20 heridos.") == [
        ("wounded", "exact", 20, 20, 20, "people", "20")
    ]
