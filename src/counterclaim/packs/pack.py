"""One language pack: its data file read into stem phrases, and the words of a text to match them on."""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Final

from counterclaim.errors import DataFileError

PACK_DIR: Final = Path(__file__).parents[1] / "data" / "lang"
#: The languages with a built-in pack, by ISO 639-1 code: the files in data/lang.
PACK_CODES: Final = tuple(sorted(path.stem for path in PACK_DIR.glob("*.toml")))

# Eastern Arabic and Persian digits, Arabic decimal and thousands marks: one character each,
# so a text translated with this table keeps every offset.
DIGITS: Final = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹٫٬", "01234567890123456789.,")
_ARABIC_MARKS: Final = re.compile("[\u064b-\u0652\u0670\u0640]")
_ARABIC_LETTERS: Final = str.maketrans(
    {"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه", "ی": "ي", "ک": "ك"}
)
#: Languages whose words are compared without their accents.
UNACCENTED: Final = frozenset({"es", "fr"})
#: Languages that elide an article or a preposition before a vowel ("l'armée", "d'enfants"): a
#: word is also matched without it.
ELIDED: Final = frozenset({"fr"})
_ELISION: Final = re.compile(r"(?:l|d|j|m|n|s|t|c|qu|jusqu|lorsqu|puisqu|quoiqu)'(?=[^\W\d_])")
#: Languages whose text often comes from spreadsheets and PDF reports that lost accented letters
#: to the replacement character (U+FFFD): the letter it most often stands for.
_LOST_LETTER: Final = {"fr": "e"}
_APOSTROPHES: Final = str.maketrans({"’": "'", "ʼ": "'", "`": "'", "‘": "'"})
_WORD: Final = re.compile(r"[^\W\d_]+(?:['’ʼ`\-][^\W\d_]+)*|\d+|%|№")
# the same, with the replacement character (a lost accented letter) inside a word
_WORD_LOST: Final = re.compile(r"(?:[^\W\d_]|\ufffd)+(?:['’ʼ`\-](?:[^\W\d_]|\ufffd)+)*|\d+|%|№")
_ARABIC_CONJ: Final = ("و", "ف")
_ARABIC_PREP: Final = ("ب", "ل", "ك")


def normalise(text: str, code: str) -> str:
    """A word or stem in the form the pack compares: lower case, one apostrophe, for Arabic no
    short vowels or tatweel, one alef, ى as ي and ة as ه, for a language in ``UNACCENTED`` no
    accents ("más" as "mas": the press and text taken from PDF reports often drop them)."""
    text = unicodedata.normalize("NFC", text).lower().translate(_APOSTROPHES)
    if code in UNACCENTED:
        return "".join(ch for ch in unicodedata.normalize("NFD", text) if not unicodedata.combining(ch))
    if code == "ar":
        text = _ARABIC_MARKS.sub("", text).translate(_ARABIC_LETTERS)
    return text.replace("ё", "е") if code == "ru" else text


def arabic_forms(word: str) -> tuple[str, ...]:
    """A normalised Arabic word as written and with its clitics taken off: و/ف, then ب/ل/ك,
    then the article ال (or لل, the article after ل)."""
    forms = [word]
    rest = word
    if len(rest) > 3 and rest[0] in _ARABIC_CONJ:
        rest = rest[1:]
        forms.append(rest)
    if len(rest) > 3 and rest.startswith("لل"):
        forms.append(rest[2:])
        return tuple(forms)
    if len(rest) > 3 and rest[0] in _ARABIC_PREP:
        rest = rest[1:]
        forms.append(rest)
    if len(rest) > 4 and rest.startswith("ال"):
        forms.append(rest[2:])
    return tuple(dict.fromkeys(forms))


@dataclass(frozen=True, slots=True)
class Word:
    """A word of a text: where it is, and the normal forms it may be matched by."""

    start: int
    end: int
    text: str
    forms: tuple[str, ...]
    conj: bool = False  # an Arabic word that carries the conjunction و/ف

    @property
    def digits(self) -> bool:
        return self.text.isdigit()


