"""Reporting constructions in a sentence, and the noun phrase that names each one's speaker.

English news attributes a figure in a handful of ways, all found here without a parser:

- a reporting verb with its subject before it ("the ministry said", "Kyiv mayor Vitali
  Klitschko told reporters"), or after it ("…, said the ministry");
- "according to X", "citing" aside; "X put the toll at", "X gave a toll of";
- a source noun ("a report by X", "X's figures show", "data from X");
- a participle that shares the sentence's subject ("…, saying 500 were killed");
- a quotation, whose speaker stands just after its closing mark or just before its opening.

The speaker's words are chunked with rules a grammar book would state: a noun phrase ends at a
determiner, and is cut at punctuation, prepositions and clause words, except inside a name
("Syrian Observatory for Human Rights", "Ministry of Defence of Ukraine"); time and place
adverbials before it ("On Sunday", "In a statement") are never part of it; an empty subject
slot after a comma means the sentence's own subject ("X, a think tank that monitors the war,
in January put …"). Resolving the words to a claimant is :mod:`counterclaim.extract.attribution`'s
job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from counterclaim.lexicon import Lexicon

# Dotted acronyms first ("U.N.", "U.S."), then words (with inner apostrophes and hyphens, and
# the apostrophe of a plural's possessive: "the doctors' union"), then single punctuation marks.
_TOKEN: Final = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_](?:[\w'’\-]*[^\W_])?(?:(?<=s)['’](?=\s))?|[^\w\s]")

DETERMINERS: Final = frozenset(
    {"the", "a", "an", "its", "his", "her", "their", "our", "this", "that", "these", "those", "another"}
)
_PREPOSITIONS: Final = frozenset(
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
_QUANTITY_WORDS: Final = frozenset(
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
# Between a subject and its verb: auxiliaries and sentence adverbs ("has also said").
_BETWEEN: Final = frozenset(
    {
        "has", "have", "had", "also", "later", "earlier", "previously", "separately", "reportedly",
        "officially", "then", "again", "further", "publicly", "first", "initially", "already",
        "now", "subsequently", "too", "just", "recently", "once", "since",
        "would", "will", "could", "did", "does", "do", "repeatedly", "similarly", "likewise",
        "meanwhile", "elsewhere", "however", "though",
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
_TIME_WORDS: Final = (
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
# Participles that share the subject of their sentence ("…, saying 500 were killed").
PARTICIPLES: Final = frozenset(
    {
        "saying", "adding", "noting", "warning", "reporting", "announcing", "claiming", "estimating",
        "stating", "confirming", "writing", "citing", "explaining", "insisting", "alleging",
        "describing", "acknowledging", "admitting", "revealing", "declaring", "indicating",
        "tweeting", "posting", "accusing", "concluding", "documenting", "recording", "detailing",
    }
)  # fmt: skip
# Speech verbs after which a noun phrase can be the inverted subject ("…, said the ministry").
_INVERTING: Final = frozenset(
    {
        "said", "says", "told", "added", "adds", "reported", "reports", "wrote", "writes", "noted",
        "notes", "explained", "warned", "warns", "stated", "announced", "confirmed", "according",
        "tweeted", "posted", "declared", "estimated", "estimates", "claimed", "claims", "insisted",
    }
)  # fmt: skip
# Nouns for a source's document: "a report by X", "X's figures show".
_SOURCE_NOUNS: Final = (
    r"report|reports|study|survey|estimate|estimates|tally|count|figures|data|statistics|analysis|"
    r"investigation|assessment|research|census|database|records|update|bulletin|toll|tolls|"
    r"assessments|monitoring|documentation|findings|numbers|calculations|count"
)
_SOURCE_BY: Final = re.compile(
    rf"(?<![\w])(?i:{_SOURCE_NOUNS})\s+(?i:compiled\s+|published\s+|released\s+|issued\s+|collected\s+)?"
    r"(?:(?i:by|from)|(?i:of)(?=\s+(?:the\s+)?[A-Z]))\s+"
)
_SOURCE_POSSESSIVE: Final = re.compile(
    r"['’]s?\s+(?:(?:latest|new|own|updated|daily|official|preliminary|provisional|final|most\s+recent|"
    rf"recent|last)\s+)?(?:{_SOURCE_NOUNS})(?![\w])",
    re.IGNORECASE,
)
# "according to figures compiled by X": the figures' author is the source
_ACCORDING: Final = re.compile(
    r"(?<![\w])according\s+to\s+(?:to\s+)?(?:(?:the\s+)?(?:latest\s+|new\s+|official\s+)?"
    r"(?:data|figures|numbers|statistics|information|a\s+tally|a\s+count)\s+"
    r"(?:\w+ed\s+)?(?:by|from)\s+)?",
    re.IGNORECASE,
)
_SIGNATURE: Final = re.compile(
    r"(?:pic\.twitter\.com\S*|https?://\S+|[—–-])\s+(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,4})\s+"
    r"\(@?[A-Za-z0-9_]{2,30}\)\s+(?:January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\s+[0-9]{1,2},?\s+[0-9]{4}"
)
_QUOTED_AS: Final = re.compile(r"(?<![\w])quot(?:ed|ing)\s+(?P<x>.{2,80}?)\s+as\s+(?:saying|stating)", re.I)
# "put the death toll at", "gave a slightly lower toll of", "put Ukrainian losses at"
_LEVEL_SETTERS: Final = re.compile(
    r"(?<![\w])(?:put|puts|putting|placed|places|placing|set|sets|setting|gave|gives|giving|"
    r"estimated|estimates|estimating|pegged|pegs)\s+(?P<object>(?:[\w'’-]+\s+){0,6}?)(?:at|of|as)\s+"
    r"(?=(?:about|around|some|roughly|nearly|almost|more|over|at|up|as|just|an?|between|well|least|"
    r"approximately|close|fewer|less|under|in|no)?\b|[0-9])",
    re.IGNORECASE,
)
# "it was announced that", "it is reported": an impersonal passive names nobody
_IMPERSONAL: Final = re.compile(
    r"(?<![\w])it\s+(?:is|was|has\s+been|had\s+been|were)\s+(?:widely\s+|also\s+|now\s+)?"
    r"(?:reported|announced|said|claimed|confirmed|estimated|believed|thought|feared|understood|alleged)"
    r"(?![\w])"
)
_PASSIVE_ADVERBS: Final = frozenset(
    {
        "also", "later", "widely", "first", "previously", "initially", "now", "reportedly",
        "officially", "not", "being", "already", "since",
    }
)  # fmt: skip
_PASSIVE: Final = frozenset({"was", "were", "is", "are", "been", "being", "be", "get", "got"})
_NOUN_USE_BEFORE: Final = frozenset(
    {
        "daily", "media", "new", "latest", "initial", "unconfirmed", "conflicting", "these", "their",
        "its", "his", "her", "such", "some", "many", "several", "official", "earlier", "previous",
        "recent", "local", "news", "press", "the", "a", "an", "those", "other", "first", "two",
        "three", "no", "any", "further", "separate",
    }
)  # fmt: skip
_ADJECTIVE: Final = re.compile(r"[a-z]+(?:ous|ful|ial|est|ive|ary|ble|ent|ant|ic|less)")
_NOUN_VERBS: Final = frozenset(
    {
        "reports", "claims", "estimates", "records", "notes", "states", "claim", "estimate",
        "report", "count", "counted", "record", "posted", "posts", "update", "updates",
    }
)  # fmt: skip


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


@dataclass(frozen=True, slots=True)
class Cue:
    """A place in a sentence where someone is said to say something, and its speaker's words.

    ``kind``: "verb" (subject before the verb), "inverted" ("said the ministry"), "according",
    "source" ("a report by X"), "quoted" ("quoted X as saying"), "participle" (shares the
    sentence's subject). ``speaker`` is empty when no words could be found for it.
    """

    start: int
    end: int
    kind: str
    speaker: str
    speaker_start: int
    speaker_end: int
    verb: str = ""
    governs: str = "both"  # where its statement lies: "after" the cue, "before" it, or "both"


class Tokens(list[Token]):
    """A sentence's tokens, and how to tell a place from a speaker in it ("SANA reporter in Homs
    said": Homs is where, not who)."""

    is_place: Callable[[str], bool] | None = None


def tokens_of(text: str, start: int, end: int, is_place: Callable[[str], bool] | None = None) -> Tokens:
    """The tokens of ``text[start:end]``."""
    tokens = Tokens(Token(m.start(), m.end(), m.group(0)) for m in _TOKEN.finditer(text, start, end))
    tokens.is_place = is_place
    return tokens


def _is_number(token: Token) -> bool:
    return token.text[0].isdigit()


def _time_phrase_before(tokens: list[Token], index: int) -> int:
    """The index before a time adverbial ending at ``tokens[index]`` ("on Sunday", "late on
    Tuesday night", "in January", "this week"), or ``index`` if there is none."""
    position = index
    seen_time = False
    while position >= 0 and (tokens[position].low in _TIME_WORDS or _is_number(tokens[position])):
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
            and _can_speak(tokens, first, lexicon)
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
        if _is_number(token) or low in _QUANTITY_WORDS or low in lexicon.measure_verbs:
            break
        if low in DETERMINERS:
            if position > 1 and tokens[position - 1].low in _NAME_LINKS and tokens[position - 2].capital:
                position -= 2  # "Office of the UN High Commissioner"
                continue
            position -= 1
            break
        if low in PRONOUNS and position != index:
            break
        if (
            low in _NAME_LINKS or (low in _PREPOSITIONS and token.capital and position > 0)
        ) and _link_allowed(tokens, position):
            # "Ministry of Defence", "Reporters Without Borders"
            position -= 1
            continue
        if low in _PREPOSITIONS or low in _CLAUSE_WORDS or low in _VERBISH:
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
        or (tokens[first].low in _TIME_WORDS and tokens[first].low not in {"last"})
        or _is_number(tokens[first])
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
        if second is not None and _can_speak(tokens, second, lexicon):
            return (span[0], second[1])
    return span


def _one_noun_phrase_after(tokens: list[Token], index: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The token range of the noun phrase that starts at ``tokens[index]`` (an inverted subject,
    the object of "according to"): up to punctuation, a clause word, or a preposition that does
    not continue a name ("the Middle East and North Africa division at Human Rights Watch")."""
    position = index
    while position < len(tokens) and (tokens[position].low in _TIME_WORDS or tokens[position].low == "on"):
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
        if _is_number(token):
            break
        if low in DETERMINERS:
            if last >= first and position > first and tokens[position - 1].low not in _NAME_LINKS:
                break
            position += 1
            continue
        if low in _NAME_LINKS and last >= first and _link_allowed_forward(tokens, position):
            position += 1
            continue
        if low in _PREPOSITIONS or low in _CLAUSE_WORDS or low in _VERBISH or low in PRONOUNS - {"it"}:
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
        head in _PREPOSITIONS
        or head in _SENTENCE_ADVERBS
        or head in _CLAUSE_WORDS
        or head.endswith("ing")
        or head in _TIME_WORDS
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


def _passive(tokens: list[Token], index: int) -> bool:
    """ "was reported", "were confirmed", "it is believed": no speaker named by the verb (but
    "IS said": the acronym is a name)."""
    position = index - 1
    while position >= 0 and tokens[position].low in _PASSIVE_ADVERBS:
        position -= 1
    return position >= 0 and tokens[position].low in _PASSIVE and not tokens[position].acronym


def find_cues(
    text: str,
    low: str,
    start: int,
    end: int,
    lexicon: Lexicon,
    *,
    is_place: Callable[[str], bool] | None = None,
) -> list[Cue]:
    """Every reporting construction in the sentence ``text[start:end]``, with its speaker's words.

    ``low`` is ``lower_text(text)``; ``is_place`` tells a place ("Homs") from a speaker
    ("Kyiv", also its government), so that "SANA reporter in Homs said" is read whole.
    """
    if not (
        lexicon.reporting_verbs.search(low, start, end)
        or _ACCORDING.search(text, start, end)
        or _SOURCE_BY.search(text, start, end)
        or _SOURCE_POSSESSIVE.search(text, start, end)
        or _LEVEL_SETTERS.search(low, start, end)
        or _IMPERSONAL.search(low, start, end)
        or _QUOTED_AS.search(text, start, end)
        or _SIGNATURE.search(text, start, end)
    ):
        return []  # no reporting word: most sentences, and tokenising them is the cost
    tokens = tokens_of(text, start, end, is_place)
    if not tokens:
        return []
    index_at = {token.start: i for i, token in enumerate(tokens)}
    found: list[Cue] = []

    def words(span: tuple[int, int] | None) -> tuple[str, int, int]:
        if span is None:
            return "", -1, -1
        first, last = span
        return text[tokens[first].start : tokens[last].end], tokens[first].start, tokens[last].end

    taken: set[int] = set()
    for match in _ACCORDING.finditer(text, start, end):
        index = index_at.get(match.end())
        speaker = words(noun_phrase_after(tokens, index, lexicon) if index is not None else None)
        found.append(Cue(match.start(), match.end(), "according", *speaker, verb="according to"))
        # "according to data confirmed by X": the verb inside is part of this cue
        taken.update(t.start for t in tokens if match.start() <= t.start < match.end())
    for match in _QUOTED_AS.finditer(text, start, end):
        found.append(
            Cue(
                match.start(),
                match.end(),
                "quoted",
                match.group("x"),
                match.start("x"),
                match.end("x"),
                "quoted",
            )
        )
    for match in _SOURCE_BY.finditer(text, start, end):
        index = index_at.get(match.end())
        if index is None:
            continue
        span = noun_phrase_after(tokens, index, lexicon)
        if span is not None and _can_speak(tokens, span, lexicon):
            # "a report by X found that …" speaks for what follows; "Guterres backed an
            # investigation by the ICC" after a figure is no source of it
            found.append(
                Cue(match.start(), match.end(), "source", *words(span), verb="report by", governs="after")
            )
    for match in _SOURCE_POSSESSIVE.finditer(text, start, end):
        # "Ukraine's figures", "the ministry's latest tally": the owner speaks
        owner = next(
            (i for i, t in enumerate(tokens) if t.start < match.start() < t.end or t.end == match.start()),
            None,
        )
        if owner is None:
            continue
        span = noun_phrase_before(tokens, owner, lexicon)
        if span is not None:
            first = tokens[span[0]].start
            found.append(
                Cue(
                    match.start(),
                    match.end(),
                    "source",
                    text[first : match.start()],
                    first,
                    match.start(),
                    "'s figures",
                )
            )
    for match in _LEVEL_SETTERS.finditer(low, start, end):
        index = index_at.get(match.start())
        if index is None or not _sets_a_toll(match.group("object") or ""):
            continue
        found.append(_verb_cue(text, tokens, index, match.end(), lexicon, kind_hint="setter"))
        taken.add(match.start())
    for match in lexicon.reporting_verbs.finditer(low, start, end):
        if match.start() in taken:
            continue
        index = index_at.get(match.start())
        if index is None:
            continue
        verb = tokens[index].low
        if _passive(tokens, index):
            # "reported by the ministry": the agent speaks
            after = tokens[index + 1] if index + 1 < len(tokens) else None
            if after is not None and after.low == "by":
                speaker = words(noun_phrase_after(tokens, index + 2, lexicon))
                if speaker[0]:
                    found.append(Cue(match.start(), match.end(), "inverted", *speaker, verb=verb))
            continue
        if (
            verb in _NOUN_VERBS
            and index > 0
            and (tokens[index - 1].low in _NOUN_USE_BEFORE or _ADJECTIVE.fullmatch(tokens[index - 1].low))
        ):
            continue  # "daily reports of attacks", "the claim", "the most serious report"
        if index > 0 and tokens[index - 1].low in {"an", "a", "the"}:
            continue  # "an estimated 5.4 million", "the reported toll"
        if (
            index + 2 < len(tokens)
            and tokens[index + 1].low == "to"
            and tokens[index + 2].low
            in {
                "be",
                "have",
                "rise",
                "reach",
                "number",
                "stand",
                "total",
                "exceed",
                "top",
            }
        ):
            continue  # "jets believed to be Russian", "a toll reported to have risen"
        if verb in _NOUN_VERBS and index + 1 < len(tokens) and tokens[index + 1].low in {"of", "from", "by"}:
            continue
        if verb in {"claimed", "claiming", "claims", "claim"} and re.match(
            r"\s*(?:the\s+|a\s+|an\s+)?(?:lives?|responsibility)\b",
            text[match.end() : match.end() + 30],
            re.I,
        ):
            continue
        if (
            verb in {"counted", "recorded", "registered", "documented", "verified"}
            and index > 0
            and (_is_number(tokens[index - 1]) or tokens[index - 1].low in {"were", "been", "be"})
        ):
            continue
        verb_cue = _verb_cue(text, tokens, index, match.end(), lexicon)
        if verb_cue.speaker or verb_cue.kind == "participle":
            found.append(verb_cue)
    for match in _SIGNATURE.finditer(text, start, end):
        # an embedded post: "… pic.twitter.com/… Charles Lister (@CharlesLister) June 12 2016"
        found.append(
            Cue(
                match.start("name"),
                match.end(),
                "signature",
                match.group("name"),
                match.start("name"),
                match.end("name"),
                "posted",
                "before",
            )
        )
    for match in _IMPERSONAL.finditer(low, start, end):
        found.append(Cue(match.start(), match.end(), "passive", "", -1, -1, "it is said", "after"))
    found.sort(key=lambda cue: cue.start)
    quoting = [(c.start, c.end) for c in found if c.kind == "quoted"]
    # "quoted a source as saying": the participle belongs to the quotation's cue
    found = [c for c in found if not (c.kind == "participle" and any(s <= c.start < e for s, e in quoting))]
    # "X said …, adding that 12 were killed": a participle shares the last subject before it
    for position, cue in enumerate(found):
        if cue.kind == "participle":
            earlier = [c for c in found[:position] if c.kind in {"verb", "inverted"} and c.speaker]
            if earlier:
                last = earlier[-1]
                found[position] = Cue(
                    cue.start, cue.end, cue.kind, last.speaker, last.speaker_start, last.speaker_end,
                    cue.verb, "after",
                )  # fmt: skip
    return found


_TOLL_OBJECTS: Final = frozenset(
    {
        "toll", "tolls", "number", "figure", "total", "tally", "count", "casualties", "losses",
        "dead", "deaths", "death", "fatalities", "injured", "wounded", "displaced", "refugees",
        "killed",
    }
)  # fmt: skip


def _sets_a_toll(object_words: str) -> bool:
    """ "put [the death toll] at", "put [total Russian casualties] at": the object is a figure."""
    return any(word.strip(",") in _TOLL_OBJECTS for word in object_words.lower().split())


def _verb_cue(
    text: str, tokens: list[Token], index: int, end: int, lexicon: Lexicon, *, kind_hint: str = ""
) -> Cue:
    """The cue of the reporting verb at ``tokens[index]``: its subject before it, else after it
    (inverted), else the sentence's subject (a participle, or a subject cut off by an aside)."""
    verb = tokens[index].low
    start = tokens[index].start

    final = _ends_clause(tokens, index, end)
    # "Russia, Kahl said, has had 70,000 casualties" and "X said updating a toll of 112": a cue
    # set off in the middle of its statement speaks for all of it
    following = _clause_end_token(tokens, index, end)
    both = (
        final
        and following is not None
        and (
            following.text == "," or following.low.endswith("ing") or following.low in {"and", "as", "while"}
        )
    )

    def cue(kind: str, span: tuple[int, int] | None) -> Cue:
        governs = "before" if kind == "inverted" or (kind == "verb" and final) else "after"
        if both and kind in {"verb", "inverted"}:
            governs = "both"
        if span is None:
            return Cue(start, end, kind, "", -1, -1, verb, governs)
        first, last = span
        return Cue(
            start, end, kind, text[tokens[first].start : tokens[last].end], tokens[first].start,
            tokens[last].end, verb, governs,
        )  # fmt: skip

    if verb in PARTICIPLES:
        # "with the minister saying": its own subject; "…, saying 500 were killed": the
        # subject of the sentence speaks
        own = noun_phrase_before(tokens, index - 1, lexicon) if index > 0 and tokens[index - 1].word else None
        if own is not None and _can_speak(tokens, own, lexicon):
            return cue("verb", own)
        subject = sentence_subject(tokens, index, lexicon)
        if subject is not None and not _can_speak(tokens, subject, lexicon):
            subject = None  # "a deadly explosion killed 100, adding new urgency": no one speaks
        return cue("participle", subject)
    position = index - 1
    while position >= 0 and tokens[position].low in _BETWEEN:
        position -= 1
    position = _time_phrase_before(tokens, position)
    while position >= 0 and tokens[position].low in _BETWEEN:
        position -= 1
    # "In a statement, the ministry said" / "the ministry, in a statement, said"
    before = tokens[position] if position >= 0 else None
    if before is not None and (before.word or before.text == ")"):
        span = noun_phrase_before(tokens, position, lexicon)
        if span is not None and not _can_speak(tokens, span, lexicon):
            # "Civil defence workers operating in opposition-held areas say": the phrase before
            # the verb modifies the speaker; the speaker stands before it
            earlier = _speaker_before_modifier(tokens, span[0] - 1, lexicon)
            if earlier is not None and earlier[1] == span[0]:
                earlier = (earlier[0], span[1])  # the speaker with the phrase that modifies it
            span = earlier
            if span is None:
                return cue("verb", None)
        if span is not None:
            return cue("verb", span)
    if verb in _INVERTING and kind_hint != "setter":
        after = noun_phrase_after(tokens, index + 1, lexicon)
        if after is not None and after[1] + 1 < len(tokens):
            following = tokens[after[1] + 1]
            if following.word and not (
                following.low in _PREPOSITIONS
                or following.low in _OPENING_ADJUNCTS
                or following.low in _TIME_WORDS
            ):
                after = None  # "said it had recorded …", "said Russia had suffered …": a statement
        if after is not None and (before is None or not before.word or before.text in {"”", '"', "’", "'"}):
            return cue("inverted", after)
    if before is not None and before.text == ",":
        # "X, a think tank that monitors the war, in January put …": the subject is cut off
        return cue("verb", _subject_before_aside(tokens, position, lexicon))
    return cue("verb", None)


_AFTER_VERB_ADJUNCTS: Final = frozenset(
    {
        "on", "in", "at", "a", "an", "the", "statement", "interview", "briefing", "news",
        "conference", "to", "reporters", "journalists", "late", "early", "its", "his", "her", "their",
        "latest", "daily", "report", "update", "post", "telephone", "televised", "address", "speech",
        "separately", "also", "earlier", "later", "last", "this", "week", "during", "via", "by",
        "text", "message", "written", "social", "media", "online", "told", "citing",
    }
)  # fmt: skip


# Words that open an adverbial after a reporting verb ("said on Sunday", "said again",
# "said separately", "told reporters"), as opposed to its statement ("said the toll was …").
_OPENING_ADJUNCTS: Final = frozenset(
    {
        "separately", "also", "earlier", "later", "again", "last", "this", "yesterday", "today",
        "tonight", "late", "early", "reporters", "journalists", "repeatedly", "publicly",
        "previously", "recently", "afterwards", "then", "too", "overnight",
    }
)  # fmt: skip


def _clause_end_token(tokens: list[Token], index: int, end: int) -> Token | None:
    """The token after a reporting verb and its adverbials ("said on Thursday[,]")."""
    position = index + 1
    while position < len(tokens) and tokens[position].start < end:
        position += 1
    while (
        position < len(tokens)
        and tokens[position].word
        and (
            tokens[position].low in _PREPOSITIONS
            or tokens[position].low in _AFTER_VERB_ADJUNCTS
            or tokens[position].low in _TIME_WORDS
            or (
                position > index + 1
                and tokens[position].capital
                and tokens[position - 1].low in {"to", "told"}
            )
        )
    ):
        position += 1
    if position < len(tokens) and position > index + 1 and tokens[position - 1].low not in _PREPOSITIONS:
        return tokens[position]
    return (
        tokens[position]
        if position < len(tokens) and position == index + 1
        else (tokens[position] if position < len(tokens) else None)
    )


def _ends_clause(tokens: list[Token], index: int, end: int) -> bool:
    """Whether the reporting verb at ``tokens[index]`` ends its clause ("…, X said." /
    "X said in its monthly update."), rather than taking the statement after it ("X said 12
    …", "X told a meeting that Ukraine had lost …")."""
    position = index + 1
    while position < len(tokens) and tokens[position].start < end:
        position += 1  # the rest of a multi-word cue ("put the toll at")
    if position >= len(tokens):
        return True
    token = tokens[position]
    if not token.word:
        return token.text not in {"“", '"'} or position + 1 >= len(tokens)
    if token.low in PARTICIPLES or (
        token.low.endswith("ing") and token.low not in {"during", "morning", "evening"}
    ):
        return True  # "he said describing it as a massacre"
    if token.low in {"and", "but", "while", "as", "because", "although", "whereas", "though"}:
        return True  # "the observatory said and an AFP correspondent saw …" (text without commas)
    verb = tokens[index].low
    adjunct = (
        token.low in _PREPOSITIONS
        or token.low in _OPENING_ADJUNCTS
        or token.low in _TIME_WORDS
        or (verb in {"told", "tells", "tell"})
    )
    if not adjunct:
        return False
    # an adverbial or an addressee up to the end of the clause, with no statement in it
    while position < len(tokens) and tokens[position].word:
        low = tokens[position].low
        if low in {"that", "how"} or _is_number(tokens[position]) or low in _QUANTITY_WORDS:
            return False
        position += 1
    return position >= len(tokens) or tokens[position].text not in {"“", '"'}


def _can_speak(tokens: list[Token], span: tuple[int, int], lexicon: Lexicon) -> bool:
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
            span[0] > 0
            or words[0].low not in _SENTENCE_ADVERBS | _TIME_WORDS | _QUANTITY_WORDS | _PLACE_NOUNS
        )
    ):
        return True
    return any(t.low in PRONOUNS or t.low in lexicon.speaker_nouns for t in words)


