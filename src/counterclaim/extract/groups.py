"""The group a count is about: its words in the text, its role and the party it belongs to."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from itertools import pairwise
from typing import Final

from counterclaim.actors import Mention, RegistryView
from counterclaim.extract.group_places import across_places, destination, victims_of_speaker
from counterclaim.extract.labels import LABEL_MARKS, label_start
from counterclaim.extract.measures import ASIDE_OPENERS, AUXILIARIES, MeasureLink
from counterclaim.extract.tokens import MEAS, NUM, PUNCT, QUAL, WORD, XNUM, Token
from counterclaim.lexicon import Lexicon

# Words that end a group's noun phrase after the count ("12 people in Aleppo").
_PHRASE_END: Final = frozenset(
    {
        "in", "on", "at", "during", "after", "before", "with", "when", "while", "as", "by",
        "near", "since", "following", "amid", "inside", "into", "across", "over", "under",
        "who", "which", "that", "where", "and", "or", "but", "to", "for", "this", "last",
        "overnight", "yesterday", "today", "so", "according", "including", "among",
    }
)  # fmt: skip
_QUOTES: Final = frozenset({'"', "“", "”", "'", "‘", "’"})
_TRAILING: Final = frozenset(
    {"and", "or", "remain", "remained", "remains", "still", "now", "have", "has", "had"}
)
_POSSESSIVE_LEADS: Final = (
    "its ",
    "their ",
    "the country's ",
    "the country’s ",
    "the army's ",
    "the army’s ",
    "our ",
)
_ATTACKER_NOUNS: Final = frozenset(
    {
        "strike", "strikes", "airstrike", "airstrikes", "air", "attack", "attacks", "forces",
        "army", "military", "troops", "shelling", "missile", "missiles", "drone", "drones",
        "jets", "warplanes", "bombardment", "artillery", "fire", "raid", "raids", "offensive",
        "invasion", "soldiers", "police", "authorities", "officials", "government", "regime",
        "side", "president", "minister", "ministry", "spokesman", "spokesperson",
    }
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Group:
    """Who was counted: the text's words, the role, the party and the unit."""

    subject: str
    role: str
    party: str | None
    unit: str


def _words(tokens: list[Token]) -> list[str]:
    return [t.norm for t in tokens if t.kind == WORD]


def subject_tokens(tokens: list[Token], index: int, link: MeasureLink) -> list[Token]:
    """The tokens naming the counted group, as close to the count as the text allows."""
    cue_position = next((i for i, t in enumerate(tokens) if t is link.cue), -1)
    if link.how == "after" and cue_position > index:
        span = tokens[index + 1 : cue_position]
        cut = next(
            (
                i
                for i, t in enumerate(span)
                if t.norm in {"including", "among"}
                # "5,000 people, or 1,000 families, were displaced": the group ends before the restatement
                or (t.norm == "," and i + 1 < len(span) and span[i + 1].norm == "or")
                # "members of the Wagner group, many of them recruited from …": an aside
                or (t.norm == "," and i + 1 < len(span) and span[i + 1].norm in ASIDE_OPENERS)
                # "1,500 people (300 families)", "1,200 people from 300 households"
                or (
                    t.norm in {"(", "from", "comprising"}
                    and i + 1 < len(span)
                    and span[i + 1].kind in {NUM, QUAL}
                )
            ),
            len(span),
        )
        span = span[:cut]
        while span and (span[-1].norm in AUXILIARIES or span[-1].kind == PUNCT or span[-1].norm in _TRAILING):
            span = span[:-1]
        while span and span[0].norm in {"of", "other", ","}:
            if span[0].norm == "other":
                break
            span = span[1:]
        if not span and cue_position == index + 1 and link.cue.form not in {"noun", "place"}:
            # "1.4 million displaced people", "5,000 displaced families": the noun the measure
            # word modifies is the group
            noun = _modified_noun(tokens, cue_position)
            if noun:
                return [link.cue, *noun]
        if link.cue.form in {"noun", "place"} and not span:
            return [link.cue]
        if link.cue.form in {"noun", "place"} and span:
            return [*span, link.cue] if link.cue.measure in {"refugees", "displaced"} else span
        return span
    span = []
    following = tokens[index + 1 : index + 8]
    if following and following[0].norm in _QUOTES:
        # 'killing "scores" of RSF fighters', 'killed 3,000 "terrorists"': past the quote mark
        following = following[1:]
    for token in following:
        if token.kind in {NUM, MEAS, XNUM, QUAL} or (token.kind == PUNCT and token.norm != "-"):
            break
        if token.norm in _PHRASE_END:
            break
        if token.norm in {"and"} and not span:
            break
        span.append(token)
    while span and (span[-1].kind == PUNCT or span[-1].norm in _TRAILING):
        span = span[:-1]
    if link.how in {"number-of", "toll"}:
        return span or [link.cue]
    return span or _number_of_at(tokens, index, link)


