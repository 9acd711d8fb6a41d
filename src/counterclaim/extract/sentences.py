"""Sentence spans of a document, by punctuation and line breaks; offsets into the text."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from typing import Final

# A full stop after these is not a sentence end.
ABBREVIATIONS: Final = frozenset(
    {
        "mr", "mrs", "ms", "dr", "prof", "gen", "col", "lt", "sgt", "capt", "cpt", "maj", "st",
        "no", "vs", "etc", "inc", "ltd", "co", "corp", "jr", "sr", "rev", "gov", "sen", "rep",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
        "u.n", "u.s", "u.k", "e.g", "i.e", "a.m", "p.m", "approx", "est", "fig", "adm", "brig",
    }
)  # fmt: skip
# Candidate boundaries; the rules below decide. The pattern opens with a character class on
# purpose: Python's regex engine then skips ahead in C to the next candidate, several times
# faster than an alternation of two branches.
_BOUNDARY: Final = re.compile(r"[.!?\n][\s.!?\"”’'»)\]]*")
_WORD_BEFORE: Final = re.compile(r"([\w.]+)$")
_SPACE: Final = re.compile(r"\s+")
# a lower-case word, a stop, then a capitalised word: "inquiry.On November", "year.Two colonels"
_GLUED: Final = re.compile(r"[a-z]{3}[.!?][A-Z][a-z]")
# Text whose commas were stripped (scraped datasets) often lost its line breaks too, gluing
# subheadings to the next sentence: there, a capitalised sentence opener after a word is a
# boundary as well ("... attack in Daraa Two citizens got injured ...").
_OPENERS: Final = (
    "The|A|An|In|On|At|Earlier|Meanwhile|Later|Separately|It|He|She|They|This|These|According|"
    "Terrorists|Two|Three|Four|Five|Six|Seven|Eight|Nine|Ten|Units|Army|Local|Activists|Nearly|"
    "Dozens|Hundreds|Thousands|Scores|Several"
)
_BOUNDARY_UNPUNCTUATED: Final = re.compile(rf"{_BOUNDARY.pattern}| (?=[A-Z])(?=(?:{_OPENERS}) )(?<=[a-z] )")


def boundaries_for(text: str) -> re.Pattern[str]:
    """The boundary pattern for a text: the plain one, or the one for comma-stripped text."""
    if len(text) > 600 and text.count(",") * 300 < len(text):
        return _BOUNDARY_UNPUNCTUATED
    return _BOUNDARY


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Split text into sentence spans ``(start, end)``, whitespace trimmed.

    Line breaks end a sentence (headlines, captions and paragraphs stand alone), except a
    single one inside a wrapped sentence (lower case on both sides); a full stop ends one
    unless it closes a known abbreviation or an initial.

    Example:
        >>> text = "Ukraine says 19,000 died. The U.N. disagrees."
        >>> [text[s:e] for s, e in split_sentences(text)]
        ['Ukraine says 19,000 died.', 'The U.N. disagrees.']
    """
    sentences = Sentences(text)
    sentences.around(len(text))
    return list(sentences.spans)


def _sentence_end(text: str, match: re.Match[str], floor: int) -> tuple[int, int] | None:
    """Where a boundary match ends a sentence (after its punctuation) and where the next one
    starts, or None if it ends none."""
    found = match.group(0)
    if "\n" in found:
        if _wrapped(text, match):
            return None
        return match.start() + len(found.rstrip()), match.end()
    # the stop and its closing marks, then space, then maybe the next sentence's opening quote
    gap = _SPACE.search(found)
    if gap is None:
        if _GLUED.match(text, match.start() - 3) and found[:1] in ".!?":
            # "ordered an inquiry.On November 10": a stop that lost the space after it
            word = _WORD_BEFORE.search(text, max(floor, match.start() - 12), match.start())
            if word is None or word.group(1).lower().rstrip(".") not in ABBREVIATIONS:
                return match.start() + 1, match.start() + 1
        return None  # "4.3", "U.N.'s": no space after the stop
    end = match.start() + gap.start()
    next_start = match.start() + gap.end()
    following = text[next_start : next_start + 1]
    if following and not (following.isupper() or following.isdigit() or following in "\"“‘'«(["):
        return None
    cut = match.start()
    word = _WORD_BEFORE.search(text, max(floor, cut - 12), cut)
    if word is not None:
        token = word.group(1).lower().rstrip(".")
        if token in ABBREVIATIONS or (len(token) == 1 and token.isalpha()):
            return None
        if found.isspace() and token in _NOT_AN_END:
            return None  # text without stops: "an activist told The Associated Press …"
    return end, next_start