def words_of(text: str, code: str, start: int = 0, end: int | None = None) -> list[Word]:
    """The words of ``text[start:end]`` (offsets into ``text``), with their forms for ``code``."""
    words = []
    lost = _LOST_LETTER.get(code)
    pattern = _WORD_LOST if lost else _WORD
    for match in pattern.finditer(text, start, len(text) if end is None else end):
        raw = match.group()
        form = normalise(raw.replace("\ufffd", lost) if lost else raw, code)
        if code == "ar" and not raw.isdigit():
            forms = arabic_forms(form)
            conj = len(forms) > 1 and form[0] in _ARABIC_CONJ and forms[1] == form[1:]
        elif code in ELIDED and (elided := _ELISION.match(form)):
            forms, conj = (form, form[elided.end() :]), False  # "l'armée", "d'enfants"
        else:
            forms, conj = (form,), False
        words.append(Word(match.start(), match.end(), raw, forms, conj))
    return words


@dataclass(frozen=True, slots=True)
class Phrase:
    """Stems to match on consecutive words; ``value`` is what a match means."""

    stems: tuple[tuple[str, bool], ...]  # (stem, exact)
    value: Any

    def matches(self, words: Sequence[Word], at: int, *, clitics: bool = True) -> bool:
        """Whether the phrase matches the words from index ``at``."""
        if at + len(self.stems) > len(words):
            return False
        for offset, (stem, exact) in enumerate(self.stems):
            forms = words[at + offset].forms if clitics else words[at + offset].forms[:1]
            if not any(form == stem if exact else form.startswith(stem) for form in forms):
                return False
        return True


def _phrases(entries: Iterable[tuple[str, Any]], code: str) -> tuple[Phrase, ...]:
    phrases = []
    for text, value in entries:
        stems = []
        for part in normalise(text, code).split():
            exact = part.endswith("=")
            stems.append((part.rstrip("="), exact))
        if stems:
            phrases.append(Phrase(tuple(stems), value))
    # the longest phrase first, so "по меньшей мере" wins over "мере"
    phrases.sort(key=lambda p: (-len(p.stems), -sum(len(s) for s, _ in p.stems)))
    return tuple(phrases)