_TALLY_NOUNS: Final = frozenset({"number", "toll", "total", "count", "tally", "figure"})


def _number_of_at(tokens: list[Token], index: int, link: MeasureLink) -> list[Token]:
    """ "put the number of Russian soldiers killed at 43,000": the group between "number of"
    and the measure word the count is put at."""
    at = index - 1
    while at >= 0 and tokens[at].kind == QUAL:
        at -= 1
    if at < 1 or tokens[at].norm != "at" or tokens[at - 1] is not link.cue:
        return []
    of = next((i for i in range(at - 2, max(-1, at - 8), -1) if tokens[i].norm == "of"), None)
    if of is None or of < 1 or tokens[of - 1].norm not in _TALLY_NOUNS:
        return []
    words = tokens[of + 1 : at - 1]
    return words if words and all(t.kind == WORD for t in words) else []


def _modified_noun(tokens: list[Token], cue: int) -> list[Token]:
    """The words after a measure word that stands before its noun ("displaced people")."""
    noun: list[Token] = []
    for token in tokens[cue + 1 : cue + 4]:
        if token.kind != WORD or token.norm in _PHRASE_END or token.norm in AUXILIARIES:
            break
        noun.append(token)
    plural = bool(noun) and (noun[-1].norm in _PEOPLE_WORDS or noun[-1].norm.endswith(("s", "ren")))
    return noun if plural and not noun[-1].norm.endswith("ss") else []


def _role(words: list[str], lexicon: Lexicon) -> str:
    civilian = any(w in lexicon.civilian for w in words) or _pairs_in(words, lexicon.civilian)
    military = any(w in lexicon.military for w in words) or _pairs_in(words, lexicon.military)
    if civilian != military:
        return "civilian" if civilian else "military"
    return "unspecified"


def _pairs_in(words: list[str], vocabulary: frozenset[str]) -> bool:
    """Whether a phrase of two to five words of the vocabulary ("aid workers", "prisoners of
    war", "under the age of 18") is among ``words``."""
    if any(f"{a} {b}" in vocabulary for a, b in pairwise(words)):
        return True
    return any(
        " ".join(words[start : start + length]) in vocabulary
        for length in (3, 4, 5)
        for start in range(len(words) - length + 1)
    )


def _party_in_span(text: str, start: int, end: int, registry: RegistryView) -> str | None:
    for mention in registry.party_mentions(text, start, end):
        return mention.party
    words = text[start:end]
    for word in words.replace(",", " ").split():
        if word.endswith("s") and registry.party_of_word(word[:-1]):
            return registry.party_of_word(word[:-1])
    found = registry.find_actor(words)
    if found is not None and registry.is_party(found[0]):
        return found[0]
    return None


def nearest_party(mentions: list[Mention], position: int, *, sentence_start: int) -> str | None:
    """The party the place of a count points to: places first, then states, then adjectives.

    Civilians and unspecified people belong to the country they are in, so a place named in
    the sentence wins over a nationality adjective, and a non-state armed group named in it
    (often the attacker) never gives its name to them. Among mentions of the best kind, the
    nearest one before the count wins, else the first after it.
    """
    for kinds in (("place",), ("name",), ("adjective",)):
        chosen = [m for m in mentions if m.how in kinds and m.start >= sentence_start]
        before = [m for m in chosen if m.end <= position]
        if before:
            return before[-1].party
        after = [m for m in chosen if m.start >= position]
        if after:
            return after[0].party
    return None


