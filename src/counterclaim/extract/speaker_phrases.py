"""The noun phrase that names a speaker, chunked from a sentence's tokens without a parser.

The speaker's words are chunked with rules a grammar book would state: a noun phrase ends at a
determiner, and is cut at punctuation, prepositions and clause words, except inside a name
("Syrian Observatory for Human Rights", "Ministry of Defence of Ukraine"); time and place
adverbials before it ("On Sunday", "In a statement") are never part of it; an empty subject
slot after a comma means the sentence's own subject ("X, a think tank that monitors the war,
in January put …").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from counterclaim.extract.token_list import Tokens
from counterclaim.lexicon import Lexicon

# Dotted acronyms first ("U.N.", "U.S."), then words (with inner apostrophes and hyphens, and
# the apostrophe of a plural's possessive: "the doctors' union"), then single punctuation marks.
_TOKEN: Final = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_](?:[\w'’\-]*[^\W_])?(?:(?<=s)['’](?=\s))?|[^\w\s]")

DETERMINERS: Final = frozenset(
    {"the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "these", "those", "another"}
)
PREPOSITIONS: Final = frozenset(
    {
        "in", "on", "at", "from", "with", "by", "to", "near", "after", "before", "during", "since",
        "under", "over", "across", "against", "via", "into", "of", "for", "about", "amid", "among",
        "between", "through", "within", "without", "inside", "outside", "around", "following",
        "per", "than", "like", "toward", "towards", "upon", "despite",
    }
)  # fmt: skip
_CLAUSE_WORDS: Final = frozenset(
    {
        "and", "or", "but", "nor", "yet", "so", "that", "which", "who", "whom", "whose", "where",
        "when", "while", "whereas", "as", "because", "if", "although", "though", "whether",
        "unless", "until", "once", "then", "not", "no",
    }
)  # fmt: skip
_VERBISH: Final = frozenset(
    {
        "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "will", "would",
        "can", "could", "may", "might", "must", "shall", "should", "do", "does", "did",
    }
)  # fmt: skip
PRONOUNS: Final = frozenset({"he", "she", "it", "they", "we", "i", "you"})
_BODY_NOUNS: Final = frozenset(
    {
        "agency", "office", "ministry", "commission", "commissioner", "mission", "committee",
        "council", "department", "envoy", "coordinator", "representative", "programme", "fund",
        "rapporteur", "chief", "head", "director", "spokesman", "spokeswoman", "spokesperson",
        "organisation", "organization", "body", "service", "centre", "center", "institute",
    }
)  # fmt: skip
# Words of a count: a speaker's phrase never holds one ("wounding dozens more observers said").
QUANTITY_WORDS: Final = frozenset(
    {
        "dozens", "dozen", "scores", "hundreds", "thousands", "millions", "tens", "million",
        "billion", "thousand", "hundred", "more", "others", "dead", "killed", "wounded", "injured",
        "percent", "per",
    }
)  # fmt: skip
# Nouns of places and things: a phrase ending in one names no speaker ("in Hassakeh city").
_PLACE_NOUNS: Final = frozenset(
    {
        "city", "town", "village", "province", "region", "area", "areas", "district", "country",
        "site", "camp", "border", "front", "street", "neighbourhood", "neighborhood", "capital",
        "oblast", "governorate", "state", "county", "countryside", "suburb", "suburbs", "zone",
        "wedding", "market", "hospital", "school", "building", "months", "weeks", "days", "years",
        "attack", "attacks", "strike", "strikes", "movement", "blast", "explosion", "fire",
    }
)  # fmt: skip
# Words that open a sentence as adverbs, never part of the speaker ("Earlier Ukrainian officials said").
_SENTENCE_ADVERBS: Final = frozenset(
    {
        "earlier", "meanwhile", "separately", "later", "elsewhere", "also", "however", "but", "and",
        "yesterday", "today", "overnight", "now", "additionally", "moreover", "furthermore",
        "previously", "initially", "instead", "still", "last", "this", "next", "then", "finally",
        "so", "thus", "hence", "nevertheless", "nonetheless", "tonight", "recently", "afterwards",
    }
)  # fmt: skip
WEEKDAYS: Final = frozenset(
    {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
    | {f"{d}'s" for d in ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")}
)
MONTHS: Final = frozenset(
    {
        "january", "february", "march", "april", "may", "june", "july", "august", "september",
        "october", "november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep",
        "sept", "oct", "nov", "dec",
    }
)  # fmt: skip
TIME_WORDS: Final = (
    WEEKDAYS
    | MONTHS
    | frozenset(
        {
            "night", "morning", "evening", "afternoon", "week", "month", "year", "weekend", "day",
            "yesterday", "today", "tonight", "overnight", "late", "early", "last", "this", "past",
            "previous", "following", "next", "midday", "dawn", "noon", "midnight",
        }
    )
)  # fmt: skip
# Prepositions that join the words of one name: "Ministry of Defence", "Committee to Protect
# Journalists", "Middle East and North Africa", "Observatory for Human Rights".
_NAME_LINKS: Final = frozenset({"of", "for", "to", "on", "and", "at", "in", "de", "du", "al", "el"})


class Token:
    """A word or punctuation mark of the original text, with its offsets.

    A plain class with slots: sentences are tokenised for every reporting cue, and a frozen
    dataclass's constructor costs several times as much.
    """

    __slots__ = ("acronym", "capital", "end", "low", "start", "text", "word")

    def __init__(self, start: int, end: int, text: str) -> None:
        self.start = start
        self.end = end
        self.text = text
        self.low = text.lower().replace("’", "'")
        first = text[0]
        self.word = first.isalnum()
        self.capital = first.isupper()
        # All capitals ("WHO", "IS", "UN"): a name, never the function word it spells.
        self.acronym = len(text) >= 2 and text.isupper()


def tokens_of(
    text: str, start: int, end: int, is_place: Callable[[str], bool] | None = None
) -> Tokens[Token]:
    """The tokens of ``text[start:end]``."""
    tokens: Tokens[Token] = Tokens(
        Token(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text, start, end)
    )
    tokens.is_place = is_place
    return tokens


def is_number(token: Token) -> bool:
    return token.text[0].isdigit()


def time_phrase_before(tokens: list[Token], index: int) -> int:
    """The index before a time adverbial ending at ``tokens[index]`` ("on Sunday", "late on
    Tuesday night", "in January", "this week"), or ``index`` if there is none."""
    position = index
    seen_time = False
    while position >= 0 and (tokens[position].low in TIME_WORDS or is_number(tokens[position])):
        seen_time = seen_time or tokens[position].low not in {"late", "early", "this", "past"}
        position -= 1
    if not seen_time:
        return index
    while position >= 0 and tokens[position].low in {"on", "in", "late", "early", "at", "by", "during"}:
        position -= 1
    return position


def _link_allowed(tokens: list[Token], index: int) -> bool:
    """Whether the linking word at ``index`` joins the words of one name: "Ministry of Defence",
    "UN agency for Palestinian refugees" (a capitalised word after it, and one just before)."""
    before = tokens[index - 1] if index > 0 else None
    after_index = index + 1
    if after_index < len(tokens) and tokens[after_index].low == "the":
        after_index += 1
    after = tokens[after_index] if after_index < len(tokens) else None
    if before is None or after is None or not (before.word and after.word and after.capital):
        return False
    if before.low.endswith(("'s", "’s")):
        return False
    if before.capital:
        return True
    # "the UN agency for Palestinian refugees": a body's descriptive name
    return (
        tokens[index].low in {"for", "of", "to"}
        and before.low in _BODY_NOUNS
        and any(tokens[k].capital and tokens[k].word for k in range(max(0, index - 3), index - 1))
    )


def noun_phrase_before(tokens: list[Token], index: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The noun phrase that ends at ``tokens[index]``, with the conjuncts coordinated before it
    ("the Syrian Observatory and medics", "an international charity and an aid worker")."""
    span = _one_noun_phrase_before(tokens, index, lexicon)
    if span is None:
        return None
    joint = span[0] - 1
    if joint > 0 and tokens[joint].low in {"and", "or"} and tokens[joint - 1].word:
        first = _one_noun_phrase_before(tokens, joint - 1, lexicon)
        if (
            first is not None
            and can_speak(tokens, first, lexicon)
            and tokens[first[1]].low not in _PLACE_NOUNS
        ):
            return (first[0], span[1])
    return span


def _one_noun_phrase_before(tokens: list[Token], index: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The token range ``[first, last]`` of the noun phrase that ends at ``tokens[index]``.

    Walks back over nouns, adjectives and names; stops after a determiner and before
    punctuation, numbers, prepositions and clause words, except a linking word inside a name.
    A parenthesised acronym ("(SLN)") is kept with the name it follows.
    """
    if index < 0:
        return None
    last = index
    position = index
    if tokens[position].low in PRONOUNS:
        return (position, position)
    while position >= 0:
        token = tokens[position]
        if not token.word:
            if token.text == ")" and position > 1:
                opening = next(
                    (k for k in range(position - 1, max(-1, position - 6), -1) if tokens[k].text == "("), None
                )
                if opening is not None and opening < position - 1 and opening > 0:
                    if position == last:
                        last = position  # the acronym belongs to the phrase
                    position = opening - 1
                    continue
            if token.text in {"-", "–"} and position > 0 and tokens[position - 1].word:
                position -= 1
                continue
            break
        low = token.low
        if token.acronym:
            position -= 1
            continue
        if is_number(token) or low in QUANTITY_WORDS or low in lexicon.measure_verbs:
            break
        if low in DETERMINERS:
            if position > 1 and tokens[position - 1].low in _NAME_LINKS and tokens[position - 2].capital:
                position -= 2  # "Office of the UN High Commissioner"
                continue
            position -= 1
            break
        if low in PRONOUNS and position != index:
            break
        if (low in _NAME_LINKS or (low in PREPOSITIONS and token.capital and position > 0)) and _link_allowed(
            tokens, position
        ):
            # "Ministry of Defence", "Reporters Without Borders"
            position -= 1
            continue
        if low in PREPOSITIONS or low in _CLAUSE_WORDS or low in _VERBISH:
            break
        if low in lexicon.reporting_words and low not in lexicon.speaker_nouns:
            break
        if index - position >= 12:
            break
        position -= 1
    first = position + 1
    # a text without commas glues the speaker to the count before it: "hundreds of civilian
    # casualties aid agencies said" -> "aid agencies"
    for inner in range(last - 1, first - 1, -1):
        if tokens[inner].low in lexicon.measure_nouns and not tokens[inner].capital:
            first = inner + 1
            break
    # adverbs and time words that open the stretch are not the speaker's ("Earlier", "Monday")
    while first <= last and (
        tokens[first].low in _SENTENCE_ADVERBS
        or (tokens[first].low in TIME_WORDS and tokens[first].low not in {"last"})
        or is_number(tokens[first])
        or not tokens[first].word
    ):
        first += 1
    if first > last:
        return None
    return (first, last)


def noun_phrase_after(tokens: list[Token], index: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The noun phrase that starts at ``tokens[index]``, with the conjuncts coordinated after it
    ("according to witnesses and a member of the opposition National Unity Government")."""
    span = _one_noun_phrase_after(tokens, index, lexicon)
    if span is None:
        return None
    joint = span[1] + 1
    if joint + 1 < len(tokens) and tokens[joint].low in {"and", "or"}:
        second = _one_noun_phrase_after(tokens, joint + 1, lexicon)
        if second is not None and can_speak(tokens, second, lexicon):
            return (span[0], second[1])
    return span


def _one_noun_phrase_after(tokens: list[Token], index: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The token range of the noun phrase that starts at ``tokens[index]`` (an inverted subject,
    the object of "according to"): up to punctuation, a clause word, or a preposition that does
    not continue a name ("the Middle East and North Africa division at Human Rights Watch")."""
    position = index
    while position < len(tokens) and (tokens[position].low in TIME_WORDS or tokens[position].low == "on"):
        position += 1  # "said on Sunday the ministry" is rare; "said on Sunday" has no subject after
    first = position
    last = -1
    if position < len(tokens) and tokens[position].low in PRONOUNS:
        return (position, position)
    while position < len(tokens) and position - first < 16:
        token = tokens[position]
        if not token.word:
            if token.text == "(":
                closing = next(
                    (k for k in range(position + 1, min(len(tokens), position + 6)) if tokens[k].text == ")"),
                    None,
                )
                if closing is not None:
                    last = closing
                    position = closing + 1
                    continue
            if token.text in {"-"} and last >= 0:
                position += 1
                continue
            break
        low = token.low
        if is_number(token):
            break
        if low in DETERMINERS:
            if last >= first and position > first and tokens[position - 1].low not in _NAME_LINKS:
                break
            position += 1
            continue
        if low in _NAME_LINKS and last >= first and _link_allowed_forward(tokens, position):
            position += 1
            continue
        if low in PREPOSITIONS or low in _CLAUSE_WORDS or low in _VERBISH or low in PRONOUNS - {"it"}:
            break
        if low in lexicon.reporting_words and position > first:
            break
        last = position
        position += 1
    if last < first:
        return None
    return (first, last)


def _link_allowed_forward(tokens: list[Token], index: int) -> bool:
    """Whether a linking word continues the phrase: a capitalised word (after "the") follows."""
    after_index = index + 1
    if after_index < len(tokens) and tokens[after_index].low == "the":
        after_index += 1
    return after_index < len(tokens) and tokens[after_index].word and tokens[after_index].capital


def sentence_subject(tokens: list[Token], before: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The noun phrase that opens the sentence (its subject), ahead of ``tokens[before]``.

    A fronted adverbial ending in a comma ("In a statement,", "Speaking in Geneva,",
    "On Sunday,") is skipped.
    """
    start = 0
    head = tokens[0].low if tokens else ""
    fronted = (
        head in PREPOSITIONS
        or head in _SENTENCE_ADVERBS
        or head in _CLAUSE_WORDS
        or head.endswith("ing")
        or head in TIME_WORDS
        or head in {"despite", "amid", "following", "according"}
    )
    for position in range(min(before, 40)):
        if tokens[position].text == ",":
            if fronted:
                start = position + 1
            break
    if start >= before:
        return None
    return noun_phrase_after(tokens, start, lexicon)


def can_speak(tokens: list[Token], span: tuple[int, int], lexicon: Lexicon) -> bool:
    """Whether a noun phrase can name a speaker: a name, a pronoun, or a speaking head noun,
    and not a place or a thing ("Hassakeh city", "a wedding", "the last 18 months")."""
    words = [t for t in tokens[span[0] : span[1] + 1] if t.word]
    if not words or words[-1].low in _PLACE_NOUNS:
        return False
    is_place = getattr(tokens, "is_place", None)
    if is_place is not None and all(t.capital for t in words) and is_place(" ".join(t.text for t in words)):
        return False
    if any(t.capital for t in words[1:]) or (
        words[0].capital
        and (
            span[0] > 0 or words[0].low not in _SENTENCE_ADVERBS | TIME_WORDS | QUANTITY_WORDS | _PLACE_NOUNS
        )
    ):
        return True
    return any(t.low in PRONOUNS or t.low in lexicon.speaker_nouns for t in words)


def speaker_before_place(tokens: list[Token], span: tuple[int, int], lexicon: Lexicon) -> tuple[int, int]:
    """ "The interior ministry in Damascus said", "officials in Kyiv said": a name after "in"
    says where the speaker is; the speaker is the common noun before it, with its place."""
    first, last = span
    if first < 2 or tokens[first - 1].low != "in" or not all(t.capital for t in tokens[first : last + 1]):
        return span
    before = noun_phrase_before(tokens, first - 2, lexicon)
    if before is None or tokens[before[1]].capital or tokens[before[1]].low not in lexicon.speaker_nouns:
        return span
    return (before[0], last)


def speaker_before_modifier(tokens: list[Token], index: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The noun phrase before a participle or prepositional modifier ending at ``tokens[index]``."""
    # "The Observatory which relies on a network of sources inside Syria to monitor the
    # conflict said": a relative clause between the subject and its verb
    for back in range(index, max(-1, index - 16), -1):
        token = tokens[back]
        if not token.word and token.text not in {"-", "'", "’"}:
            break
        if token.low in {"which", "who"} and back > 0:
            span = noun_phrase_before(tokens, back - 1, lexicon)
            if span is not None and can_speak(tokens, span, lexicon):
                return span
            break
    position = index
    skipped = 0
    while position >= 0 and skipped < 8:
        token = tokens[position]
        if not token.word:
            return None
        if token.low in {"which", "who", "that"} and position > 0:
            # "The claim which did not mention a wedding said": the noun before the clause
            span = noun_phrase_before(tokens, position - 1, lexicon)
            if span is not None and can_speak(tokens, span, lexicon):
                return span
            return None
        if token.low in PREPOSITIONS or token.low.endswith(("ing", "ed")) or token.low in {"based"}:
            position -= 1
            skipped += 1
            while (
                position >= 0
                and tokens[position].low.endswith(("ing", "ed"))
                and not tokens[position].capital
            ):
                position -= 1
                skipped += 1
            span = noun_phrase_before(tokens, position, lexicon)
            if span is not None and can_speak(tokens, span, lexicon):
                return (span[0], index + 1)  # with its modifier: "a hospital source in Hassakeh city"
            continue
        position -= 1
        skipped += 1
    return None


def subject_before_aside(tokens: list[Token], comma: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The subject before a comma-delimited aside that ends at ``tokens[comma]``: the aside
    itself when it is a name ("The UN's humanitarian office, OCHA, said"), else the
    sentence's subject ("X, a think tank that monitors the war, in January put …")."""
    apposition = _one_noun_phrase_before(tokens, comma - 1, lexicon)
    if (
        apposition is not None
        and apposition[0] > 0
        and tokens[apposition[0] - 1].text == ","
        and all(t.capital or not t.word for t in tokens[apposition[0] : apposition[1] + 1])
        and (
            any(t.acronym for t in tokens[apposition[0] : apposition[1] + 1])
            or tokens[apposition[1]].low in _BODY_NOUNS | {"ministry", "agency", "office", "network"}
        )
    ):
        return apposition  # "The UN's humanitarian office, OCHA, said": the name of the body
    if apposition is not None and apposition[0] > 1 and tokens[apposition[0] - 1].text == ",":
        # "… rose to 242, the country's minister, Celso Correia, told reporters": the speaker
        # set off by commas after the statement, with the name in apposition to it
        described = noun_phrase_before(tokens, apposition[0] - 2, lexicon)
        if (
            described is not None
            and described[0] > 0
            and tokens[described[0] - 1].text == ","
            and can_speak(tokens, described, lexicon)
        ):
            return described
    subject = sentence_subject(tokens, comma, lexicon)
    if subject is not None:
        return subject
    opening = next((k for k in range(comma - 1, -1, -1) if tokens[k].text == ","), None)
    if opening is None:
        return None
    return noun_phrase_before(tokens, opening - 1, lexicon)
