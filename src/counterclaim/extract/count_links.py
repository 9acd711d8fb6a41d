"""Each count of a sentence linked to its measure: its own, or one it shares with a list, a share or "and"."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Final

from counterclaim.extract.measures import MeasureLink, link_measure, link_number_of
from counterclaim.extract.tokens import MEAS, NUM, PUNCT, QUAL, WORD, XNUM, Token
from counterclaim.lexicon import Lexicon

Span = tuple[int, int]

_SHARE_OPENER: Final = re.compile(r"\W*(?:of|among)\s+(?:them|those|these|whom|the dead|the victims)\b")
_SHARE_WORDS: Final = frozenset({"them", "those", "these", "whom"})
# Words that say a group was counted: "those killed … include 14 children", "the dead were 12".
_INCLUDE_WORDS: Final = frozenset(
    {"include", "included", "includes", "including", "were", "are", "was", "is"}
)
_GROUP_LEADS: Final = frozenset({"those", "the", "people", "all"})
# Auxiliaries after a count: it has a verb of its own ("23,000 people have been affected and
# 2,536 relocated"), so it does not share the next count's measure.
_OWN_VERB: Final = frozenset({"have", "has", "had", "been", "were", "was", "are", "is"})


def link_counts(
    text: str, low: str, span: Span, tokens: list[Token], lexicon: Lexicon, *, last_link: MeasureLink | None
) -> list[tuple[int, MeasureLink]]:
    """Each count of the sentence ``span`` with the measure it belongs to, in token order.

    A count without a measure word of its own takes one from the counts around it: a list
    ("killed 12 in A and 30 in B"), a share ("14 of them children") or "and". ``last_link`` is
    the measure of the last claim before this sentence, for a share given before any other
    count of it ("Of them, 12 were children").
    """
    links: list[tuple[int, MeasureLink]] = []
    last_object: MeasureLink | None = None
    opens_with_share = _SHARE_OPENER.match(low, span[0], span[1]) is not None
    for position, token in enumerate(tokens):
        if token.kind != NUM:
            continue
        link = link_measure(tokens, position, low, lexicon)
        if links and _included(tokens, position) and not _adjacent(tokens, position, link):
            # "11.6 million remained displaced, including 5.9 million within the country";
            # "145 people had died, including 117 members … living in displacement camps"
            # (but "including up to 325,000 deaths" names its own measure)
            link = MeasureLink(links[-1][1].measure, links[-1][1].cue, "list")
        if link is None:
            link = link_number_of(tokens, position, low, lexicon)
        if link is None:
            link = _antecedent_group(tokens, position)
        if link is None and links and _restated(tokens, position, links[-1][0]):
            # "displaced 7,500 people (1,500 families)": the same people in another unit
            link = MeasureLink(links[-1][1].measure, links[-1][1].cue, "list")
        if link is None and last_object is not None and _listed_after(tokens, position):
            link = MeasureLink(last_object.measure, last_object.cue, "list")
        if link is None and links and _place_list(text, tokens, position):
            # "2,000 people were evacuated in Jiangxi, 3,000 in Hunan and 1,500 in Hubei"
            link = MeasureLink(links[-1][1].measure, links[-1][1].cue, "list")
        if link is None and links and _listed_after_place(text, tokens, position, links):
            # "150 bodies were counted in Hammouriya 100 in Kfar Batna 67 in Saqba"
            link = MeasureLink(links[-1][1].measure, links[-1][1].cue, "list")
        earlier = links[-1][1] if links else last_link
        if link is None and (
            opens_with_share or _share(tokens, position) or (links and _after_dash(tokens, position))
        ):
            # "75 people were injured, 14 of them children"; "Of those, 175 were UN staff";
            # "Most of the dead are …, and tens of them belong to …"
            named = _group_measure_before(tokens, position)
            if tokens[position].norm == "one" and not links:
                # "ministers were among the casualties of the night, one of them losing by
                # 1,351 votes": one of a group nobody counted is no count
                named = earlier = None
            if named is not None or earlier is not None:
                chosen = named or earlier
                assert chosen is not None
                link = MeasureLink(chosen.measure, chosen.cue, "share")
        if link is not None and _elliptic_thing(tokens, position, link, links, lexicon):
            # "12,500 civil servant posts have been axed, and 7,800 relocated": the bare count
            # counts the things of the count before it
            link = None
        if link is None:
            continue
        if link.how == "before":
            last_object = link
        links.append((position, link))
    return _coordinated(tokens, links, lexicon.other_fates)


def _elliptic_thing(
    tokens: list[Token],
    position: int,
    link: MeasureLink,
    links: list[tuple[int, MeasureLink]],
    lexicon: Lexicon,
) -> bool:
    """Whether a bare count ("7,800 relocated") continues an earlier count of the sentence
    that counts things, not people ("12,500 civil servant posts")."""
    if link.how != "after" or link.cue.form not in {"verb", "flee"}:
        return False
    if position + 1 >= len(tokens) or tokens[position + 1] is not link.cue:
        return False
    if not _listed_after(tokens, position):
        return False
    linked = {index for index, _ in links}
    for earlier in range(position - 1, max(-1, position - 12), -1):
        if tokens[earlier].kind in {NUM, XNUM}:
            if earlier in linked:
                return False
            after = [t for t in tokens[earlier + 1 : earlier + 5] if t.kind == WORD][:3]
            return any(t.norm in lexicon.units for t in after)
        if tokens[earlier].kind == PUNCT and tokens[earlier].norm in {".", ";", ":"}:
            return False
    return False


def _restated(tokens: list[Token], position: int, previous: int) -> bool:
    """Whether the count at ``position`` opens a parenthesis right after the count at
    ``previous`` and its noun, and closes it after a word or three ("(1,500 families)")."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    if back < 1 or tokens[back].norm != "(" or not 0 < back - previous <= 4:
        return False
    if any(t.kind not in {WORD, MEAS} for t in tokens[previous + 1 : back]):
        return False  # "158,316 internally displaced persons (27,919 households)"
    for ahead in range(position + 1, min(len(tokens), position + 5)):
        if tokens[ahead].norm == ")":
            return True
        if tokens[ahead].kind != WORD:
            return False
    return False


def _place_list(text: str, tokens: list[Token], position: int) -> bool:
    """Whether a bare count continues a list by place: ", 3,000 in Hunan", "and another 1,500
    in Hubei province" (the count, then "in" and a capitalised name, then the clause ends)."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    if back >= 0 and tokens[back].norm in {"another", "a further", "further"}:
        back -= 1
    if back < 0 or tokens[back].norm not in {",", "and"}:
        return False
    after = position + 1
    if after + 1 >= len(tokens) or tokens[after].norm not in {"in", "at"}:
        return False
    name = tokens[after + 1]
    if name.kind != WORD or not text[name.start].isupper():
        return False
    for token in tokens[after + 2 : after + 6]:
        if token.kind == PUNCT or token.kind == NUM or token.norm == "and":
            return True
        if token.kind != WORD:
            return False
    return after + 6 >= len(tokens)


def _listed_after(tokens: list[Token], position: int) -> bool:
    """Whether the count at ``position`` continues a list ("killed 12 in A and 30 in B")."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    return back >= 0 and (
        tokens[back].norm == "and" or (tokens[back].kind == PUNCT and tokens[back].norm == ",")
    )