@dataclass(frozen=True)
class Pack:
    """A language's word lists, compiled (see data/lang/*.toml and docs/languages.md)."""

    code: str
    name: str
    decimal: str
    numbers: tuple[Phrase, ...]
    joiners: frozenset[str]  # a word inside a compound numeral: "treinta y cinco"
    rounded: tuple[Phrase, ...]
    scales: tuple[Phrase, ...]
    vague: tuple[Phrase, ...]
    duals: tuple[str, ...]
    qualifiers: tuple[Phrase, ...]
    qualifiers_after: tuple[Phrase, ...]
    measures: tuple[Phrase, ...]
    topic_measures: tuple[Phrase, ...]
    excluded: Mapping[str, tuple[Phrase, ...]]
    groups: tuple[Phrase, ...]
    households: tuple[Phrase, ...]
    dwellings: tuple[Phrase, ...]  # homes: a count of them evacuated is of households
    not_after: tuple[Phrase, ...]
    not_before: tuple[Phrase, ...]
    rates: tuple[Phrase, ...]
    affected: tuple[Phrase, ...]  # people touched, assisted: a count with these is no claim
    levels: tuple[Phrase, ...]  # "se elevó a": the figure after is the level of a measure before
    reporting: tuple[Phrase, ...]
    anaphors: tuple[Phrase, ...]
    document: tuple[Phrase, ...]
    generic: tuple[Phrase, ...]
    new_topic: tuple[Phrase, ...]
    cumulative: tuple[Phrase, ...]
    months: tuple[Phrase, ...]
    weekdays: tuple[Phrase, ...]
    relative_days: tuple[Phrase, ...]
    since: tuple[Phrase, ...]  # a date after these starts a period: it is not the figure's day
    day_marks: frozenset[str]  # an ordinal mark written on the day: "1er juin"
    parties: tuple[Phrase, ...]
    actors: tuple[Phrase, ...]
    roles: tuple[Phrase, ...]
    _indexes: dict[int, dict[str, tuple[Phrase, ...]]] = field(
        default_factory=dict, compare=False, repr=False
    )
    _seen: dict[tuple[int, tuple[str, ...]], tuple[Phrase, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    def _candidates(self, phrases: Sequence[Phrase], word: Word) -> tuple[Phrase, ...]:
        """The phrases whose first stem could match the word: those filed under the first one
        or two letters of one of its forms (a list is compared with a word in a few lookups,
        not phrase by phrase; the order, longest first, is kept)."""
        known = self._seen.get((id(phrases), word.forms))
        if known is not None:
            return known
        index = self._indexes.get(id(phrases))
        if index is None:
            index = _index(phrases)
            self._indexes[id(phrases)] = index
        keys = {form[:2] for form in word.forms} | {form[:1] for form in word.forms}
        found = [phrase for key in keys for phrase in index.get(key, ())]
        if len(found) > 1:
            order = index_order(phrases)
            found.sort(key=lambda phrase: order[id(phrase)])
        if len(self._seen) > _SEEN_MAX:
            self._seen.clear()
        self._seen[(id(phrases), word.forms)] = result = tuple(found)
        return result

    def find(
        self, phrases: Sequence[Phrase], words: Sequence[Word], at: int, *, clitics: bool = True
    ) -> Phrase | None:
        """The first (longest) phrase that matches at word ``at``."""
        if at >= len(words):
            return None
        for phrase in self._candidates(phrases, words[at]):
            if phrase.matches(words, at, clitics=clitics):
                return phrase
        return None

    def scan(self, phrases: Sequence[Phrase], words: Sequence[Word]) -> list[tuple[int, int, Any]]:
        """Every match, left to right, none overlapping: (first word, word after, value)."""
        found = []
        at = 0
        while at < len(words):
            phrase = self.find(phrases, words, at)
            if phrase is None:
                at += 1
                continue
            found.append((at, at + len(phrase.stems), phrase.value))
            at += len(phrase.stems)
        return found


def _index(phrases: Sequence[Phrase]) -> dict[str, tuple[Phrase, ...]]:
    """Phrases filed under the first two letters of their first stem (one letter if it has one)."""
    index: dict[str, list[Phrase]] = {}
    for phrase in phrases:
        index.setdefault(phrase.stems[0][0][:2], []).append(phrase)
    return {key: tuple(found) for key, found in index.items()}


_ORDERS: dict[int, dict[int, int]] = {}
#: How many (list, word) candidate lookups a pack remembers before it starts afresh.
_SEEN_MAX = 200_000


def index_order(phrases: Sequence[Phrase]) -> dict[int, int]:
    """Each phrase's place in its list, by identity (the lists live as long as their pack)."""
    order = _ORDERS.get(id(phrases))
    if order is None:
        order = {id(phrase): n for n, phrase in enumerate(phrases)}
        _ORDERS[id(phrases)] = order
    return order


def _table(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, Mapping):
        raise DataFileError(f"[{key}] must be a table")
    return value


def _listed(table: Mapping[str, Any]) -> list[tuple[str, Any]]:
    return [(str(stem), name) for name, stems in table.items() if isinstance(stems, list) for stem in stems]


def pack_from(data: Mapping[str, Any], source: str) -> Pack:
    """Compile a pack's TOML data; a malformed file is a :class:`DataFileError` naming it."""
    try:
        meta = _table(data, "meta")
        code = str(meta["code"])
        reporting = _table(data, "reporting")
        dates = _table(data, "dates")
        units = _table(data, "units")

        def listed(key: str) -> list[tuple[str, Any]]:
            return _listed(_table(data, key))

        relative = [(str(s), 0) for s in dates.get("today", [])]
        relative += [(str(s), 1) for s in dates.get("yesterday", [])]
        relative += [(str(s), 2) for s in dates.get("day_before_yesterday", [])]
        return Pack(
            code=code,
            name=str(meta["name"]),
            decimal=str(meta.get("decimal", ",")),
            numbers=_phrases(((s, int(k)) for s, k in listed("numbers")), code),
            joiners=frozenset(normalise(str(w), code) for w in meta.get("number_joiners", [])),
            rounded=_phrases(((s, int(k)) for s, k in listed("numbers_about")), code),
            scales=_phrases(((s, int(k)) for s, k in listed("scales")), code),
            vague=_phrases(((s, (int(b[0]), int(b[1]))) for s, b in _table(data, "vague").items()), code),
            duals=tuple(normalise(n, code) for n in _table(data, "duals").get("nouns", [])),
            qualifiers=_phrases(listed("qualifiers"), code),
            qualifiers_after=_phrases(listed("qualifiers_after"), code),
            measures=_phrases(listed("measures"), code),
            topic_measures=_phrases(listed("measures_in_topic"), code),
            excluded={
                m: _phrases(((s, m) for s in stems), code)
                for m, stems in _table(data, "measures_exclude").items()
            },
            groups=_phrases(listed("groups"), code),
            households=_phrases(((str(s), "households") for s in units.get("households", [])), code),
            dwellings=_phrases(((str(s), "dwellings") for s in units.get("dwellings", [])), code),
            not_after=_phrases(((s, True) for s in _table(data, "not_people").get("after", [])), code),
            not_before=_phrases(((s, True) for s in _table(data, "not_people").get("before", [])), code),
            rates=_phrases(((s, True) for s in _table(data, "not_people").get("rate", [])), code),
            affected=_phrases(((s, True) for s in _table(data, "not_people").get("affected", [])), code),
            levels=_phrases(((s, True) for s in _table(data, "scope").get("levels", [])), code),
            reporting=_phrases(((s, True) for s in reporting.get("verbs", [])), code),
            anaphors=_phrases(((s, True) for s in reporting.get("anaphors", [])), code),
            document=_phrases(((s, True) for s in reporting.get("document", [])), code),
            generic=_phrases(_listed(_table(reporting, "generic")), code),
            new_topic=_phrases(((s, True) for s in _table(reporting, "new_topic").get("words", [])), code),
            cumulative=_phrases(((s, True) for s in _table(data, "scope").get("cumulative", [])), code),
            months=_phrases(
                ((s, n + 1) for n, stems in enumerate(dates.get("months", [])) for s in stems), code
            ),
            weekdays=_phrases(
                ((s, n) for n, stems in enumerate(dates.get("weekdays", [])) for s in stems), code
            ),
            relative_days=_phrases(relative, code),
            since=_phrases(((str(w), True) for w in dates.get("since", [])), code),
            day_marks=frozenset(normalise(str(w), code) for w in dates.get("day_marks", [])),
            parties=_phrases(listed("parties"), code),
            actors=_phrases(listed("actors"), code),
            roles=_phrases(listed("roles"), code),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise DataFileError(
            f"{source}: malformed language pack ({error!r}); see docs/languages.md"
        ) from error


@lru_cache(maxsize=16)
def load_pack(code: str, path: str | None = None) -> Pack:
    """The built-in pack of a language (``ru``, ``uk``, ``ar``, ``es``, ``fr``), or the one at ``path``.

    Raises:
        DataFileError: there is no pack for the language, or its file is malformed.
    """
    if path is None and code not in PACK_CODES:
        known = ", ".join(PACK_CODES)
        raise DataFileError(f"no language pack for {code!r} (there are: en, {known}); see docs/languages.md")
    where = Path(path) if path else PACK_DIR / f"{code}.toml"
    try:
        with where.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as error:
        raise DataFileError(f"{where}: cannot read the language pack ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"{where}: not valid TOML ({error})") from error
    return pack_from(data, str(where))