def _households_after_cue(tokens: list[Token], index: int, link: MeasureLink, lexicon: Lexicon) -> bool:
    """ "3,000 displaced families", "800 homeless households": the measure word stands between
    the count and the unit it counts."""
    if link.how in {"number-of", "toll"} and link.cue.end <= tokens[index].start:
        # "the number of displaced families is estimated to be 349"
        cue = next((i for i in range(index - 1, -1, -1) if tokens[i] is link.cue), -1)
        return 0 <= cue < index - 1 and tokens[cue + 1].norm in lexicon.households
    cue = index + 1
    return (
        link.how == "after"
        and cue + 1 < len(tokens)
        and tokens[cue] is link.cue
        and tokens[cue + 1].norm in lexicon.households
    )


_PEOPLE_WORDS: Final = frozenset({"people", "persons", "individuals", "residents", "inhabitants"})


def _households_labelled(tokens: list[Token], index: int, words: list[str], lexicon: Lexicon) -> bool:
    """ "Displaced families: 1,250": a bulletin's label names households as the unit (unless
    the count names its own, "Displaced: 1,250 people")."""
    mark = index - 1
    while mark >= 0 and tokens[mark].kind == QUAL:
        mark -= 1
    if (words and words[0] in _PEOPLE_WORDS) or mark < 1 or tokens[mark].norm not in LABEL_MARKS:
        return False
    start = label_start(tokens, mark, lexicon)
    return start is not None and any(t.norm in lexicon.households for t in tokens[start:mark])


_PARTITIVE_BEFORE: Final = (("of", "which"), ("of", "whom"), ("of", "these"), ("of", "those"))
_PARTITIVE_AFTER: Final = frozenset({"them", "these", "those", "which", "whom"})


def _households_partitive(tokens: list[Token], index: int, words: list[str], lexicon: Lexicon) -> bool:
    """ "5,400 households affected, of which 1,100 were displaced", "23,000 families, displacing
    4,500 of them": a part takes the unit of the whole it is a part of."""
    before = index - 1
    while before >= 0 and tokens[before].kind == QUAL:
        before -= 1
    part_after = (
        index + 2 < len(tokens)
        and tokens[index + 1].norm == "of"
        and tokens[index + 2].norm in _PARTITIVE_AFTER
    )
    part_before = (
        before >= 1
        and (tokens[before - 1].norm, tokens[before].norm) in _PARTITIVE_BEFORE
        and not (words and words[0] in _PEOPLE_WORDS)
    )
    if not (part_after or part_before):
        return False
    whole = next((i for i in range(index - 1, -1, -1) if tokens[i].kind == NUM), None)
    return whole is not None and whole + 1 < len(tokens) and tokens[whole + 1].norm in lexicon.households


