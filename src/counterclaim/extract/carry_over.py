"""Attribution carried over from the sentences before: the report a sentence goes on with."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import Final

from counterclaim.actors import PartyHint
from counterclaim.extract.cues import Cue
from counterclaim.extract.sentences import Sentences
from counterclaim.extract.speaker import Span, Speaker
from counterclaim.lexicon import Lexicon

# A sentence that opens with one of these starts a new event, place or topic: no carry-over.
_NEW_TOPIC: Final = re.compile(
    r"^\W*(?:meanwhile|elsewhere|separately|in\s+(?:a|another)\s+(?:separate|different|other)?\s*\w+|"
    r"in\s+other\s+news|on\s+the\s+other\s+hand|also\s+on|"
    r"in\s+(?:the\s+)?(?-i:[A-Z][\w-]+(?:\s+[A-Z][\w-]+)*)\s*,|"
    r"on\s+(?:\w+\s+)?(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december|monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b|"
    r"in\s+(?:the\s+)?(?-i:(?:[A-Z][\w-]+\s+)*)(?:region|province|city|state|district|oblast|governorate)\b)",
    re.IGNORECASE,
)
# The outlet's own hedge: "were reportedly killed" takes no one's attribution.
_HEDGED: Final = re.compile(
    r"(?<![\w])(?:reportedly|allegedly|purportedly|were\s+reported|was\s+reported)(?![\w])", re.I
)
# "17 children were among those killed", "Of the dead, 12 were children": a share of a count
# already given takes its source.
_SHARE_OF_EARLIER: Final = re.compile(
    r"(?<![\w])(?:among\s+(?:those|the)\s+(?:killed|dead|injured|wounded|victims|casualties)|"
    r"among\s+(?:them|those|the\s+victims)|of\s+(?:the|those)\s+(?:dead|killed|victims|injured|wounded)|"
    r"of\s+them|of\s+whom|the\s+rest)(?![\w])",
    re.IGNORECASE,
)
# "fell by about 254,000 people": a figure about people even without a measure word
_COUNT_OF_PEOPLE: Final = re.compile(
    r"(?<![$£€¥\w.,])\d[\d,.]*\s*(?:million|thousand|m\b)?\s+(?:more\s+)?(?:people|persons|civilians|"
    r"children|residents|soldiers|troops|men|women|families|households)(?![\w])",
    re.IGNORECASE,
)
# "According to data confirmed by the BBC from June 4." standing alone: a source for what follows
_BARE_SOURCE: Final = re.compile(r"\W*according\s+to\s+(?:\S+\s+){0,12}\S+\W*$", re.IGNORECASE)
_CARRY_LOOKBACK: Final = 3
_SHARE_LOOKBACK: Final = 4


class CarryOver:
    """The speaker a sentence with no attribution of its own takes from the ones before it: the
    report it continues, or the source of the figure it gives a share of."""

    def __init__(
        self,
        text: str,
        low: str,
        sentences: Sentences,
        lexicon: Lexicon,
        *,
        cues: Callable[[Span], list[Cue]],
        speaker_of: Callable[[Cue, Span, PartyHint], Speaker],
    ) -> None:
        self.text = text
        self.low = low
        self.sentences = sentences
        self.lexicon = lexicon
        self._cues = cues
        self._speaker_of = speaker_of
        self._paragraphs = "\n" in text.strip()
        self._claimed: list[tuple[int, Speaker]] = []  # (position, speaker) of claims so far
        self._sentence_speaker: dict[Span, Speaker | None] = {}

    def record(self, position: int, speaker: Speaker) -> None:
        """Keep who claims the number at ``position``: a share of it given later takes its source."""
        self._claimed.append((position, speaker))

    def carried(self, span: Span, position: int, context_party: PartyHint) -> Speaker | None:
        """The speaker the sentence ``span`` goes on with, if any."""
        sentence = self.text[span[0] : span[1]]
        if _NEW_TOPIC.match(sentence) or _HEDGED.search(sentence):
            return None  # a new event, or the outlet's own hedge ("were reportedly killed")
        if _SHARE_OF_EARLIER.search(sentence):
            earlier = self._earlier_claim_speaker(span)
            if earlier is not None:
                return earlier
        if not self._paragraphs or not _ends_as_sentence(sentence):
            return None
        current = span
        for _ in range(_CARRY_LOOKBACK):
            previous = self.sentences.before(current)
            if previous is None or "\n" in self.text[previous[1] : current[0]]:
                return None
            words = self.text[previous[0] : previous[1]]
            if not _ends_as_sentence(words):
                return None
            speaker = self._speaker_of_sentence(previous, context_party)
            reports_figures = bool(
                self.lexicon.measures.search(self.low, previous[0], previous[1])
                or _COUNT_OF_PEOPLE.search(words)
            )
            if speaker is not None:
                if speaker.claimant is None:
                    return None
                # the same report goes on only from a statement about the dead and wounded or
                # one that opens a list ("X said:"), not from one about aid or money
                opens = words.rstrip().endswith(":") or _BARE_SOURCE.match(words) is not None
                if not (reports_figures or opens):
                    return None
                return speaker if speaker.source is not None else replace(speaker, source=previous)
            if _NEW_TOPIC.match(words) or not reports_figures:
                return None  # a report goes on through its figures, not through narrative
            current = previous
        return None

    def _earlier_claim_speaker(self, span: Span) -> Speaker | None:
        """The claimant of the last claim in the few sentences before ``span``."""
        first: Span | None = span
        for _ in range(_SHARE_LOOKBACK):
            earlier = self.sentences.before(first) if first is not None else None
            if earlier is None or "\n\n" in self.text[earlier[1] : first[0] if first else earlier[1]]:
                break
            first = earlier
        floor = first[0] if first is not None else 0
        for position, speaker in reversed(self._claimed):
            if position < floor:
                break
            if position < span[0] and speaker.claimant is not None:
                return replace(speaker, source=self.sentences.around(position))
        return None

    def _speaker_of_sentence(self, span: Span, context_party: PartyHint) -> Speaker | None:
        """The speaker a sentence reports (its last reporting construction), if any."""
        if span in self._sentence_speaker:
            return self._sentence_speaker[span]
        self._sentence_speaker[span] = None
        speaker: Speaker | None = None
        cues = [c for c in self._cues(span) if c.speaker]
        if cues:
            speaker = self._speaker_of(cues[-1], span, context_party)
        elif self.lexicon.measures.search(self.low, span[0], span[1]):
            # a sentence of figures with no attribution of its own goes on with the report
            speaker = self.carried(span, span[0], context_party)
        self._sentence_speaker[span] = speaker
        return speaker


def _ends_as_sentence(text: str) -> bool:
    """A sentence of running text ends with a stop (a headline or a caption does not)."""
    return text.rstrip().endswith((".", "!", "?", "”", '"', ".’", "'", ":"))