def _wrapped(text: str, match: re.Match[str]) -> bool:
    """Whether a line break only wraps a sentence (text taken from PDF reports, e-mail): a
    single break between a lower-case word, a comma or a count and a lower-case word ("forced to
    leave\ntheir homes", "evacuated and 618\npeople rescued")."""
    found = match.group(0)
    if found.strip(" \t\r\n") or found.count("\n") != 1:
        return False
    before = text[match.start() - 1 : match.start()]
    after = text[match.end() : match.end() + 1]
    return (before.islower() or before == "," or before.isdigit()) and after.islower()


# Words that never end a sentence: a capitalised word after one is not a new sentence.
_NOT_AN_END: Final = frozenset(
    {
        "told", "tell", "tells", "to", "by", "of", "from", "with", "and", "or", "the", "a", "an",
        "that", "in", "on", "at", "for", "as", "into", "than", "via", "said", "says", "warned",
        "quoted", "citing", "including", "near", "against", "between", "among",
    }
)  # fmt: skip

#: Longest sentence read as one; longer runs are cut at a space (claims never span them).
MAX_SENTENCE = 2000


class Sentences:
    """Sentence spans of one text, split lazily: only as far as the positions asked about.

    A claim sits in the sentence of its measure word, and its context (who spoke, which
    day) in the sentences before it; nothing after the last claim is ever split.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.spans: list[tuple[int, int]] = []
        self._starts: list[int] = []
        self._matches = boundaries_for(text).finditer(text)
        self._next_start = 0
        self._done = False

    def _add(self, start: int, end: int) -> None:
        start, end = _trim(self.text, start, end)
        while end - start > MAX_SENTENCE:
            # a run-on "sentence" (a table, a text with no stops): cut at a space
            cut = self.text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
            cut = cut if cut > start else start + MAX_SENTENCE
            piece = _trim(self.text, start, cut)
            if piece[1] > piece[0]:
                self.spans.append(piece)
                self._starts.append(piece[0])
            start = _trim(self.text, cut, end)[0]
        if end > start:
            self.spans.append((start, end))
            self._starts.append(start)

    def _extend(self, position: int) -> None:
        while not self._done and (not self.spans or self.spans[-1][1] <= position):
            match = next(self._matches, None)
            if match is None:
                self._add(self._next_start, len(self.text))
                self._done = True
                return
            cut = _sentence_end(self.text, match, self._next_start)
            if cut is not None:
                self._add(self._next_start, cut[0])
                self._next_start = cut[1]

    def around(self, position: int) -> tuple[int, int]:
        """The sentence span that holds ``position`` (or the one before it, between two)."""
        self._extend(position)
        if not self.spans:
            return (0, 0)
        index = max(0, bisect_right(self._starts, position) - 1)
        return self.spans[index]

    def after(self, span: tuple[int, int]) -> tuple[int, int] | None:
        """The sentence after ``span``, or None at the end of the text."""
        self._extend(span[1] + 1)
        index = bisect_right(self._starts, span[0])
        while index >= len(self.spans) and not self._done:
            self._extend(self.spans[-1][1] + 1)
        return self.spans[index] if index < len(self.spans) else None

    def before(self, span: tuple[int, int]) -> tuple[int, int] | None:
        """The sentence before ``span``, or None at the start of the text."""
        index = bisect_left(self._starts, span[0])
        return self.spans[index - 1] if index > 0 else None


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