def describe_group(
    text: str,
    tokens: list[Token],
    index: int,
    link: MeasureLink,
    *,
    lexicon: Lexicon,
    registry: RegistryView,
    sentence: tuple[int, int],
    mentions: list[Mention],
    context_party: Callable[[], str | None],
    place_context: Callable[[], str | None],
    speaker_side: str | None = None,
    other_side: Callable[[str], str | None] | None = None,
) -> Group:
    """Subject words, role, party and unit of the count at ``tokens[index]``."""
    span = subject_tokens(tokens, index, link)
    if span:
        subject = text[span[0].start : span[-1].end]
        start, end = span[0].start, span[-1].end
    else:
        subject, start, end = "", tokens[index].end, tokens[index].end
    words = [w.strip(".,;:\"“”‘’'()") for w in subject.lower().split()]
    owner: str | None = None
    if link.how == "toll" and link.cue.end <= tokens[index].start:
        # "Russia's losses in personnel amounted to 473,400": the toll's owner and its words
        between = text[link.cue.end : tokens[index].start].lower().split()
        words = [*words, *(w.strip(".,") for w in between)]
        owners = [m for m in mentions if link.cue.start - 16 <= m.end <= link.cue.start]
        owner = owners[-1].party if owners else None
    if (
        link.how == "after"
        and link.cue.measure in {"displaced", "refugees"}
        and _reduced_relative(tokens, index, link)
    ):
        words.append(link.cue.norm.split()[0])  # "people forcibly uprooted": named as displaced
    if link.how in {"toll", "number-of", "share"} and link.cue.start < tokens[index].start:
        # "the total number of militant casualties to over 300": the word before the measure
        modifier = text[max(sentence[0], link.cue.start - 24) : link.cue.start].lower().split()[-2:]
        words = [*words, *(w.strip(".,;:\"“”'") for w in modifier)]
    role = _role(words, lexicon)
    if not words and link.cue.kind == MEAS and link.cue.measure == "refugees" and link.cue.form == "noun":
        role = "civilian"
    if role == "unspecified" and link.cue.kind == MEAS:
        # the measure phrase names its people: "90 civilian deaths", "dozens of prisoners of war"
        # (but "refugees" and "evacuees" name what happened to them, not who they are)
        cue_words = link.cue.norm.split()
        if "civilian" in cue_words or "civilians" in cue_words:
            role = "civilian"
        elif _role(cue_words, lexicon) == "military":
            role = "military"
    if role == "unspecified":
        role = _predicate_role(text, tokens, index, link, sentence, lexicon) or role
    if role == "unspecified" and subject.lower().startswith(("of them", "of whom")):
        # "110 of them under the age of 18"; "torture of civilians detained …, executing more
        # than 70 of them": them are the people last named before
        after = _LOWER_WORD.findall(text[end : min(sentence[1], end + 40)].lower())[:6]
        role = _role(after, lexicon)
        if role == "unspecified":
            role = _antecedent_role(text[sentence[0] : tokens[index].start], lexicon)
    members = _MEMBERS_OF.search(text, start, min(sentence[1], end + 30))
    if role == "unspecified" and members is not None and members.start() <= end:
        # "15 members of Ahrar al-Sham": members of a non-state armed side are its fighters
        following = registry.party_mentions(text, members.end(), min(sentence[1], members.end() + 60))
        if following and following[0].start == members.end() and not registry.is_state(following[0].party):
            role = "military"
    unit = (
        "households"
        if (words and (words[0] in lexicon.households or words[0] in lexicon.dwellings))
        or (len(words) > 1 and words[-1] in lexicon.households and words[0] not in {"their", "its"})
        or _households_after_cue(tokens, index, link, lexicon)
        or _households_labelled(tokens, index, words, lexicon)
        or _households_partitive(tokens, index, words, lexicon)
        else "people"
    )
    # party names, adjectives and acronyms are capitalised in news text: no capital, no party
    party = owner or (_party_in_span(text, start, end, registry) if span and not subject.islower() else None)
    if party is None and subject.lower().startswith(("of them", "of whom")):
        party = _antecedent_party(text, mentions, sentence[0], tokens[index].start, lexicon)
    if party is None and link.measure == "captured" and _EXCHANGE.search(text, sentence[0], sentence[1]):
        return Group(subject=subject, role=role, party=None, unit=unit)  # both sides' prisoners
    if party is None and role == "military" and any(w in lexicon.irregular for w in words):
        country = nearest_party(mentions, tokens[index].start, sentence_start=sentence[0]) or context_party()
        party = lexicon.irregular_sides.get(country or "", None) or country
        if party is not None and party == speaker_side and other_side is not None:
            party = victims_of_speaker(text, sentence[0], tokens[index].start, party, other_side)
    if party is None and subject.lower().startswith(_POSSESSIVE_LEADS):
        # "the ministry said 1,351 of its soldiers had died": its = the speaker's side
        party = speaker_side or context_party()
    if party is None and role == "military" and not any(w in lexicon.irregular for w in words):
        # "members of the army", "soldiers": a state's forces unless named otherwise
        states = [m for m in mentions if registry.is_state(m.party)]
        party = nearest_party(states, tokens[index].start, sentence_start=sentence[0])
        if party is None and speaker_side is not None and other_side is not None:
            party = victims_of_speaker(text, sentence[0], tokens[index].start, speaker_side, other_side)
            party = None if party == speaker_side else party
    if party is None:
        if _BOTH_SIDES.search(text, sentence[0], sentence[1]):
            return Group(subject=subject, role=role, party=None, unit=unit)  # "on both sides"
        usable = usable_mentions(text, mentions, registry, role, measure=link.measure)
        across = lexicon.regions.search(text[sentence[0] : sentence[1]].lower())
        if not usable and role != "military" and across:
            return Group(subject=subject, role=role, party=None, unit=unit)  # "the Indian Ocean tsunami"
        if role != "military":
            located = _located_after(text, usable, end, sentence[1])
            if located is not None:
                party = None if across_places(text, usable, located) else located
                return Group(subject=subject, role=role, party=party, unit=unit)
            if link.how == "before" and link.cue.form == "verb":
                # "Israeli attacks killed 31", "Moscow has deported thousands": who does the
                # harm comes before an active verb; only a place where it happened counts
                usable = [
                    m
                    for m in usable
                    if m.start > link.cue.start
                    or (m.how == "place" and not _metonymic_subject(text, m))
                    or _CLAUSE_BREAK.search(text, m.end, link.cue.start)
                ]
        party = nearest_party(usable, tokens[index].start, sentence_start=sentence[0])
        if party is not None and role == "military" and party == speaker_side and other_side is not None:
            party = victims_of_speaker(text, sentence[0], tokens[index].start, party, other_side)
        if party is not None and role != "military" and across_places(text, usable, party):
            return Group(subject=subject, role=role, party=None, unit=unit)  # "in Turkey and Syria"
        party = party or (context_party() if role == "military" else place_context())
    return Group(subject=subject, role=role, party=party, unit=unit)


