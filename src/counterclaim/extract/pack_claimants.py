"""Who said it, in a language pack's words: named bodies, offices of a state, unnamed sources,
and a statement carried on through the same paragraph."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from counterclaim.actors import ActorRegistry
from counterclaim.packs.pack import Pack, Word

#: How far (in words) a country word may stand after an office to name its state.
_STATE_AFTER = 3
#: How far (in words) a body may stand from the reporting word that makes it the speaker.
_VERB_REACH = 6


@dataclass(frozen=True, slots=True)
class Attribution:
    """A claimant: its English name and how the text names it."""

    claimant: str
    text: str


def document_party(pack: Pack, words: list[Word], title_words: list[Word]) -> str | None:
    """The party a document is about: the one its country words name most (the title twice)."""
    counts: Counter[str] = Counter()
    for _, _, party in pack.scan(pack.parties, words):
        counts[str(party)] += 1
    for _, _, party in pack.scan(pack.parties, title_words):
        counts[str(party)] += 1
    return counts.most_common(1)[0][0] if counts else None


def party_near(pack: Pack, words: list[Word], first: int, last: int) -> str | None:
    """A party named by a country word right after ``last`` (a genitive or an Arabic adjective)
    or right before ``first`` (a Russian or Ukrainian adjective)."""
    for at in range(last, min(len(words), last + _STATE_AFTER)):
        phrase = pack.find(pack.parties, words, at)
        if phrase is not None:
            return str(phrase.value)
    if first > 0:
        phrase = pack.find(pack.parties, words, first - 1)
        if phrase is not None:
            return str(phrase.value)
    return None


class Attributor:
    """Attribution of one document's sentences, in order (it remembers the last speaker)."""

    def __init__(self, pack: Pack, registry: ActorRegistry, party: str | None) -> None:
        self.pack = pack
        self.registry = registry
        self.party = party
        self.last: Attribution | None = None
        self.source: Attribution | None = None  # the source of the whole report, if named

    def _name(self, name: str) -> str:
        return self.registry.canonical(name) or name

    def _mentions(self, text: str, words: list[Word]) -> list[tuple[int, int, Attribution]]:
        pack = self.pack
        found = []
        for first, after, name in pack.scan(pack.actors, words):
            found.append((first, after, Attribution(self._name(str(name)), _span(text, words, first, after))))
        taken = {at for first, after, _ in found for at in range(first, after)}
        for first, after, office in pack.scan(pack.roles, words):
            if first in taken or _construct(pack, words, after):
                continue
            state = party_near(pack, words, first, after) or self.party
            if state is None:
                continue
            name = f"{state} {office}".strip()
            found.append((first, after, Attribution(self._name(name), _span(text, words, first, after))))
        for first, after, name in pack.scan(pack.generic, words):
            if first not in taken:
                found.append((first, after, Attribution(str(name), _span(text, words, first, after))))
        return sorted(found, key=lambda item: item[0])

    def attribute(self, text: str, words: list[Word], paragraph: int) -> Attribution | None:
        """The claimant of a sentence: the body named next to its reporting word; for a
        reporting word alone ("the report said", "he added"), the body named before; for no
        reporting word, the source of the whole report if the article named one ("Об этом
        сообщил X", "Про це повідомив X"), else none."""
        pack = self.pack
        verbs = pack.scan(pack.reporting, words)
        mentions = self._mentions(text, words)
        found: Attribution | None = None
        if verbs:
            verb_at = [first for first, _, _ in verbs]
            near = [(min(abs(m[0] - v) for v in verb_at), m[2]) for m in mentions]
            near = [item for item in near if item[0] <= _VERB_REACH]
            if near:
                found = min(near, key=lambda item: item[0])[1]
            elif self.last is not None and (verbs[0][0] <= 1 or pack.scan(pack.anaphors, words)):
                # a verb with no subject of its own opening the sentence ("وأضاف", "Добавил"),
                # or a word that points back ("the report", "the ministry")
                first, after, _ = verbs[0]
                found = Attribution(self.last.claimant, _span(text, words, first, after))
        if found is not None:
            self.last = found
            if pack.scan(pack.document, words):
                self.source = found
            return found
        return self.source


def _construct(pack: Pack, words: list[Word], after: int) -> bool:
    """Whether an Arabic office word heads a construct with a definite noun that is no country
    ("رئيس اللجنة الأمنية", the head of the security committee): the office of that body, not
    of a state."""
    if pack.code != "ar" or after >= len(words):
        return False
    follower = words[after]
    return follower.forms[0].startswith("ال") and pack.find(pack.parties, words, after) is None


def _span(text: str, words: list[Word], first: int, after: int) -> str:
    return text[words[first].start : words[after - 1].end]