def _adjacent(tokens: list[Token], position: int, link: MeasureLink | None) -> bool:
    """Whether a count's measure word stands right after it ("325,000 deaths")."""
    if link is None or link.how != "after":
        return False
    cue = next(
        (i for i in range(position + 1, min(len(tokens), position + 4)) if tokens[i] is link.cue), None
    )
    return cue is not None


def _antecedent_group(tokens: list[Token], position: int) -> MeasureLink | None:
    """ "those killed in two attacks include 14 children": the count of a group named before
    it by its measure ("those killed", "the dead", "the victims")."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    if back < 0 or tokens[back].norm not in _INCLUDE_WORDS:
        return None
    return _group_measure_before(tokens, back)


def _group_measure_before(tokens: list[Token], position: int) -> MeasureLink | None:
    """The measure of a group named by it before ``position`` in the clause ("those killed",
    "the dead", "the wounded"), or None."""
    for back in range(position - 1, max(-1, position - 14), -1):
        token = tokens[back]
        if token.kind == NUM or (token.kind == PUNCT and token.norm in {".", ";", ":"}):
            return None
        if token.kind == MEAS and back > 0 and tokens[back - 1].norm in _GROUP_LEADS:
            return MeasureLink(token.measure, token, "share")
        if token.kind == MEAS and token.norm.startswith(("among the", "among those")):
            return MeasureLink(token.measure, token, "share")
    return None


def _listed_after_place(
    text: str, tokens: list[Token], position: int, links: list[tuple[int, MeasureLink]]
) -> bool:
    """Whether the count at ``position`` follows a place after a linked count: "150 bodies were
    counted in Hammouriya 100 in Kfar Batna" (a list that lost its commas)."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    named = False
    while back >= 0 and tokens[back].kind == WORD and text[tokens[back].start].isupper():
        named = True
        back -= 1
    if not named or back < 1 or tokens[back].norm not in {"in", "at", "from"}:
        return False
    linked = {index for index, _ in links}
    for earlier in range(back - 1, max(-1, back - 8), -1):
        if tokens[earlier].kind == NUM:
            return earlier in linked
        if tokens[earlier].kind == PUNCT and tokens[earlier].norm in {".", ";", ":"}:
            return False
    return False