_LOCATIVE_GAP: Final = re.compile(
    r"\s*(?:[a-z-]+\s+){0,2}?(?:in|inside|across|throughout|from)\s+(?:the\s+)?(?:[a-z-]+\s+)?", re.I
)
_CLAUSE_BREAK: Final = re.compile(r"[,;:]|(?<![\w])(?:that|which|who|before|after|when|while)(?![\w])", re.I)
_VERB_AFTER: Final = re.compile(r"\s+(?:has|have|had|is|was|says|said|will|would|also|[a-z]+ed)(?![\w])")


def _located_after(text: str, mentions: list[Mention], end: int, sentence_end: int) -> str | None:
    """ "31 Palestinians in Gaza", "people across Ukraine": the place right after the group."""
    for mention in mentions:
        if end <= mention.start < sentence_end and _LOCATIVE_GAP.fullmatch(text, end, mention.start):
            return mention.party
    return None


def _metonymic_subject(text: str, mention: Mention) -> bool:
    """ "Moscow has deported", "Washington accuses": a capital standing for its state."""
    return _VERB_AFTER.match(text, mention.end) is not None or bool(
        _ACCUSES.match(text[mention.end : mention.end + 12])
    )


# "on both sides", "either side of the frontline", "an exchange of 314 prisoners": people
# of more than one side (but "strikes by both sides" names the attackers, not the victims)
_BOTH_SIDES: Final = re.compile(
    r"(?<![\w])(?<!by\s)(?:(?:both|either)\s+sides?|the\s+two\s+sides|both\s+warring\s+parties)(?![\w])|"
    r"(?<![\w])on\s+each\s+side(?![\w])",
    re.I,
)
_EXCHANGE: Final = re.compile(
    r"(?<![\w])(?:exchange[sd]?|swap(?:s|ped)?|hand\s+over|handed\s+over)(?![\w])", re.I
)
# "25 casualties were children", "109 of the dead were evacuees", "most of them civilians"
_PREDICATE: Final = re.compile(
    r"^[^.;:]{0,60}?(?<![\w])(?:were|are|was|is|(?:most|many|all|majority|nearly\s+all)\s+of\s+(?:them|whom)"
    r"(?:\s+were)?|mostly|mainly|largely|predominantly|overwhelmingly)\s+(?:all\s+|mostly\s+|mainly\s+)?"
    r"((?:[\w'’-]+\s+){0,2}[\w'’-]+)",
    re.I,
)
_NOT_NOMINAL: Final = frozenset({"in", "on", "at", "by", "from", "during", "after", "among", "being", "also"})
_IN_ACTION: Final = re.compile(r"^[^.;:]{0,80}?(?<![\w])in\s+action(?![\w])", re.I)