def _speaker_before_modifier(tokens: list[Token], index: int, lexicon: Lexicon) -> tuple[int, int] | None:
    """The noun phrase before a participle or prepositional modifier ending at ``tokens[index]``."""
    # "The Observatory which relies on a network of sources inside Syria to monitor the
    # conflict said": a relative clause between the subject and its verb
    for back in range(index, max(-1, index - 16), -1):
        token = tokens[back]
        if not token.word and token.text not in {"-", "'", "’"}:
            break
        if token.low in {"which", "who"} and back > 0:
            span = noun_phrase_before(tokens, back - 1, lexicon)
            if span is not None and _can_speak(tokens, span, lexicon):
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
            if span is not None and _can_speak(tokens, span, lexicon):
                return span
            return None
        if token.low in _PREPOSITIONS or token.low.endswith(("ing", "ed")) or token.low in {"based"}:
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
            if span is not None and _can_speak(tokens, span, lexicon):
                return (span[0], index + 1)  # with its modifier: "a hospital source in Hassakeh city"
            continue
        position -= 1
        skipped += 1
    return None


def _subject_before_aside(tokens: list[Token], comma: int, lexicon: Lexicon) -> tuple[int, int] | None:
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
    subject = sentence_subject(tokens, comma, lexicon)
    if subject is not None:
        return subject
    opening = next((k for k in range(comma - 1, -1, -1) if tokens[k].text == ","), None)
    if opening is None:
        return None
    return noun_phrase_before(tokens, opening - 1, lexicon)
