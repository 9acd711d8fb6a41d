"""Which measure a count belongs to: "12 were killed", "killing 12", "12 dead", "toll rose to 12"."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from counterclaim.extract.labels import LABEL_MARKS, label_cue
from counterclaim.extract.tokens import MEAS, NUM, PUNCT, QUAL, WORD, XNUM, Token
from counterclaim.lexicon import Lexicon

# Words between a count and its verb that do not break the link ("12 were reportedly killed").
AUXILIARIES: Final = frozenset(
    {
        "were", "was", "have", "has", "had", "been", "being", "are", "is", "be", "will", "would",
        "reportedly", "also", "later", "still", "now", "officially", "reported", "confirmed",
        "feared", "believed", "thought", "said", "to", "got", "get", "all", "already",
        "allegedly", "apparently", "left", "found", "listed", "presumed", "declared", "counted",
        "either", "both", "recently", "since", "then", "who", "that", "they",
    }
)  # fmt: skip
# Words that end the phrase of a count: a new clause begins.
CLAUSE_WORDS: Final = frozenset(
    {
        "which", "where", "when", "while", "whereas", "but", "because", "if", "although",
        "though", "after", "before", "until", "unless", "whether", "according", "says", "told",
        "say", "tells", "amid", "despite", "than",
    }
)  # fmt: skip
# Verbs between a count and a later measure word that make the count their own subject: the
# measure word belongs to another clause ("6 million live in occupied regions – … deaths").
BLOCKING_VERBS: Final = frozenset(
    {
        "live", "lives", "lived", "living", "reside", "resides", "stay", "stayed", "asked", "ask",
        "want", "wanted", "wish", "waiting", "await", "awaiting", "need", "needs", "needed",
        "trapped", "besieged", "suggests", "suggest", "means", "represent", "represents",
        "returned", "return", "returning", "headed", "work", "worked", "study", "studied",
        "gathered", "marched", "protested", "attended", "voted",
    }
)  # fmt: skip
# Words allowed between a verb and the count it governs ("killed a further 12").
OBJECT_LEAD: Final = frozenset({"the", "a", "another", "further", "additional", "an", "at", "of"})
# Words allowed between a toll word and its count ("the death toll has risen to 12").
TOLL_GAP: Final = frozenset(
    {
        "has", "have", "had", "was", "is", "rose", "risen", "rises", "climbed", "climbs", "reached",
        "reaches", "reach", "stood", "stands", "standing", "now", "at", "to", "of", "jumped",
        "hit", "increased", "reaching", "rising", "climbing", "passed", "surpassed", "exceeded",
        "could", "may", "might", "put", "puts", "putting", "the", "gave", "give", "a", "its",
        "their", "been", "officially", "new", "latest", "total", "overall", "death", "final",
        "stand", "grew", "further", "already", "estimated", "ranging", "ranged", "from",
    }
)  # fmt: skip
# Quote marks, and the replacement character that stands for them (and for dashes and no-break
# spaces) in text whose non-ASCII characters were lost ("displaced\ufffd5,000 people")
_QUOTE_MARKS: Final = frozenset({'"', "“", "”", "‘", "’", "'", "\ufffd"})
_FORWARD_LIMIT: Final = 9
_PRONOUNS: Final = frozenset({"them", "those", "these", "whom", "which", "us"})
_PARTITIVES: Final = frozenset(
    {"many", "most", "several", "few", "half", "some", "all", "none", "hundreds", "thousands", "dozens"}
)
_BACKWARD_LIMIT: Final = 12
# Words opening an aside about the people counted: "…, mostly women and children, …"
_ASIDE_LEADS: Final = frozenset({"mostly", "mainly", "largely", "predominantly", "chiefly", "primarily"})
ASIDE_OPENERS: Final = _PARTITIVES | _ASIDE_LEADS
_DISPLACEMENT_REACH: Final = 6  # more words of subject allowed before a displacement verb


@dataclass(frozen=True, slots=True)
class MeasureLink:
    """A count linked to its measure: the measure, the cue token and how they were linked."""

    measure: str
    cue: Token
    how: str  # "after", "before", "toll", "number-of", "list", "hosted"


def _flee_measure(tokens: list[Token], index: int, text: str, lexicon: Lexicon) -> str:
    cue = tokens[index]
    tail = text[cue.end : cue.end + 60]
    if lexicon.flee_abroad.search(tail.split(".")[0][:50]):
        return "refugees"
    return "displaced"


def _measure_of(tokens: list[Token], index: int, text: str, lexicon: Lexicon) -> str:
    cue = tokens[index]
    if cue.form == "flee":
        return _flee_measure(tokens, index, text, lexicon)
    if cue.norm.endswith(" moved"):
        # "were moved to a school" is an evacuation; "had been moved into 30 camps" (or
        # "to relief camps") puts them where displaced people are: the destination decides
        for token in tokens[index + 1 : index + 6]:
            if token.kind == MEAS and token.form == "place":
                return token.measure
            if token.norm in {"camp", "camps"}:
                return "displaced"
    return cue.measure


def _forward(tokens: list[Token], index: int, text: str, lexicon: Lexicon) -> MeasureLink | None:
    words = 0
    # "one of them is ...": a share of a group named before reads its measure at once, or not at all
    limit = _FORWARD_LIMIT
    if index + 2 < len(tokens) and tokens[index + 1].norm == "of" and tokens[index + 2].norm in _PRONOUNS:
        limit = 3
    in_partitive = False
    in_including = False
    in_relative = False
    in_aside = False
    position = index + 1
    while position < len(tokens):
        token = tokens[position]
        if token.kind == MEAS:
            if token.form == "toll" or in_partitive:
                return None
            if token.form == "place" and position == index + 1:
                return None  # "40 evacuation centres": the count counts the places
            if token.form == "of" and position > index + 1:
                # "300,000 reservists, a move that sparks an exodus of young men": an of-noun
                # counts what follows its "of", never a count before it
                return None
            following = _next_kind(tokens, position)
            if in_including and (following == NUM or tokens[position - 1].kind == NUM):
                return None  # "50,000 people, including 12,000 displaced": the included count's
            if following == NUM and token.form in {"verb", "flee"} and not _counts_listed(tokens, position):
                return None  # "troops killed 12": the verb has its own count
            previous = tokens[position - 1]
            if (
                previous.norm in {"and", "or"}
                and token.form in {"verb"}
                and position - 1 > index + 1
                and not _coordinated_participle(tokens, position - 2)
            ):
                return None  # "44 people and wounded dozens": a second verb with its own object
            return MeasureLink(_measure_of(tokens, position, text, lexicon), token, "after")
        if token.kind == NUM and _composition(tokens, position, index):
            # "1,200 people from 300 households were evacuated", "300 families comprising
            # 1,500 people were displaced": the other unit of the same people
            position += 2
            continue
        if token.kind == NUM and _apposed(tokens, position):
            # "Nearly 5,000 people, or 1,000 families, were displaced": the same people again
            position = _apposed(tokens, position)
            continue
        if token.kind == NUM:
            after = tokens[position + 1] if position + 1 < len(tokens) else None
            if after is not None and after.kind == MEAS and after.form == "place" and not in_including:
                # "5,000 people were staying in 30 evacuation centres": the places are counted
                # apart, the people are in them
                return MeasureLink(_measure_of(tokens, position + 1, text, lexicon), after, "after")
            before = tokens[position - 1].norm if position > index + 1 else ""
            if before in {"including", "among", "of"} or in_including:
                in_including = True
                position += 1
                continue
            return None
        if token.kind == PUNCT:
            if token.norm == "(" and _closes(tokens, position):
                position = _closes(tokens, position)  # "409 820 (+1 040) persons": skip the aside
                continue
            if token.norm == "(" and _equivalent_count(tokens, position):
                # "1,500 families (7,500 people) were displaced": the same people counted again
                position = _equivalent_count(tokens, position)
                continue
            if token.norm == ")" and _inside_equivalent(tokens, index, position):
                position += 1  # the count in "(7,500 people) were displaced" reads on
                continue
            if token.norm in {".", ";", ":", "?", "!", "(", ")", "[", "]"}:
                return None
            if token.norm == "," and in_including:
                in_including = False
            if token.norm == ",":
                # "…, many sheltering in basements": a share of them opens a clause of its own;
                # "45,000 people, most of them women and children from …, have been displaced":
                # an aside about the same people, closed by a comma, does not lengthen the subject
                opener = tokens[position + 1].norm if position + 1 < len(tokens) else ""
                in_partitive = opener in _PARTITIVES
                in_aside = opener in ASIDE_OPENERS
            position += 1
            continue
        if token.kind in {XNUM, QUAL}:
            position += 1
            continue
        word = token.norm
        if word in CLAUSE_WORDS and not (position == index + 2 and tokens[index + 1].norm == "of"):
            return None  # but "(85,000 of which have been relocated)": the count's own clause
        if word in {"who", "that"} and position > index + 1:
            in_relative = True  # "4,000 people who live along the river were evacuated"
        if position == index + 2 and word.endswith("ing") and tokens[index + 1].kind == WORD:
            in_relative = True  # "3,500 people living along the river have been displaced"
        if word in BLOCKING_VERBS and not in_relative and not _lives_displaced(tokens, position):
            return None
        if word in _PARTITIVES and position + 1 < len(tokens) and tokens[position + 1].norm == "of":
            in_partitive = True  # "500,000 people, many of them displaced": a share, not the count
        if word in {"including", "among"}:
            in_including = True
        elif word not in AUXILIARIES and not in_including and not in_aside:
            words += 1
            if words > limit + _DISPLACEMENT_REACH or (
                words > limit and not _displacement_ahead(tokens, position)
            ):
                return None
        position += 1
    return None


def _displacement_ahead(tokens: list[Token], position: int) -> bool:
    """Whether the next measure word of the clause is one of displacement: a long subject
    ("4,000 residents of low-lying neighbourhoods along the river and its tributaries were
    evacuated") is common in reports of people moved, rare before a toll."""
    for token in tokens[position + 1 : position + 1 + _DISPLACEMENT_REACH]:
        if token.kind in {NUM, XNUM} or (token.kind == PUNCT and token.norm in {".", ";", ":", "(", ")"}):
            return False
        if token.kind == MEAS:
            return token.measure in {"displaced", "evacuated", "refugees"} and token.form in {"verb", "flee"}
    return False


def _coordinated_participle(tokens: list[Token], position: int) -> bool:
    """ "were rescued and evacuated", "were affected and displaced": the measure verb shares
    its subject with the participle before "and" (after a passive auxiliary)."""
    if position < 1 or tokens[position].kind != WORD or not tokens[position].norm.endswith("ed"):
        return False
    return tokens[position - 1].norm in {"were", "was", "been", "are", "is", "be"}


def _lives_displaced(tokens: list[Token], position: int) -> bool:
    """ "500,000 people were living in relief camps": the place they live in is displacement."""
    if tokens[position].norm not in {"live", "lives", "lived", "living"}:
        return False
    return any(t.kind == MEAS and t.measure == "displaced" for t in tokens[position + 1 : position + 5])


_COMPOSING: Final = frozenset({"from", "comprising", "with", "totalling", "totaling", "of"})
_UNIT_NOUNS: Final = frozenset(
    {"people", "persons", "individuals", "members", "families", "households", "family", "household"}
)


_HOUSEHOLD_NOUNS: Final = frozenset({"families", "households", "family", "household"})


def _composition(tokens: list[Token], position: int, index: int) -> bool:
    """Whether the count at ``position`` gives the people counted at ``index`` in another
    unit: "from 300 households", "comprising 1,500 people"."""
    if position + 1 >= len(tokens) or tokens[position + 1].norm not in _UNIT_NOUNS:
        return False
    if position - index > 4 or tokens[index + 1].norm not in _UNIT_NOUNS:
        return False
    if tokens[position - 1].norm == "or":
        # "12,500 families or 56,000 persons were evacuated": the same people in the other unit
        return (tokens[index + 1].norm in _HOUSEHOLD_NOUNS) != (tokens[position + 1].norm in _HOUSEHOLD_NOUNS)
    return tokens[position - 1].norm in _COMPOSING


def _apposed(tokens: list[Token], position: int) -> int:
    """The position after the closing comma when the count at ``position`` restates the one
    before it after ", or" ("5,000 people, or 1,000 families, were displaced"), or 0."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    if back < 1 or tokens[back].norm != "or" or tokens[back - 1].norm != ",":
        return 0
    for ahead in range(position + 1, min(len(tokens), position + 5)):
        if tokens[ahead].norm == ",":
            return ahead + 1
        if tokens[ahead].kind != WORD:
            return 0
    return 0


def _equivalent_count(tokens: list[Token], position: int) -> int:
    """The position after ")" when the "(" at ``position`` opens the same people counted in
    another unit ("(7,500 people)", "(about 1,500 households)"), or 0."""
    inner = position + 1
    while inner < len(tokens) and tokens[inner].kind == QUAL:
        inner += 1
    if inner >= len(tokens) or tokens[inner].kind != NUM:
        return 0
    for ahead in range(inner + 1, min(len(tokens), inner + 4)):
        if tokens[ahead].norm == ")":
            return ahead + 1
        if tokens[ahead].kind != WORD:
            return 0
    return 0


def _inside_equivalent(tokens: list[Token], index: int, closing: int) -> bool:
    """Whether the count at ``index`` is the one in an equivalence closing at ``closing``:
    "1,500 families (7,500 people) were displaced"."""
    opening = index - 1
    while opening >= 0 and tokens[opening].kind == QUAL:
        opening -= 1
    if opening < 1 or tokens[opening].norm != "(":
        return False
    return _equivalent_count(tokens, opening) == closing + 1 and _counted_before(tokens, opening)


def _counted_before(tokens: list[Token], opening: int) -> bool:
    """Whether a count and at most three words stand right before the "(" at ``opening``."""
    for back in range(opening - 1, max(-1, opening - 5), -1):
        if tokens[back].kind == NUM:
            return True
        if tokens[back].kind != WORD:
            return False
    return False


def _closes(tokens: list[Token], position: int) -> int:
    """The position after the ")" closing the "(" at ``position`` within a few tokens, or 0."""
    for ahead in range(position + 1, min(len(tokens), position + 6)):
        if tokens[ahead].norm == ")":
            return ahead + 1
        if tokens[ahead].kind in {MEAS, NUM}:
            return 0
    return 0


def _next_kind(tokens: list[Token], position: int) -> str:
    nxt = position + 1
    while nxt < len(tokens) and tokens[nxt].kind == QUAL:
        nxt += 1
    while (
        nxt < len(tokens)
        and tokens[nxt].kind == WORD
        and tokens[nxt].norm in {"a", "the", "another", "further"}
    ):
        nxt += 1
    return tokens[nxt].kind if nxt < len(tokens) else ""


def _backward(
    tokens: list[Token], index: int, text: str, lexicon: Lexicon, *, coordinated: bool = False
) -> MeasureLink | None:
    position = index - 1
    while position >= 0 and tokens[position].kind == QUAL:
        position -= 1
    gap: list[Token] = []
    while position >= 0 and len(gap) <= _BACKWARD_LIMIT:
        token = tokens[position]
        if token.kind == MEAS:
            if token.form == "toll":
                if all(t.norm in TOLL_GAP or (t.kind in {QUAL, PUNCT} and t.norm != ".") for t in gap):
                    return MeasureLink(_measure_of(tokens, position, text, lexicon), token, "toll")
                if _toll_with_aside(gap):
                    # "the death toll from Saturday's missile strike to 40", "put the toll from
                    # the five-year conflict at 470000": an aside between the toll and its level
                    return MeasureLink(_measure_of(tokens, position, text, lexicon), token, "toll")
                return None
            if token.form == "of" and (token.norm.endswith(" of") or (gap and gap[-1].norm == "of")):
                rest = gap[:-1] if gap and gap[-1].norm == "of" and not token.norm.endswith(" of") else gap
                if all(t.norm in OBJECT_LEAD for t in rest) or _aside(rest):
                    return MeasureLink(_measure_of(tokens, position, text, lexicon), token, "before")
                return None
            if token.form in {"verb", "flee"} and (_object_gap(gap, coordinated=coordinated) or _aside(gap)):
                return MeasureLink(_measure_of(tokens, position, text, lexicon), token, "before")
            return None
        if token.kind == PUNCT and token.norm in LABEL_MARKS and not gap:
            cue = label_cue(tokens, position, lexicon)
            if cue is not None:
                # "Displaced: 45,000", "Number of evacuees – 3,000": a bulletin's label
                return MeasureLink(_measure_of(tokens, cue, text, lexicon), tokens[cue], "before")
        if token.kind == NUM or (token.kind == PUNCT and token.norm in {".", ";", ":"}):
            return None
        gap.insert(0, token)
        position -= 1
    return None


_LEVEL_PREPOSITIONS: Final = frozenset(
    {"to", "at", "of", "reached", "reaches", "stood", "stands", "passed", "exceeded"}
)


def _toll_with_aside(gap: list[Token]) -> bool:
    words = [t for t in gap if t.kind != QUAL]
    if not words or len(words) > 10 or words[-1].norm not in _LEVEL_PREPOSITIONS:
        return False
    return all(t.kind == WORD or (t.kind == PUNCT and t.norm in _QUOTE_MARKS) for t in words)


_ASIDE_LENGTH: Final = 8


def _aside(gap: list[Token]) -> bool:
    """ "the evacuation of, according to the latest data, 17,631 people": an aside between
    commas, words only, between a verb or an of-noun and its count."""
    if len(gap) < 3 or gap[0].norm != "," or gap[-1].norm != ",":
        return False
    inner = gap[1:-1]
    return len(inner) <= _ASIDE_LENGTH and all(t.kind == WORD for t in inner)


def _object_gap(gap: list[Token], *, coordinated: bool) -> bool:
    """Whether the words between a verb and a count let the count be the verb's object."""
    words = [t for t in gap if not (t.kind == PUNCT and t.norm in _QUOTE_MARKS)]
    if all(t.norm in OBJECT_LEAD for t in words):
        return True
    # "injuring a female teacher and 19 others": a short coordinated object
    return (
        coordinated
        and len(words) <= 5
        and bool(words)
        and words[-1].norm == "and"
        and all(t.kind == WORD for t in words)
    )


def link_measure(tokens: list[Token], index: int, text: str, lexicon: Lexicon) -> MeasureLink | None:
    """Find the measure of the count at ``tokens[index]``, or None if it has none.

    Tried in order: a measure word right after the count ("44 dead"), a verb or "of"-noun
    right before it ("killing 12", "the death of ten"), a toll ("the toll rose to 12"), then a
    measure further on in the same clause ("12 people were reportedly killed").
    """
    following = index + 1
    if (
        following < len(tokens)
        and tokens[following].kind == MEAS
        and tokens[following].form not in {"toll", "place"}
    ):
        cue = tokens[following]
        if (
            _next_kind(tokens, following) != NUM
            or cue.form in {"noun", "of"}
            or _counts_listed(tokens, following)
        ):
            return MeasureLink(_measure_of(tokens, following, text, lexicon), cue, "after")
    backward = _backward(tokens, index, text, lexicon)
    if backward is not None:
        if backward.cue.norm == "lost":
            # "lost 61,207 troops killed": the specific measure after the count wins
            forward = _forward(tokens, index, text, lexicon)
            if forward is not None:
                return forward
        return backward
    level = _level(tokens, index, text, lexicon)
    if level is not None:
        return level
    forward = _forward(tokens, index, text, lexicon)
    if forward is not None:
        return forward
    if _own_predicate(tokens, index, lexicon):
        return _hosted(tokens, index, text, lexicon)
    return _backward(tokens, index, text, lexicon, coordinated=True) or _hosted(tokens, index, text, lexicon)


_OWN_AUXILIARIES: Final = frozenset({"are", "is", "were", "was", "have", "has", "had"})


def _own_predicate(tokens: list[Token], index: int, lexicon: Lexicon) -> bool:
    """Whether the count at ``index`` has a predicate of its own right after it, so it is no
    second object of a verb before it: "evacuated and 618 people rescued", "relocated and some
    37,000 are in urgent need"."""
    for token in tokens[index + 1 : index + 4]:
        if token.kind != WORD:
            return False
        if token.norm in _OWN_AUXILIARIES or token.norm in lexicon.other_fates:
            return True
    return False


# Words between a place of shelter and its hosting verb: "relief camps have been opened,
# accommodating 3,900 people", "evacuation centres are currently hosting 2,750".
_HOSTING_GAP: Final = frozenset(
    {
        "are", "is", "were", "was", "have", "has", "had", "been", "now", "currently", "still",
        "already", "open", "opened", "set", "up", "established", "together", "which", "that", ",",
    }
)  # fmt: skip
_HOSTING_REACH: Final = 5
_PLACE_LINKS: Final = frozenset({"with", "where"})


def _hosted(tokens: list[Token], index: int, text: str, lexicon: Lexicon) -> MeasureLink | None:
    """ "20 relief camps housing 4,000 people", "45 relief camps with 11,000 people": a place of
    shelter, then a hosting verb (or "with") right before the count: the people sheltered there."""
    position = index - 1
    while position >= 0 and tokens[position].kind == QUAL:
        position -= 1
    verb = tokens[position] if position >= 1 else None
    if verb is None or verb.kind != WORD or not (verb.norm in lexicon.hosting or verb.norm in _PLACE_LINKS):
        return None
    back = position - 1
    while back >= 0 and position - back <= _HOSTING_REACH and tokens[back].norm in _HOSTING_GAP:
        back -= 1
    if back < 0 or tokens[back].kind != MEAS or tokens[back].form != "place":
        return None
    if verb.norm in _PLACE_LINKS and any(t.kind == WORD for t in tokens[back + 1 : position]):
        # "with" and "where" host only right after the place: "camps with 11,000 people",
        # "35 relief camps, where 6,780 people are staying"
        return None
    return MeasureLink(_measure_of(tokens, back, text, lexicon), tokens[back], "hosted")


# Words that state the level a count has reached: "the toll rose to 40", "losses have passed
# 135,000", "Houthi losses at 90-100 fighters".
# The weak ones ("to", "at", "of", "is") count only after a strong one or a measure noun:
# "rose to", "losses at", "the toll is"; never "rushed to six hospitals".
WEAK_LEVEL_WORDS: Final = frozenset({"to", "at", "of", "above", "past", "is", "was", "are", "were", "now"})
LEVEL_WORDS: Final = frozenset(
    {
        "to", "at", "of", "above", "past", "passed", "passes", "passing", "reached", "reaches",
        "reach", "reaching", "topped", "tops", "surpassed", "surpasses", "exceeded", "exceeds",
        "hit", "hits", "crossed", "nears", "neared", "approaching", "totalled", "totaled",
        "totals", "is", "was", "are", "were", "now", "stood", "stands", "stand", "standing",
        "rose", "risen", "rises", "climbed", "climbs", "jumped", "soared", "increased", "grew",
        "amounted", "amounts", "amount", "totalling", "totaling", "numbered", "numbers",
        "numbering", "swelled", "swollen", "swells",
    }
)  # fmt: skip
_LEVEL_MEASURE_GAP: Final = 16
_TOTAL_WORDS: Final = frozenset({"number", "toll", "tally", "total", "count", "figure"})


def _level(tokens: list[Token], index: int, text: str, lexicon: Lexicon) -> MeasureLink | None:
    """A count a toll or a measure noun is said to have reached ("death toll ... rises to 40")."""
    position = index - 1
    levelled = False
    while position >= 0 and tokens[position].kind == QUAL:
        levelled = levelled or tokens[position].norm.split()[0] in LEVEL_WORDS  # "passed 135,000"
        position -= 1
    while levelled and position >= 0 and tokens[position].norm in {"have", "has", "had", "now", "already"}:
        position -= 1
    if levelled and position >= 0:
        position += 1  # look for the measure from here back
    elif position < 0 or tokens[position].kind != WORD or tokens[position].norm not in LEVEL_WORDS:
        return None
    if not levelled and tokens[position].norm in WEAK_LEVEL_WORDS:
        before = tokens[position - 1] if position > 0 else None
        strong = before is not None and (
            (before.kind == MEAS and before.form in {"toll", "noun"})
            or (before.kind == WORD and before.norm in LEVEL_WORDS and before.norm not in WEAK_LEVEL_WORDS)
        )
        if not strong:
            return None
    window = tokens[max(0, position - _LEVEL_MEASURE_GAP) : position]
    counted = any(t.norm in _TOTAL_WORDS for t in window)
    for back in range(position - 1, max(-1, position - _LEVEL_MEASURE_GAP), -1):
        token = tokens[back]
        if token.kind == NUM or (token.kind == PUNCT and token.norm in {".", ";", ":", "?", "!"}):
            return None
        if token.kind == MEAS:
            if token.form in {"toll", "noun"} or counted or tokens[position].norm in _NUMBERING:
                # "the displaced numbered 45,000": the people named by what befell them
                return MeasureLink(_measure_of(tokens, back, text, lexicon), token, "toll")
            return None
    return None


_NUMBER_NOUNS: Final = frozenset({"number", "numbers", "total", "tally", "count", "figure"})
_NUMBERING: Final = frozenset({"numbered", "numbers", "numbering", "totalled", "totaled", "totals"})


def _counts_listed(tokens: list[Token], cue_position: int) -> bool:
    """ "Three killed, 70 injured": the count after the verb has a measure of its own."""
    nxt = cue_position + 1
    while nxt < len(tokens) and tokens[nxt].kind in {QUAL, PUNCT}:
        nxt += 1
    return nxt + 1 < len(tokens) and tokens[nxt].kind == NUM and tokens[nxt + 1].kind == MEAS


def link_number_of(tokens: list[Token], index: int, text: str, lexicon: Lexicon) -> MeasureLink | None:
    """ "the number of displaced people ... stood at 108.4 million": a level of a measure."""
    position = index - 1
    while position >= 0 and tokens[position].kind == QUAL:
        position -= 1
    while position > 0 and tokens[position].norm in {"now", "currently", "already", "still"}:
        position -= 1  # "the total number of displaced people … is now 45,000"
    if position < 0 or tokens[position].norm not in {
        "at",
        "to",
        "reach",
        "reached",
        "was",
        "is",
        "of",
        "hit",
        "be",
        "exceeds",
        "exceeded",
    }:
        return None
    for back in range(position - 1, max(-1, position - 40), -1):
        token = tokens[back]
        if token.kind == PUNCT and token.norm in {".", ";", ":"}:
            return None
        if token.kind == MEAS and token.form in {"noun", "verb", "flee", "place"}:
            # "the number of people who have been forced to leave …": a relative clause's
            # auxiliaries may stand between the noun and its measure
            window = tokens[max(0, back - 8) : back]
            norms = [t.norm for t in window]
            if "of" in norms and any(n in _NUMBER_NOUNS for n in norms):
                return MeasureLink(_measure_of(tokens, back, text, lexicon), token, "number-of")
    return None