_ACCUSES: Final = re.compile(r"\s+accuses|\s+launches|\s+denies")
_LOWER_WORD: Final = re.compile(r"[a-z0-9'-]+")
_LOWER_WORD_AFTER_LETTER: Final = re.compile(r"[a-z][a-z'-]*")
_MEMBERS_OF: Final = re.compile(
    r"(?<![\w])(?:members|fighters|commanders|militants)\s+of\s+(?:the\s+)?", re.I
)


def _antecedent_party(
    text: str, mentions: list[Mention], sentence_start: int, position: int, lexicon: Lexicon
) -> str | None:
    """ "a strike on Hamas militants …, and that it had killed 20–30 of them": them are the
    people last named with a party before the count."""
    for mention in reversed(mentions):
        if sentence_start <= mention.start and mention.end <= position:
            head = _LOWER_WORD.findall(text[mention.end : mention.end + 24].lower())[:1]
            if head and (head[0] in lexicon.military or head[0] in lexicon.civilian):
                return mention.party
    return None


def _antecedent_role(before: str, lexicon: Lexicon) -> str:
    """The role of the last group named in ``before`` (lower-cased words of the lexicon)."""
    found: list[str] = _LOWER_WORD_AFTER_LETTER.findall(before.lower())
    for word in reversed(found):
        if word in lexicon.civilian and word.endswith("s"):
            return "civilian"
        if word in lexicon.military and word.endswith("s"):
            return "military"
    return "unspecified"


def _predicate_role(
    text: str, tokens: list[Token], index: int, link: MeasureLink, sentence: tuple[int, int], lexicon: Lexicon
) -> str | None:
    """The role a sentence gives the counted group after naming it: "25 casualties were
    children", "most of them civilians", "killed and wounded in action"."""
    after = text[tokens[index].end : sentence[1]]
    if _IN_ACTION.match(after):
        return "military"
    match = _PREDICATE.match(after)
    if match is None:
        return None
    words = [w.strip(".,;:\"“”'").lower() for w in match.group(1).split()]
    while words and words[0].endswith("ly"):
        words = words[1:]  # "were internally displaced"
    if words and (words[0].endswith("ed") or words[0] in _NOT_NOMINAL):
        return None  # "6 others were injured in terrorist attacks": a verb, not what they were
    role = _role(words, lexicon)
    return role if role != "unspecified" else None


def usable_mentions(
    text: str, mentions: list[Mention], registry: RegistryView, role: str, *, measure: str = ""
) -> list[Mention]:
    """The mentions that may name the party of a group of ``role`` people.

    Never the agent of the harm ("launched by Russia", "detained by Russia") or, for people
    who fled, where they went ("deported to Russia"). For civilians and unspecified people
    also no attacker adjectives ("Israeli strikes", "Russian and Syrian regime airstrikes"),
    no military-only adjectives, no non-state armed groups.
    """
    mentions = [
        m
        for m in mentions
        if not _agent(text, m)
        and not (measure in _MOVES and destination(text, m))
        and not _STORM_BEFORE.search(text, max(0, m.start - 24), m.start)
    ]
    if role == "military":
        return mentions
    return [
        m
        for m in mentions
        if m.how != "military_adjective"
        and not _attacker(text, m)
        and not (m.how == "name" and not registry.is_state(m.party))
        and not _ATTACKS_AFTER.match(text, m.end)
        and not (m.how == "adjective" and _FACILITY_AFTER.match(text, m.end))
        and not (text[m.start : m.end].isupper() and _DATELINE_AFTER.match(text, m.end))
        and not (m.how == "place" and _VENUE_BEFORE.search(text, max(0, m.start - 40), m.start))
    ]


