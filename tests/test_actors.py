"""The actor registry: aliases, roles in context, parties, user extensions and bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from counterclaim.actor_files import load_registry, registry_from_tables
from counterclaim.actor_names import NameMatcher
from counterclaim.errors import DataFileError


@pytest.fixture(scope="module")
def registry():
    return load_registry()


@pytest.mark.parametrize(
    ("text", "context", "expected"),
    [
        ("Kyiv", None, "Ukraine"),
        ("Moscow", None, "Russia"),
        ("the Kremlin", None, "Russia"),
        ("Kremlin spokesman Dmitry Peskov", None, "Russia"),
        ("the defence ministry", "Russia", "Russia Ministry of Defence"),
        ("the country's defence minister", "Russia", "Russia Ministry of Defence"),
        ("the defence ministry", "Ukraine", "Ukraine Ministry of Defence"),
        ("the authorities", "Ukraine", "Ukraine"),
        ("the United Nations", None, "United Nations"),
        ("the UN refugee agency", None, "UNHCR"),
        ("the Gaza health ministry", None, "Gaza Health Ministry"),
        ("the Syrian Observatory for Human Rights", None, "Syrian Observatory for Human Rights"),
        ("the International Committee of the Red Cross", None, "ICRC"),
        ("IS", None, "Islamic State"),
        ("is", None, None),
        ("a man walking his dog", None, None),
    ],
)
def test_actors_resolve(registry, text, context, expected):
    assert registry.resolve(text, context_party=context) == expected


def test_actors_same_claimant_through_aliases(registry):
    assert registry.same("Kremlin", "Russia")
    assert registry.same("unhcr", "UNHCR")
    assert registry.same(None, None)
    assert not registry.same("Ukraine", "Russia")
    assert not registry.same("Ukraine", None)
    # "<State> Interior Ministry" is the same body as "<State> Ministry of Interior"
    assert registry.same("Syria Interior Ministry", "Syria Ministry of Interior")
    assert registry.same("Ukraine Interior Ministry", "Ukraine Ministry of Internal Affairs")


def test_actors_cover_the_main_conflicts_with_kinds_and_sides(registry):
    for party in (
        "Russia",
        "Ukraine",
        "Israel",
        "Gaza",
        "Hamas",
        "Sudan",
        "RSF",
        "Syria",
        "Houthis",
        "Azerbaijan",
        "Armenia",
    ):
        assert registry.is_party(party), party
    assert registry.side_of("Russia Ministry of Defence") == "Russia"
    assert registry.get("OHCHR").kind == "un_body"
    assert registry.get("ICRC").side is None
    for name in ("Mediazona", "ACLED", "Airwars", "IFRC"):
        assert registry.get(name) is not None, name


def test_actors_party_mentions_by_name_adjective_and_place(registry):
    text = "Russian shelling hit Kharkiv, Ukraine said."
    assert [(m.party, m.how) for m in registry.party_mentions(text)] == [
        ("Russia", "adjective"),
        ("Ukraine", "place"),
        ("Ukraine", "name"),
    ]


def test_actors_user_file_extends_and_merges(tmp_path: Path):
    extra = tmp_path / "mine.toml"
    extra.write_text(
        '[[actor]]\nname = "Valley Monitor"\nkind = "ngo"\naliases = ["the valley monitoring group"]\n\n'
        '[[party]]\nname = "Ukraine"\naliases = ["Kyiv government"]\n'
    )
    registry = load_registry(str(extra))
    assert registry.resolve("the valley monitoring group") == "Valley Monitor"
    assert registry.resolve("Kyiv government") == "Ukraine"
    assert registry.resolve("Kyiv") == "Ukraine"  # the built-in aliases are kept


@pytest.mark.parametrize(
    ("tables", "message"),
    [
        ([{"actor": [{"kind": "ngo"}]}], "has no name"),
        ([{"actor": [{"name": "X", "kind": "spy agency"}]}], "kind 'spy agency' is not one of"),
        ([{"actor": [{"name": "X", "aliases": "not a list"}]}], "must be a list of strings"),
    ],
)
def test_actors_bad_tables_raise_a_coded_error(tables, message):
    with pytest.raises(DataFileError, match=message):
        registry_from_tables(tables)


def test_actors_missing_or_broken_file(tmp_path: Path):
    broken = tmp_path / "broken.toml"
    broken.write_text("[[actor]\n")
    with pytest.raises(DataFileError, match=r"\[E201\].*not valid TOML"):
        load_registry(str(broken))
    with pytest.raises(DataFileError, match="cannot read actor file"):
        load_registry(str(tmp_path / "absent.toml"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("UN and WHO staff", ["UN", "WHO"]),
        ("UN", ["UN"]),  # at the very start and end of the text
        ("(UN)", ["UN"]),
        ("XUN, .UN, -UN, UN-led", []),  # a name only where no letter, stop or hyphen touches it
        ("the U.N. said", ["U.N."]),
        ("UNHCR", ["UNHCR"]),  # the longest acronym, not the one it starts with
    ],
)
def test_acronyms_match_as_whole_names(text, expected):
    matcher = NameMatcher(["UN", "U.N.", "UNHCR", "WHO"])
    assert [key for _, _, key in matcher.finditer(text)] == expected
    # searching a window reads the characters before it, as a look-behind does
    assert [key for _, _, key in matcher.finditer("XUN", 1)] == []
