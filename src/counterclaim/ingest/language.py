"""Screening documents by language: English, a language with a pack, or skipped with the reason why.

The rules live in data/languages.toml (scripts by Unicode range, function words per language);
the method is described at the top of that file. It needs no model and judges a document in
microseconds, so it runs on every input.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.errors import DataFileError, InputError, NotEnglishError, NotProseError
from counterclaim.models import Document

DEFAULT_LANGUAGES = Path(__file__).parents[1] / "data" / "languages.toml"
_WORD = re.compile(r"[^\W\d_]+(?:'(?=\w))?", re.UNICODE)
#: A token of prose: letters, with inner apostrophes, hyphens or dots (U.S., Kharkiv's, so-called),
#: once the quotes, brackets and punctuation around it are taken off. The replacement character
#: is a letter lost in a conversion ("m\ufffdnages" from a spreadsheet): still a word.
_PROSE_TOKEN = re.compile(r"(?:[^\W\d_]|\ufffd)+(?:['’.\-](?:[^\W\d_]|\ufffd)+)*")
_TOKEN_LEAD = "\"'“‘«([{"
_TOKEN_TRAIL = "\"'”’»)]}.,;:!?"


@dataclass(frozen=True, slots=True)
class Guess:
    """What a text looks like: English or not, and why."""

    english: bool
    language: str
    reason: str
    prose: bool = True  # False: not running prose at all (a listing, a table, a data file)
    code: str | None = None  # the ISO 639-1 code of a language with an extraction pack


@dataclass(frozen=True)
class PackRule:
    """How to tell a language with an extraction pack inside its script (data/languages.toml);
    ``code`` is "" for another language of that script, which has no pack."""

    code: str
    name: str
    script: str
    letters: frozenset[str]
    words: frozenset[str]


@dataclass(frozen=True)
class LanguageRules:
    """The screening rules of data/languages.toml."""

    sample_chars: int
    min_words: int
    script_share: float
    lead: float
    english_floor: float
    prose_words: float
    language_floor: float
    scripts: tuple[tuple[str, tuple[tuple[int, int], ...]], ...]
    words: dict[str, frozenset[str]]
    packs: tuple[PackRule, ...] = ()
    #: Languages of the Latin script with an extraction pack: name -> ISO 639-1 code
    codes: dict[str, str] = field(default_factory=dict)
    #: Fewer words than ``min_words`` but at least these: a pack's language if it is clear
    pack_min_words: int = 0

    def _pack_of(self, script: str, sample: str) -> PackRule | None:
        """The pack language of a text in ``script``: the most function words and letters."""
        candidates = [pack for pack in self.packs if pack.script == script]
        if not candidates:
            return None
        words = [word.lower() for word in _WORD.findall(sample)]
        if not words:
            return None

        def share(pack: PackRule) -> float:
            marks = sum(1 for ch in sample.lower() if ch in pack.letters)
            return (sum(1 for w in words if w in pack.words) + marks) / len(words)

        best = max(candidates, key=share)
        return best if best.code and share(best) >= self.language_floor else None

    def guess(self, text: str) -> Guess:
        """Judge a text (its first ``sample_chars`` characters)."""
        sample = text[: self.sample_chars]
        letters = [ch for ch in sample if ch.isalpha()]
        if letters:
            for name, ranges in self.scripts:
                inside = sum(1 for ch in letters if any(low <= ord(ch) <= high for low, high in ranges))
                if inside / len(letters) > self.script_share:
                    pack = self._pack_of(name, sample)
                    if pack is not None:
                        return Guess(False, pack.name, f"written in {pack.name}", code=pack.code)
                    return Guess(False, name, f"written in {name} ({inside / len(letters):.0%} of letters)")
        words = [word.lower() for word in _WORD.findall(sample)]
        if not words or len(words) < min(self.min_words, self.pack_min_words or self.min_words):
            return Guess(True, "English", f"too short to judge ({len(words)} words)")
        shares = {
            name: sum(1 for w in words if w in vocabulary) / len(words)
            for name, vocabulary in self.words.items()
        }
        english = shares.get("English", 0.0)
        rival, rival_share = max(
            ((name, share) for name, share in shares.items() if name != "English"),
            key=lambda pair: pair[1],
            default=("", 0.0),
        )
        short = len(words) < self.min_words
        if short and not (rival in self.codes and rival_share >= 2 * self.language_floor):
            # too short to skip; read in a pack's language if clearly in it
            return Guess(True, "English", f"too short to judge ({len(words)} words)")
        if rival and rival_share >= self.lead * english and english < self.english_floor:
            return self._not_english(sample, english, rival, rival_share)
        return Guess(True, "English", f"{english:.0%} English function words")

    def _not_english(self, sample: str, english: float, rival: str, rival_share: float) -> Guess:
        """Why a text the function words do not call English is skipped: not prose, in no
        language the rules know, or in the language whose words it has most of."""
        tokens = sample.split()
        words = sum(1 for token in tokens if _is_prose_token(token))
        if words < self.prose_words * len(tokens):
            return Guess(False, "not prose", _not_prose_reason(sample, words, len(tokens)), prose=False)
        if rival_share < self.language_floor:
            return Guess(
                False,
                "unknown",
                f"in no language the rules know ({english:.0%} English function words, "
                f"{rival_share:.0%} at most of another language's)",
            )
        return Guess(
            False,
            rival,
            f"looks like {rival} ({rival_share:.0%} {rival} function words, {english:.0%} English)",
            code=self.codes.get(rival),
        )


def _is_prose_token(token: str) -> bool:
    return _PROSE_TOKEN.fullmatch(token.lstrip(_TOKEN_LEAD).rstrip(_TOKEN_TRAIL)) is not None


def _not_prose_reason(sample: str, words: int, tokens: int) -> str:
    lines = [line for line in sample.splitlines() if line.strip()]
    records = sum(1 for line in lines if line.count(":") >= 2)
    shape = (
        f"{records} of its {len(lines)} lines are colon-separated records"
        if len(lines) >= 3 and records * 2 >= len(lines)
        else f"{words} of its {tokens} tokens are words"
    )
    return f"{shape} (a listing, a table, a configuration or data file?)"


def _rules_from(tables: Iterable[dict[str, Any]], source: str) -> LanguageRules:
    settings: dict[str, Any] = {}
    scripts: dict[str, tuple[tuple[int, int], ...]] = {}
    words: dict[str, set[str]] = {}
    codes: dict[str, str] = {}
    packs: dict[str, PackRule] = {}
    try:
        for table in tables:
            for key in (
                "sample_chars", "min_words", "script_share", "lead", "english_floor", "prose_words",
                "language_floor", "pack_min_words",
            ):  # fmt: skip
                if key in table:
                    settings[key] = table[key]
            for script in table.get("script", []):
                scripts[str(script["name"])] = tuple((int(low), int(high)) for low, high in script["ranges"])
            for language in table.get("language", []):
                words.setdefault(str(language["name"]), set()).update(
                    str(w).lower() for w in language["words"]
                )
                if language.get("code"):  # a language of the Latin script with a pack
                    codes[str(language["name"])] = str(language["code"])
            for pack in [*table.get("pack", []), *table.get("script_language", [])]:
                code = str(pack.get("code", ""))  # "": a language with no pack, told apart from those
                key = code or str(pack["name"])
                old = packs.get(key)
                packs[key] = PackRule(
                    code=code,
                    name=str(pack.get("name", old.name if old else code)),
                    script=str(pack.get("script", old.script if old else "")),
                    letters=frozenset(str(pack.get("letters", ""))) | (old.letters if old else frozenset()),
                    words=frozenset(str(w).lower() for w in pack.get("words", []))
                    | (old.words if old else frozenset()),
                )
        return LanguageRules(
            sample_chars=int(settings["sample_chars"]),
            min_words=int(settings["min_words"]),
            script_share=float(settings["script_share"]),
            lead=float(settings["lead"]),
            english_floor=float(settings["english_floor"]),
            prose_words=float(settings["prose_words"]),
            language_floor=float(settings["language_floor"]),
            scripts=tuple(scripts.items()),
            words={name: frozenset(vocabulary) for name, vocabulary in words.items()},
            packs=tuple(packs.values()),
            codes=codes,
            pack_min_words=int(settings.get("pack_min_words", 0)),
        )
    except (KeyError, TypeError, ValueError) as error:
        raise DataFileError(
            f"{source}: malformed language rules ({error!r}); see data/languages.toml"
        ) from error


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise DataFileError(f"{path}: cannot read the language rules ({error.strerror})") from error
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"{path}: not valid TOML ({error})") from error


@lru_cache(maxsize=8)
def load_languages(*extra: str) -> LanguageRules:
    """The built-in rules, extended by the user's files."""
    paths = [DEFAULT_LANGUAGES, *(Path(p) for p in extra)]
    return _rules_from((_read(p) for p in paths), ", ".join(str(p) for p in paths))


def label(
    items: Iterable[Document | InputError], rules: LanguageRules | None = None
) -> Iterator[Document | InputError]:
    """Give each document in a language with an extraction pack that language; skip nothing."""
    judge = rules or load_languages()
    for item in items:
        if isinstance(item, Document):
            code = judge.guess(item.text).code
            if code is not None and code != item.language:
                item = replace(item, language=code)
        yield item


def screen(
    items: Iterable[Document | InputError], rules: LanguageRules | None = None
) -> Iterator[Document | InputError]:
    """Pass English documents and errors through, and documents in a language with an
    extraction pack (Russian, Ukrainian, Arabic, Spanish) with their ``language`` set; a document in
    another language becomes a ``NotEnglishError``, one that is not running prose a
    ``NotProseError``."""
    judge = rules or load_languages()
    for item in items:
        if isinstance(item, Document):
            verdict = judge.guess(item.text)
            source = str(item.path) if item.path else item.id
            if not verdict.prose:
                yield NotProseError(source, f"not running prose, skipped: {verdict.reason}")
                continue
            if verdict.code is not None:
                yield replace(item, language=verdict.code)
                continue
            if not verdict.english:
                yield NotEnglishError(source, f"not English, skipped: {verdict.reason}")
                continue
        yield item