def _reduced_relative(tokens: list[Token], index: int, link: MeasureLink) -> bool:
    """ "people displaced", "people forcibly uprooted": a participle naming the group itself."""
    between = [t for t in tokens[index + 1 :] if t.start < link.cue.start]
    if not between or len(between) > 3:
        return False
    if not all(t.kind == WORD and t.norm not in AUXILIARIES for t in between):
        return False
    return len(between) == 1 or between[-1].norm.endswith("ly")


def _attacker(text: str, mention: Mention) -> bool:
    """Whether an adjective mention modifies the attacker ("Israeli strikes", "Russian and
    Syrian regime airstrikes"), not the victims."""
    if mention.how != "adjective":
        return False
    following = [w.strip(",.").lower() for w in text[mention.end : mention.end + 48].split()[:5]]
    for word in following:
        if word in _ATTACKER_NOUNS:
            return True
        if not (
            word in {"and", "or", "regime", "government", "-led", "backed"}
            or word[:1].isupper()
            or word.endswith(("ian", "ish", "ese", "i", "an"))
        ):
            return False
    return False


# "Russia launched 242 drones", "Israel struck": the subject of an attack is not its victim
_ATTACKS_AFTER: Final = re.compile(
    r"\s+(?:has\s+|have\s+|had\s+|also\s+|then\s+|again\s+)*(?:launched|launches|attacked|attacks|struck|"
    r"strikes|fired|fires|shelled|shells|bombed|bombs|pounded|pounds|hit|hits|targeted|targets|"
    r"invaded|invades|deported|deports)(?![\w])"
)
# "the U.N. Security Council in New York", "talks in Geneva": where a body sits or meets
# "the Indonesian Hospital", "the Saudi maternity hospital": a facility's name, not its people's
_FACILITY_AFTER: Final = re.compile(
    r"\s+(?:[a-z]+\s+)?(?:hospital|clinic|embassy|school|university|mosque|church|cathedral)(?![\w])", re.I
)
# "BEIRUT, March 10 - …", "KYIV (Reuters) -": where the report was filed, not where its people are
_DATELINE_AFTER: Final = re.compile(r"(?:,\s*[A-Z][a-z]+\.?\s+\d{1,2})?\s*(?:\([\w ]+\)\s*)?[-–—]")
# "Cyclone Mocha", "Hurricane Mitch": a storm's name, not the place that has it
_STORM_BEFORE: Final = re.compile(r"(?<![\w])(?:cyclone|hurricane|typhoon|tropical\s+storm|storm)\s+$", re.I)
_VENUE_BEFORE: Final = re.compile(
    r"(?<![\w])(?:council|headquarters|offices?|embassy|mission|talks|meeting|summit|conference|court|"
    r"parliament|based|hearing|session)\s+in\s+(?:the\s+)?$",
    re.I,
)
_MOVES: Final = frozenset({"refugees", "displaced", "evacuated", "captured"})
_BY_BEFORE: Final = re.compile(r"(?<![\w])(?:by|at\s+the\s+hands\s+of)\s+(?:the\s+)?$", re.I)
_AGENT_BEFORE: Final = re.compile(r"(?<![\w])(?:by|from)\s+(?:the\s+)?$", re.I)


def _agent(text: str, mention: Mention) -> bool:
    """ "airstrikes launched by Russia", "at the hands of the Pakistani Army": who did the harm."""
    before = text[max(0, mention.start - 24) : mention.start]
    return bool(_BY_BEFORE.search(before))