def _after_dash(tokens: list[Token], position: int) -> bool:
    """ "864 cases of arbitrary detention – 763 men, 94 women and seven boys": a breakdown of
    the count just given opens after a dash or a colon."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    return back >= 0 and tokens[back].kind == PUNCT and tokens[back].norm in {"–", "—", ":", "-"}


def _share(tokens: list[Token], position: int) -> bool:
    """ "among them 3,760 children", "14 of them children": a part of a count just given."""
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    if back >= 1 and tokens[back].norm in _SHARE_WORDS and tokens[back - 1].norm in {"among", "of"}:
        return True
    after = position + 1
    return after + 1 < len(tokens) and tokens[after].norm == "of" and tokens[after + 1].norm in _SHARE_WORDS


def _coordinated(
    tokens: list[Token], links: list[tuple[int, MeasureLink]], fates: frozenset[str]
) -> list[tuple[int, MeasureLink]]:
    """ "14 children and nine women were among the dead": a count joined by "and" to a linked
    one shares its measure."""
    linked = dict(links)
    counts = [i for i, t in enumerate(tokens) if t.kind == NUM]
    # forward, then backward: "Two colonels, three lieutenant colonels and 12 officers were
    # killed" links 3 from 12 first, then 2 from 3
    for here, following in [*pairwise(counts), *reversed(list(pairwise(counts)))]:
        if here in linked and following not in linked and linked[here].how in {"list", "share"}:
            # "among them 3,760 children and 2,326 women": the second count joins the first
            between = tokens[here + 1 : following]
            if (
                between
                and between[-1].norm in {"and", ","}
                and len(between) <= 4
                and all(t.kind == WORD or t.norm == "," for t in between)
            ):
                # "763 men, 94 women and seven boys"
                linked[following] = MeasureLink(linked[here].measure, linked[here].cue, "list")
            continue
        if here in linked or following not in linked:
            continue
        between = tokens[here + 1 : following]
        joins = [t for t in between if t.norm in {"and", ","}]
        if (
            joins
            and not any(t.norm in _OWN_VERB or t.norm in fates for t in between)
            and len(between) <= 6
            and all(t.kind in {WORD, PUNCT, QUAL} for t in between)
            and between[-1].norm in {"and", ","} | {t.norm for t in between if t.kind == QUAL}
        ):
            linked[here] = MeasureLink(linked[following].measure, linked[following].cue, "list")
    return sorted(linked.items())


def _included(tokens: list[Token], position: int) -> bool:
    back = position - 1
    while back >= 0 and tokens[back].kind == QUAL:
        back -= 1
    return back >= 0 and tokens[back].norm in {"including", "among them", "of whom"}
