"""Actor names: their lookup keys, finding them in text, and guessing them back from a misspelling."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import lru_cache

from counterclaim.lexicon import lower_text, trie_pattern


def is_acronym(name: str) -> bool:
    """An all-capitals name ("UN", "U.N.", "IS", "WHO") matches only as written."""
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and len(letters) <= 8


def spelling(name: str) -> str:
    """A name as written, with straight apostrophes and single spaces."""
    return " ".join(name.replace("’", "'").split())


@lru_cache(maxsize=65536)
def lookup_key(name: str) -> str:
    """The lookup key of a name: as written for acronyms, lower-cased otherwise."""
    key = spelling(name)
    return key if is_acronym(key) else key.lower()


class NameMatcher:
    """Finds whole-word names in text: acronyms as written, other names in any case.
    Each set is one trie-shaped regex, fast over long alias lists."""

    def __init__(self, names: Iterable[str]) -> None:
        unique = {spelling(name) for name in names if name.strip()}
        cased = [n for n in unique if is_acronym(n)]
        uncased = [n for n in unique if not is_acronym(n)]
        self._cased = self._compile(cased, lower=False)
        self._uncased = self._compile(uncased, lower=True)

    @staticmethod
    def _compile(names: list[str], *, lower: bool) -> re.Pattern[str] | None:
        if not names:
            return None
        if not lower:
            # acronyms start with a capital: searched ahead to in C (see trie_pattern)
            body = trie_pattern(names, lower=False, not_after=r"\w.-").replace("'", "['’]")
            return re.compile(rf"(?:{body})(?![\w-])")
        body = trie_pattern(names, lower=lower).replace("'", "['’]")
        return re.compile(rf"(?<![\w.-])(?:{body})(?![\w-])")

    def finditer(
        self, text: str, start: int = 0, end: int | None = None, *, low: str | None = None
    ) -> list[tuple[int, int, str]]:
        """(start, end, key) of every name found, in text order; key is the name's spelling.

        ``low`` is ``lower_text(text)`` when the caller has it already.
        """
        stop = len(text) if end is None else end
        found: list[tuple[int, int, str]] = []
        if self._cased is not None:
            for match in self._cased.finditer(text, start, stop):
                found.append((match.start(), match.end(), spelling(match.group(0))))
        if self._uncased is not None:
            if low is None:
                lowered, offset = lower_text(text[start:stop]), start
                matches = self._uncased.finditer(lowered)
            else:
                offset = 0
                matches = self._uncased.finditer(low, start, stop)
            for match in matches:
                found.append((offset + match.start(), offset + match.end(), spelling(match.group(0))))
            found.sort()
        return found


class MisspellingIndex:
    """Long aliases by first letter and length, to find the one a misspelt name was meant to be."""

    def __init__(self, owner_of: Mapping[str, str]) -> None:
        self._owner_of = owner_of
        self._by_shape: dict[tuple[str, int], list[str]] = {}
        for alias in owner_of:
            if len(alias) >= 13:
                self._by_shape.setdefault((alias[0], len(alias)), []).append(alias)

    def owner(self, name: str) -> str | None:
        """The actor a long name is one slip of the keyboard away from ("Syrian Obervatory for
        Human Rights"), or None; short names and acronyms are never guessed."""
        key = lookup_key(name)
        if len(key) < 14 or " " not in key:
            return None
        close = [
            alias
            for length in (len(key) - 1, len(key), len(key) + 1)
            for alias in self._by_shape.get((key[0], length), ())
            if _one_slip(alias, key)
        ]
        owners = {self._owner_of[alias] for alias in close}
        return owners.pop() if len(owners) == 1 else None


def _one_slip(first: str, second: str) -> bool:
    """Whether two strings differ by one dropped, added, changed or swapped character."""
    if first == second:
        return False
    if len(first) > len(second):
        first, second = second, first
    start = 0
    while start < len(first) and first[start] == second[start]:
        start += 1
    if len(first) == len(second):
        rest = first[start + 1 :] == second[start + 1 :]
        swapped = first[start : start + 2] == second[start : start + 2][::-1]
        return rest or (swapped and first[start + 2 :] == second[start + 2 :])
    return len(second) - len(first) == 1 and first[start:] == second[start + 1 :]
