"""The extractor's word lists, read from data/lexicon.toml (and a user's extension file)."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.errors import DataFileError

DEFAULT_LEXICON = Path(__file__).with_name("data") / "lexicon.toml"


def normalise_phrase(phrase: str) -> str:
    """Lower-case a phrase and squeeze its whitespace, as lexicon keys are stored."""
    return " ".join(phrase.lower().split())


def trie_pattern(phrases: Iterable[str], *, lower: bool = True, not_after: str = "") -> str:
    """A regex matching any of the phrases, with common prefixes factored out (a trie).

    Python's regex engine tries the branches of an alternation one by one at every position;
    a trie makes that one branch per distinct next character, which is what keeps a list of
    hundreds of phrases fast. Longer phrases win: every continuation is greedy. A space in a
    phrase matches any run of whitespace.

    ``not_after`` (a character class's contents) lets a phrase match only where the character
    before it is not in the class, as a leading ``(?<![...])`` would; the test sits after the
    phrase's first character, so that the pattern opens with its first characters and the
    engine skips ahead in C to where one stands. That pays when few positions can start a
    phrase (acronyms: capitals), and costs when most can (lower-case words).
    """
    trie: dict[str, Any] = {}
    for phrase in phrases:
        key = normalise_phrase(phrase) if lower else " ".join(phrase.split())
        if not key:
            continue
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}

    def build(node: dict[str, Any], guard: str = "") -> str:
        branches = [
            (r"\s+" if char == " " else re.escape(char)) + guard + build(child)
            for char, child in sorted(node.items())
            if char
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    # a look-behind two characters wide after the first one tests the one before it
    return build(trie, rf"(?<![{not_after}][\s\S])" if not_after else "") or r"(?!x)x"


def word_regex(phrases: Iterable[str], *, anchor: str = "") -> re.Pattern[str]:
    """Compile phrases into one regex matching whole words of LOWER-CASED text.

    Callers search ``text.lower()`` (see :func:`lower_text`): without the IGNORECASE flag
    the engine runs several times faster. ``anchor`` may be ``"start"`` (the phrase must
    open the searched string, after spaces) or ``"end"`` (it must close it).
    """
    body = trie_pattern(phrases)
    core = rf"(?<![\w])(?:{body})(?![\w])"
    if anchor == "start":
        core = rf"^\s*{core}"
    elif anchor == "end":
        core = rf"{core}\s*$"
    return re.compile(core)


def lower_text(text: str) -> str:
    """``text.lower()`` with every offset kept: characters whose lower case is longer
    (such as "İ") are left as they are, so spans found in it are spans of ``text``."""
    lowered = text.lower()
    if len(lowered) == len(text):
        return lowered
    return "".join(char if len(char.lower()) != 1 else char.lower() for char in text)


_OPENING = "\"“”‘'(["


@dataclass(frozen=True, slots=True)
class PhraseSet:
    """Phrases to look for at the END of a stretch of text ("at least" before a number).

    A regex anchored at the end is tried at every position of the window; looking up the
    last one to ``longest`` words in a set is a handful of dictionary probes.
    """

    phrases: frozenset[str]
    longest: int

    @classmethod
    def of(cls, phrases: Iterable[str]) -> PhraseSet:
        normal = frozenset(normalise_phrase(p) for p in phrases if p.strip())
        return cls(normal, max((len(p.split()) for p in normal), default=0))

    def ending(self, text: str) -> tuple[str, int] | None:
        """The longest phrase ``text`` ends with (whole words), and where it starts in ``text``."""
        if not self.longest:
            return None
        words = [w.lstrip(_OPENING) for w in text.rsplit(None, self.longest)[-self.longest :]]
        for size in range(len(words), 0, -1):
            candidate = " ".join(words[-size:])
            if candidate in self.phrases:
                position = len(text)
                for word in reversed(words[-size:]):
                    position = text.rfind(word, 0, position)
                return candidate, position
        return None


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Compiled word lists; build it with :func:`load_lexicon`."""

    vague: Mapping[str, tuple[int, int]]
    scale: Mapping[str, int]
    qualifier_of: Mapping[str, str]
    qualifier_before: PhraseSet
    measure_of: Mapping[str, tuple[str, str]]
    measures: re.Pattern[str]
    flee_abroad: re.Pattern[str]
    military: frozenset[str]
    civilian: frozenset[str]
    households: frozenset[str]
    dwellings: frozenset[str]
    irregular: frozenset[str]
    irregular_sides: Mapping[str, str]
    regions: re.Pattern[str]
    wounded_included: frozenset[str]
    wounded_signals: re.Pattern[str]
    units: frozenset[str]
    prefixes: frozenset[str]
    rates_after: re.Pattern[str]
    change_before: PhraseSet
    prospective_before: PhraseSet
    hosting: frozenset[str]
    redeployment: frozenset[str]
    forecast_before: PhraseSet
    cumulative: re.Pattern[str]
    incident: re.Pattern[str]
    reporting_verbs: re.Pattern[str]
    reporting_words: frozenset[str]
    speaker_nouns: frozenset[str]
    measure_verbs: frozenset[str]
    measure_nouns: frozenset[str]
    back_references: frozenset[str]
    anonymous: frozenset[str]
    label_words: frozenset[str] = frozenset()
    other_fates: frozenset[str] = frozenset()


def _merge(base: dict[str, Any], extra: Mapping[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        elif isinstance(value, list) and isinstance(base.get(key), list):
            base[key] = base[key] + list(value)
        else:
            base[key] = value


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise DataFileError(f"cannot read lexicon file {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"lexicon file {path} is not valid TOML: {error}") from error


def build_lexicon(data: Mapping[str, Any], *, source: str = "lexicon") -> Lexicon:
    """Compile a lexicon from its TOML tables (see data/lexicon.toml for the shape)."""
    try:
        qualifier_of: dict[str, str] = {}
        for qualifier, phrases in data["qualifiers"].items():
            for phrase in phrases:
                qualifier_of[normalise_phrase(phrase)] = qualifier
        measure_of = {
            normalise_phrase(phrase): (str(entry[0]), str(entry[1]))
            for phrase, entry in data["measures"].items()
        }
        groups = data["groups"]
        not_counts = data["not_counts"]
        attribution = data["attribution"]
        return Lexicon(
            vague={normalise_phrase(k): (int(v[0]), int(v[1])) for k, v in data["vague"].items()},
            scale={k.lower(): int(v) for k, v in data["scale"].items()},
            qualifier_of=qualifier_of,
            qualifier_before=PhraseSet.of(qualifier_of),
            measure_of=measure_of,
            measures=word_regex(measure_of),
            flee_abroad=word_regex(data["flee"]["abroad"]),
            military=frozenset(normalise_phrase(w) for w in groups["military"]),
            civilian=frozenset(normalise_phrase(w) for w in groups["civilian"]),
            households=frozenset(normalise_phrase(w) for w in groups["households"]),
            dwellings=frozenset(normalise_phrase(w) for w in groups.get("dwellings", [])),
            irregular=frozenset(normalise_phrase(w) for w in groups["irregular"]),
            irregular_sides=dict(data.get("irregular_sides", {})),
            regions=word_regex(groups.get("regions", ["\u0000"])),
            wounded_included=frozenset(
                normalise_phrase(w) for w in data.get("wounded_included", {}).get("words", [])
            ),
            wounded_signals=word_regex(data.get("wounded_included", {}).get("signals", ["\u0000"])),
            units=frozenset(normalise_phrase(w) for w in not_counts["units"]),
            prefixes=frozenset(normalise_phrase(w) for w in not_counts["prefixes"]),
            rates_after=word_regex(not_counts["rates"], anchor="start"),
            change_before=PhraseSet.of(not_counts["change_verbs"]),
            prospective_before=PhraseSet.of(not_counts["prospective"]),
            hosting=frozenset(normalise_phrase(w) for w in not_counts.get("hosting", [])),
            label_words=frozenset(normalise_phrase(w) for w in data.get("labels", {}).get("words", [])),
            other_fates=frozenset(normalise_phrase(w) for w in not_counts.get("other_fates", [])),
            redeployment=frozenset(normalise_phrase(w) for w in not_counts.get("redeployment", [])),
            forecast_before=PhraseSet.of(not_counts.get("forecast", [])),
            cumulative=word_regex(data["scope"]["cumulative"]),
            incident=word_regex(data["scope"]["incident"]),
            reporting_verbs=word_regex(attribution["verbs"]),
            reporting_words=frozenset(
                normalise_phrase(w) for w in attribution["verbs"] if " " not in w.strip()
            ),
            measure_nouns=frozenset(
                p for p, (_, form) in measure_of.items() if " " not in p and form == "noun"
            ),
            measure_verbs=frozenset(
                p for p, (_, form) in measure_of.items() if " " not in p and form == "verb"
            ),
            speaker_nouns=frozenset(normalise_phrase(w) for w in attribution.get("speaker_nouns", [])),
            back_references=frozenset(normalise_phrase(w) for w in attribution["back_references"]),
            anonymous=frozenset(normalise_phrase(w) for w in attribution["anonymous"]),
        )
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as error:
        raise DataFileError(f"{source} is missing or misshapes a table: {error!r}") from error


@lru_cache(maxsize=8)
def load_lexicon(extra: str | Path | None = None) -> Lexicon:
    """Load the built-in lexicon, extended by ``extra`` (a TOML file of the same shape).

    Example:
        >>> load_lexicon().vague["dozens"]
        (24, 99)
    """
    data = _read_toml(DEFAULT_LEXICON)
    source = str(DEFAULT_LEXICON)
    if extra is not None:
        _merge(data, _read_toml(Path(extra)))
        source = f"{source} + {extra}"
    return build_lexicon(data, source=source)
