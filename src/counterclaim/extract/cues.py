"""Reporting constructions in a sentence (cues), each with the words that name its speaker.

English news attributes a figure in a handful of ways, all found here without a parser:

- a reporting verb with its subject before it ("the ministry said", "Kyiv mayor Vitali
  Klitschko told reporters"), or after it ("…, said the ministry");
- "according to X", "citing" aside; "X put the toll at", "X gave a toll of";
- a source noun ("a report by X", "X's figures show", "data from X");
- a participle that shares the sentence's subject ("…, saying 500 were killed");
- a quotation, whose speaker stands just after its closing mark or just before its opening.

:mod:`counterclaim.extract.speaker_phrases` chunks the speaker's words; resolving them to a
claimant is :mod:`counterclaim.extract.attribution`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from counterclaim.extract.speaker_phrases import (
    PREPOSITIONS,
    QUANTITY_WORDS,
    TIME_WORDS,
    Token,
    can_speak,
    is_number,
    noun_phrase_after,
    noun_phrase_before,
    sentence_subject,
    speaker_before_modifier,
    speaker_before_place,
    subject_before_aside,
    time_phrase_before,
    tokens_of,
)
from counterclaim.lexicon import Lexicon, trie_pattern

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
# Participles that share the subject of their sentence ("…, saying 500 were killed").
PARTICIPLES: Final = frozenset(
    {
        "saying", "adding", "noting", "warning", "reporting", "announcing", "claiming", "estimating",
        "stating", "confirming", "writing", "citing", "explaining", "insisting", "alleging",
        "describing", "acknowledging", "admitting", "revealing", "declaring", "indicating",
        "tweeting", "posting", "accusing", "concluding", "documenting", "recording", "detailing", "telling",
    }
)  # fmt: skip
# Speech verbs after which a noun phrase can be the inverted subject ("…, said the ministry").
_INVERTING: Final = frozenset(
    {
        "said", "says", "added", "adds", "reported", "reports", "wrote", "writes", "noted",
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
# The nouns as a trie (one branch per next letter; the same matches, since each must be
# followed by a space): the alternation tried at every position is the cost of the search.
_SOURCE_BY: Final = re.compile(
    rf"(?<![\w])(?i:{trie_pattern(_SOURCE_NOUNS.split('|'))})\s+"
    r"(?i:compiled\s+|published\s+|released\s+|issued\s+|collected\s+)?"
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
_SETTERS: Final = (
    "put", "puts", "putting", "placed", "places", "placing", "set", "sets", "setting", "gave", "gives",
    "giving", "estimated", "estimates", "estimating", "pegged", "pegs",
)  # fmt: skip
_LEVEL_SETTERS: Final = re.compile(
    rf"(?<![\w])(?:{trie_pattern(_SETTERS)})\s+(?P<object>(?:[\w'’-]+\s+){{0,8}}?)(?:at|of|as)\s+"
    r"(?=(?:about|around|some|roughly|nearly|almost|more|over|at|up|as|just|an?|between|well|least|"
    r"approximately|close|fewer|less|under|in|no)?\b|[0-9])",
    re.IGNORECASE,
)
# "it was announced that", "it is reported": an impersonal passive names nobody
_CLAIMED_LIVES: Final = re.compile(r"\s*(?:the\s+|a\s+|an\s+)?(?:lives?|responsibility)\b", re.I)
_IMPERSONAL: Final = re.compile(
    r"it(?<![\w]it)\s+(?:is|was|has\s+been|had\s+been|were)\s+(?:widely\s+|also\s+|now\s+)?"
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
        if span is not None and can_speak(tokens, span, lexicon):
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
        if verb in {"claimed", "claiming", "claims", "claim"} and _CLAIMED_LIVES.match(
            text[match.end() : match.end() + 30]
        ):
            continue
        if (
            verb in {"counted", "recorded", "registered", "documented", "verified"}
            and index > 0
            and (is_number(tokens[index - 1]) or tokens[index - 1].low in {"were", "been", "be"})
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
        if own is not None and can_speak(tokens, own, lexicon):
            return cue("verb", own)
        subject = sentence_subject(tokens, index, lexicon)
        if subject is not None and not can_speak(tokens, subject, lexicon):
            subject = None  # "a deadly explosion killed 100, adding new urgency": no one speaks
        return cue("participle", subject)
    position = index - 1
    while position >= 0 and tokens[position].low in _BETWEEN:
        position -= 1
    position = time_phrase_before(tokens, position)
    while position >= 0 and tokens[position].low in _BETWEEN:
        position -= 1
    # "In a statement, the ministry said" / "the ministry, in a statement, said"
    before = tokens[position] if position >= 0 else None
    if before is not None and (before.word or before.text == ")"):
        span = noun_phrase_before(tokens, position, lexicon)
        if span is not None and not can_speak(tokens, span, lexicon):
            # "Civil defence workers operating in opposition-held areas say": the phrase before
            # the verb modifies the speaker; the speaker stands before it
            earlier = speaker_before_modifier(tokens, span[0] - 1, lexicon)
            if earlier is not None and earlier[1] == span[0]:
                earlier = (earlier[0], span[1])  # the speaker with the phrase that modifies it
            span = earlier
            if span is None:
                return cue("verb", None)
        if span is not None:
            return cue("verb", speaker_before_place(tokens, span, lexicon))
    if verb in _INVERTING and kind_hint != "setter":
        after = noun_phrase_after(tokens, index + 1, lexicon)
        if after is not None and after[1] + 1 < len(tokens):
            following = tokens[after[1] + 1]
            if following.word and not (
                following.low in PREPOSITIONS
                or following.low in _OPENING_ADJUNCTS
                or following.low in TIME_WORDS
            ):
                after = None  # "said it had recorded …", "said Russia had suffered …": a statement
        if (
            after is not None
            and (before is None or not before.word or before.text in {"”", '"', "’", "'"})
            and (before is None or before.text != "," or can_speak(tokens, after, lexicon))
        ):
            # but "The UN refugee agency, UNHCR, says more than …": the aside's subject speaks
            return cue("inverted", after)
    if before is not None and before.text == ",":
        # "X, a think tank that monitors the war, in January put …": the subject is cut off
        return cue("verb", subject_before_aside(tokens, position, lexicon))
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
            tokens[position].low in PREPOSITIONS
            or tokens[position].low in _AFTER_VERB_ADJUNCTS
            or tokens[position].low in TIME_WORDS
            or (
                position > index + 1
                and tokens[position].capital
                and tokens[position - 1].low in {"to", "told"}
            )
        )
    ):
        position += 1
    if position < len(tokens) and position > index + 1 and tokens[position - 1].low not in PREPOSITIONS:
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
        token.low in PREPOSITIONS
        or token.low in _OPENING_ADJUNCTS
        or token.low in TIME_WORDS
        or (verb in {"told", "tells", "tell"})
    )
    if not adjunct:
        return False
    # an adverbial or an addressee up to the end of the clause, with no statement in it
    while position < len(tokens) and tokens[position].word:
        low = tokens[position].low
        if low in {"that", "how"} or is_number(tokens[position]) or low in QUANTITY_WORDS:
            return False
        position += 1
    return position >= len(tokens) or tokens[position].text not in {"“", '"'}
