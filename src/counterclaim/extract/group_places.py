"""A group's party beyond the nearest place: destinations, lists of places, the speaker's victims."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from typing import Final

from counterclaim.actors import Mention

_DESTINATION_BEFORE: Final = re.compile(r"(?<![\w])(?:to|into|towards|toward|in)\s+(?:the\s+)?$", re.I)

# "fled to neighbouring countries, mainly Chad, Egypt and South Sudan", "into China and India":
# every place of a list after a verb of motion's "to" is a destination too
_DESTINATION_LIST_BEFORE: Final = re.compile(
    r"(?<![\w])(?:to|into|towards|toward)\s+(?:the\s+)?"
    r"(?:(?:neighbouring|neighboring|nearby|other)\s+(?:countries|states|nations)\s*,?\s*)?"
    r"(?:(?:mainly|mostly|chiefly|largely|notably|including|such\s+as|especially)\s+)?"
    r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2}\s*(?:,\s*|\s+and\s+|\s+or\s+))*$"
)


def destination(text: str, mention: Mention) -> bool:
    """ "deported to Russia", "fled into Poland", "fled into China and India": where people
    went, not whose they are."""
    if mention.how not in {"name", "place"}:
        return False
    before = text[max(0, mention.start - 12) : mention.start]
    if _DESTINATION_BEFORE.search(before) is not None:
        return True
    return _DESTINATION_LIST_BEFORE.search(text, max(0, mention.start - 80), mention.start) is not None


# "its fighters had killed", "it had taken 120 soldiers prisoner", "the group's forces had
# captured": the speaker's own side does the harm
_OWN_SIDE_ACTS: Final = re.compile(
    r"(?<![\w])(?:it|they|we|(?:its|their|our|the\s+group['’]s)\s+(?:own\s+)?(?:fighters|forces|troops|"
    r"soldiers|men|units))\s+(?:had\s+|has\s+|have\s+)?(?:\w+ly\s+)?(?:killed|captured|taken|took|"
    r"detained|eliminated|attacked|repelled|destroyed|seized|clashed)(?![\w])",
    re.I,
)


def victims_of_speaker(
    text: str, sentence_start: int, position: int, side: str, other_side: Callable[[str], str | None]
) -> str:
    """Soldiers the speaker's own side killed or took are the other side's: "The RSF said its
    fighters had killed 350 members of the army" are not the RSF's."""
    if _OWN_SIDE_ACTS.search(text, sentence_start, position) is None:
        return side
    return other_side(side) or side


_COORDINATION: Final = re.compile(
    r"\s*(?:,\s*(?:and\s+|or\s+)?|and\s+|or\s+)(?:the\s+)?"
    r"(?:(?:north|south|east|west|north-east|north-west|south-east|south-west)(?:ern)?\s+|central\s+)?",
    re.I,
)


def across_places(text: str, mentions: list[Mention], party: str) -> bool:
    """ "in Turkey and Syria", "Sri Lanka, India, Indonesia and Thailand": the place chosen is
    one of a list of places of more than one party, so the people are of no single one."""
    places = sorted((m for m in mentions if m.how in {"name", "place"}), key=lambda m: m.start)
    for first, second in pairwise(places):
        if (
            party in {first.party, second.party}
            and first.party != second.party
            and _COORDINATION.fullmatch(text, first.end, second.start)
        ):
            return True
    return False
