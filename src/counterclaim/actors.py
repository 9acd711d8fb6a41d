"""The actor registry: who claims, which side they belong to, and what the text calls them.

:mod:`counterclaim.actor_files` reads it from data/actors.toml (the built-in registry) and any
number of user files of the same shape; see the comments at the top of data/actors.toml for
every key.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from counterclaim.actor_names import MisspellingIndex, NameMatcher, is_acronym, lookup_key, spelling
from counterclaim.gazetteer import Gazetteer, Place

KINDS = frozenset(
    {
        "government",
        "military",
        "armed_group",
        "un_body",
        "intergovernmental",
        "ngo",
        "media",
        "researchers",
        "health_authority",
        "local_authority",
    }
)
_LEADING_NOISE = re.compile(
    r"^(?:the|a|an|another|both|two|three|several|many|some|its|their|his|her)\s+", re.IGNORECASE
)


@dataclass(frozen=True, slots=True)
class Actor:
    """One claimant or party: its canonical name, kind, side and the names it goes by."""

    name: str
    kind: str
    side: str | None = None
    roles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    is_party: bool = False
    adjectives: tuple[str, ...] = ()
    military_adjectives: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    conflicts: tuple[str, ...] = ()
    context: tuple[str, ...] = ()
    descriptions: tuple[str, ...] = ()
    iso: tuple[str, ...] = ()  # for a state: its ISO 3166-1 code(s), "PS:GZ" for a region of one


#: A document's conflicts, or a function that works them out when first needed.
Conflicts = frozenset[str] | Callable[[], frozenset[str]] | None
#: The party the text around a claimant is about, or a function that finds it when needed.
PartyHint = str | Callable[[], str | None] | None
# A text's names and places that may name a party, before conflicts pick contextual owners.
PartyScan = tuple[list[tuple[int, int, str]], list[tuple[int, int, Place]]]


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of text naming a party (by name, adjective or place)."""

    start: int
    end: int
    party: str
    how: str


@dataclass(frozen=True)
class ActorRegistry:
    """The actors and parties known to the extractor, with fast lookups.

    Example:
        >>> registry = load_registry()
        >>> registry.resolve("Kyiv")
        'Ukraine'
    """

    actors: tuple[Actor, ...]
    role_phrases: Mapping[str, str]
    kind_descriptions: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    gazetteer: Gazetteer | None = None
    _by_alias: dict[str, str] = field(init=False, repr=False)
    _actor: dict[str, Actor] = field(init=False, repr=False)
    _party_word: dict[str, tuple[str, str]] = field(init=False, repr=False)
    _ctx_alias: dict[str, list[tuple[str, frozenset[str]]]] = field(init=False, repr=False)
    _ctx_party_word: dict[str, list[tuple[str, str, frozenset[str]]]] = field(init=False, repr=False)
    _role_actor: dict[tuple[str, str], str] = field(init=False, repr=False)
    _described: dict[str, frozenset[str]] = field(init=False, repr=False)
    _context_role: dict[str, list[tuple[str, frozenset[str]]]] = field(init=False, repr=False)
    _party_of_country: dict[str, str] = field(init=False, repr=False)
    _alias_re: NameMatcher = field(init=False, repr=False)
    _misspellings: MisspellingIndex = field(init=False, repr=False)
    _party_re: NameMatcher = field(init=False, repr=False)
    _role_re: NameMatcher = field(init=False, repr=False)

    def __post_init__(self) -> None:
        actor_of = {actor.name.lower(): actor for actor in self.actors}
        party_conflicts = {a.name: frozenset(a.conflicts) for a in self.actors if a.is_party}

        def context_of(actor: Actor) -> frozenset[str]:
            if actor.context:
                return frozenset(actor.context)
            if actor.side and actor.side in party_conflicts:
                return party_conflicts[actor.side]
            return frozenset(actor.conflicts)

        # (word, actor, how, contextual by rule): see CONTEXT in data/actors.toml
        aliases: list[tuple[str, Actor, bool]] = []
        party_words: list[tuple[str, Actor, str, bool]] = []
        for actor in self.actors:
            armed = actor.is_party and actor.kind == "armed_group"
            aliases.append((actor.name, actor, False))
            aliases.extend((alias, actor, bool(actor.context) or armed) for alias in actor.aliases)
            if actor.is_party:
                party_words.append((actor.name, actor, "name", False))
                party_words.extend((alias, actor, "name", armed) for alias in actor.aliases)
                party_words.extend((adj, actor, "adjective", armed) for adj in actor.adjectives)
                party_words.extend(
                    (adj, actor, "military_adjective", True) for adj in actor.military_adjectives
                )
                party_words.extend((place, actor, "place", False) for place in actor.places)
        owners: dict[str, set[str]] = {}
        for word, actor, _ in aliases:
            owners.setdefault(lookup_key(word), set()).add(actor.name)
        word_owners: dict[str, set[str]] = {}
        for word, actor, _, _ in party_words:
            word_owners.setdefault(lookup_key(word), set()).add(actor.name)

        by_alias: dict[str, str] = {}
        ctx_alias: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for word, actor, contextual in aliases:
            key = lookup_key(word)
            if word == actor.name or not (contextual or len(owners[key]) > 1):
                by_alias.setdefault(key, actor.name)
            else:
                ctx_alias.setdefault(key, []).append((actor.name, context_of(actor)))
        party_word: dict[str, tuple[str, str]] = {}
        ctx_party_word: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
        for word, actor, how, contextual in party_words:
            key = lookup_key(word)
            # a party's alias that another actor shares ("coalition": the Saudi-led coalition
            # in Yemen, the US-led coalition in Syria) names the party only in its context
            shared = how == "name" and len(owners.get(key, ())) > 1
            if word == actor.name or not (contextual or shared or len(word_owners[key]) > 1):
                party_word.setdefault(key, (actor.name, how))
            else:
                ctx_party_word.setdefault(key, []).append((actor.name, how, context_of(actor)))
        role_actor: dict[tuple[str, str], str] = {}
        for actor in self.actors:
            if actor.side:
                for role in actor.roles:
                    role_actor.setdefault((actor.side, role), actor.name)
        object.__setattr__(self, "_by_alias", by_alias)
        object.__setattr__(self, "_misspellings", MisspellingIndex(by_alias))
        object.__setattr__(self, "_ctx_alias", ctx_alias)
        object.__setattr__(self, "_actor", actor_of)
        object.__setattr__(self, "_party_word", party_word)
        object.__setattr__(self, "_ctx_party_word", ctx_party_word)
        object.__setattr__(self, "_role_actor", role_actor)
        object.__setattr__(self, "_described", self._descriptions())
        context_role: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for actor in self.actors:
            if not actor.side and actor.context and not actor.is_party:
                for role in actor.roles:
                    context_role.setdefault(role, []).append((actor.name, frozenset(actor.context)))
        object.__setattr__(self, "_context_role", context_role)
        party_of_country: dict[str, str] = {}
        for actor in self.actors:
            for code in actor.iso if actor.is_party else ():
                party_of_country.setdefault(code.upper(), actor.name)
        object.__setattr__(self, "_party_of_country", party_of_country)
        object.__setattr__(self, "_alias_re", NameMatcher(word for word, _, _ in aliases))
        object.__setattr__(self, "_party_re", NameMatcher(word for word, _, _, _ in party_words))
        object.__setattr__(self, "_role_re", NameMatcher(self.role_phrases))

    def _descriptions(self) -> dict[str, frozenset[str]]:
        """Common nouns that describe each body ("the monitor", "a think tank", "the agency"):
        those of its kind, its own, and the head noun of its multi-word names ("Observatory")."""
        described: dict[str, set[str]] = {}
        for actor in self.actors:
            if actor.is_party:
                continue
            nouns = {*self.kind_descriptions.get(actor.kind, ()), *actor.descriptions}
            for name in (actor.name, *actor.aliases):
                words = name.split()
                last = words[-1]
                if len(words) > 1 and last[:1].isupper() and not is_acronym(last) and last.isalpha():
                    nouns.add(last)
            for noun in nouns:
                described.setdefault(" ".join(noun.lower().split()), set()).add(actor.name)
        return {noun: frozenset(names) for noun, names in described.items()}

    def describes(self, noun: str) -> frozenset[str]:
        """The bodies a common noun or noun phrase can describe ("monitor", "think tank")."""
        return self._described.get(" ".join(noun.lower().split()), frozenset())

    # -- lookups -------------------------------------------------------------------------
    def _alias_of(self, key: str, conflicts: Conflicts) -> str | None:
        """The actor an alias key names: everywhere, or in the document's conflicts."""
        name = self._by_alias.get(key)
        if name is not None:
            return name
        options = self._ctx_alias.get(key)
        if not options:
            return None
        conflicts = conflicts() if callable(conflicts) else conflicts
        if conflicts is None:
            names = {option for option, _ in options}
            return names.pop() if len(names) == 1 else None
        fitting = {option for option, context in options if context & conflicts}
        return fitting.pop() if len(fitting) == 1 else None

    def _party_word_of(self, key: str, conflicts: Conflicts) -> tuple[str, str] | None:
        entry = self._party_word.get(key)
        if entry is not None:
            return entry
        options = self._ctx_party_word.get(key)
        if not options:
            return None
        conflicts = conflicts() if callable(conflicts) else conflicts
        if not conflicts:
            return None
        fitting = {(party, how) for party, how, context in options if context & conflicts}
        return fitting.pop() if len(fitting) == 1 else None

    def conflicts_of(self, parties: Iterable[str]) -> list[str]:
        """The conflicts of the parties named, most often named first."""
        counts: dict[str, int] = {}
        for party in parties:
            actor = self._actor.get(party.lower())
            for conflict in actor.conflicts if actor else ():
                counts[conflict] = counts.get(conflict, 0) + 1
        return sorted(counts, key=lambda c: -counts[c])

    def get(self, name: str | None) -> Actor | None:
        """The actor a canonical name or alias stands for, or None."""
        if not name:
            return None
        canonical = self._alias_of(lookup_key(name), None) or self._by_alias.get(spelling(name).upper())
        return self._actor.get(canonical.lower()) if canonical else None

    def misspelt(self, name: str) -> str | None:
        """The actor a long name is one slip of the keyboard away from ("Syrian Obervatory for
        Human Rights"), or None; short names and acronyms are never guessed."""
        return self._misspellings.owner(name)

    def canonical(self, name: str | None) -> str | None:
        """The canonical name for a name or alias; the name itself if unknown."""
        if name is None:
            return None
        actor = self.get(name)
        return actor.name if actor else name

    def same(self, first: str | None, second: str | None) -> bool:
        """Whether two claimant names are the same actor (case-insensitive, via aliases)."""
        if first is None or second is None:
            return first is None and second is None
        a = (self.canonical(first) or first).lower()
        b = (self.canonical(second) or second).lower()
        return a == b

    def side_of(self, name: str | None) -> str | None:
        """The party an actor belongs to (a party belongs to itself)."""
        actor = self.get(name)
        if actor is None:
            return None
        return actor.name if actor.is_party else actor.side

    def is_state(self, name: str | None) -> bool:
        """Whether the name is a party of kind government (a state), not an armed group."""
        actor = self.get(name)
        return bool(actor and actor.is_party and actor.kind == "government")

    def is_party(self, name: str | None) -> bool:
        """Whether the name is a party (a state or an armed side)."""
        actor = self.get(name)
        return bool(actor and actor.is_party)

    def party_mentions(
        self,
        text: str,
        start: int = 0,
        end: int | None = None,
        *,
        low: str | None = None,
        conflicts: Conflicts = None,
    ) -> list[Mention]:
        """Every span of ``text[start:end]`` naming a party by name, adjective or place.

        Contextual words ("rebels", "Kurdish") count only when ``conflicts`` picks one owner.
        """
        return self.mentions_of(self.party_scan(text, start, end, low=low), conflicts)

    def party_scan(
        self, text: str, start: int = 0, end: int | None = None, *, low: str | None = None
    ) -> PartyScan:
        """The names and places of ``text[start:end]`` that may name a party, before the
        document's conflicts pick the owners of contextual words (see :meth:`mentions_of`)."""
        places = list(self.gazetteer.mentions(text, start, end)) if self.gazetteer is not None else []
        return self._party_re.finditer(text, start, end, low=low), places

    def mentions_of(self, scan: PartyScan, conflicts: Conflicts = None) -> list[Mention]:
        """The party mentions of a :meth:`party_scan`."""
        names, places = scan
        found = []
        for match_start, match_end, key in names:
            entry = self._party_word_of(lookup_key(key), conflicts)
            if entry is not None:
                found.append(Mention(match_start, match_end, entry[0], entry[1]))
        if self.gazetteer is not None:
            taken = [(m.start, m.end) for m in found]
            added = False
            for place_start, place_end, place in places:
                if any(place_start < t_end and t_start < place_end for t_start, t_end in taken):
                    continue
                party = self.party_of_place(place.country, place.region)
                if party is not None:
                    how = {"demonym": "adjective", "country": "name"}.get(place.kind, "place")
                    found.append(Mention(place_start, place_end, party, how))
                    added = True
            if added:
                found.sort(key=lambda m: m.start)
        return found

    def party_of_place(self, country: str, region: str = "") -> str | None:
        """The party a place of the gazetteer belongs to: a registry party that claims its
        country (or its region of it: "PS:GZ" is Gaza), else the country itself."""
        if region:
            named = self._party_of_country.get(f"{country}:{region}")
            if named is not None:
                return named
        named = self._party_of_country.get(country)
        if named is not None:
            return named
        if any(code.startswith(f"{country}:") for code in self._party_of_country):
            return None  # a country split between parties (Gaza, West Bank): its region decides
        entry = self.gazetteer.country(country) if self.gazetteer is not None else None
        return entry.name if entry is not None else None

    def party_of_word(self, word: str, *, conflicts: Conflicts = None) -> str | None:
        """The party a name, adjective or place names, if any."""
        entry = self._party_word_of(lookup_key(word), conflicts)
        return entry[0] if entry else None

    def find_actor(self, text: str, *, conflicts: Conflicts = None) -> tuple[str, int, int] | None:
        """The best-known actor named inside ``text``: the longest alias, rightmost on ties."""
        best: tuple[str, int, int] | None = None
        for start, end, key in self._alias_re.finditer(text):
            if best is None or end - start >= best[2] - best[1]:
                name = self._alias_of(lookup_key(key), conflicts if conflicts is not None else frozenset())
                if name is not None:
                    best = (name, start, end)
        return best

    def aliases_in(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        """Every actor alias in ``text[start:end]`` as (start, end, alias)."""
        return self._alias_re.finditer(text, start, end)

    def find_role(self, text: str) -> tuple[str, int, int] | None:
        """A generic role named in ``text`` ("the defence ministry"), with its span."""
        found = self._role_re.finditer(text)
        if not found:
            return None
        start, end, key = found[-1]
        role = self.role_phrases.get(key.lower())
        return (role, start, end) if role else None

    def _conflict_role_holder(self, role: str, conflicts: Conflicts) -> str | None:
        """The actor that holds ``role`` in the document's conflict without belonging to a side
        (the White Helmets are "the civil defence" of Syria's opposition areas)."""
        holders = self._context_role.get(role)
        if not holders:
            return None
        conflicts = conflicts() if callable(conflicts) else conflicts
        if not conflicts:
            return None
        fitting = {name for name, context in holders if context & conflicts}
        return fitting.pop() if len(fitting) == 1 else None

    def actor_for_role(self, party: str, role: str) -> str | None:
        """The actor that holds ``role`` for ``party`` ("Russia", "defence_ministry").

        A state the registry lists no bodies for speaks through each of its roles itself:
        "Japanese intelligence" -> Japan.
        """
        named = self._role_actor.get((party, role))
        if named is not None:
            return named
        if role == "government" and self.is_party(party):
            return party
        actor = self.get(party)
        if (
            actor is not None
            and actor.is_party
            and actor.kind == "government"
            and not any(side == party for side, _ in self._role_actor)
        ):
            return party
        return None

    def resolve(
        self, text: str, *, context_party: PartyHint = None, conflicts: Conflicts = None
    ) -> str | None:
        """Normalise a claimant as the text names it to a canonical actor name.

        Args:
            text: The claimant's words ("Kyiv", "the country's defence minister").
            context_party: The party the surrounding text is about, for generic roles.
            conflicts: The document's conflicts, for contextual aliases ("the Observatory").

        Returns:
            The canonical name, or None when the registry does not know the claimant.
        """
        cleaned = _LEADING_NOISE.sub("", text.strip().strip(",.;:\"“”‘’'"))
        exact = self._alias_of(lookup_key(cleaned), conflicts)
        if exact is not None:
            return exact
        role = self.find_role(text)
        found = self.find_actor(text, conflicts=conflicts)
        if role is not None:
            role_name, role_start, _ = role
            party = None
            for mention in self.party_mentions(text, 0, role_start, conflicts=conflicts):
                party = mention.party
            if party is None:
                # "the Ministry of Defence of Ukraine": the party right after the role
                after = self.party_mentions(text, role[2], min(len(text), role[2] + 24), conflicts=conflicts)
                if after and text[role[2] : after[0].start].strip().lower() in {"of", "of the", "in"}:
                    party = after[0].party
            if party is None and found is not None and found[2] <= role_start:
                party = self.side_of(found[0])
            if party is None:
                # "a local civil defence official" in Syria: the conflict's own holder of the role
                holder = self._conflict_role_holder(role_name, conflicts)
                if holder is not None:
                    return holder
                party = context_party() if callable(context_party) else context_party
            if party is not None:
                holder = self.actor_for_role(party, role_name)
                if holder is not None and (found is None or found[2] <= role_start or found[0] == party):
                    return holder
        if found is not None:
            return found[0]
        return None


class RegistryView:
    """The registry as one document sees it: contextual words resolved in its conflicts.

    The conflicts are worked out only when a contextual word is first met (most documents
    never need them), from the parties the whole document names.
    """

    def __init__(
        self,
        registry: ActorRegistry,
        text: str,
        low: str | None = None,
        *,
        seen: Callable[[], Iterable[str]] | None = None,
    ) -> None:
        self.registry = registry
        self._text = text
        self._low = low
        self._seen = seen
        self._conflicts: frozenset[str] | None = None
        self._seen_count = -1
        self._seen_conflicts: frozenset[str] = frozenset()
        self._scan: PartyScan | None = None

    @property
    def conflicts(self) -> frozenset[str]:
        """The document's conflicts: those of the parties it names most.

        ``seen`` gives the parties already found in the sentences read so far; only when it
        gives none is the whole text searched.
        """
        if self._conflicts is not None:
            return self._conflicts
        parties = list(self._seen()) if self._seen is not None else []
        if parties:
            if len(parties) != self._seen_count:
                self._seen_count = len(parties)
                self._seen_conflicts = frozenset(self.registry.conflicts_of(parties)[:2])
            return self._seen_conflicts
        parties = [m.party for m in self.registry.mentions_of(self._whole_scan())]
        self._conflicts = frozenset(self.registry.conflicts_of(parties)[:2])
        return self._conflicts

    def _whole_scan(self) -> PartyScan:
        """The whole document's party scan, made once: the conflicts and the topic both read it."""
        if self._scan is None:
            self._scan = self.registry.party_scan(self._text, low=self._low)
        return self._scan

    def _lazy(self) -> frozenset[str]:
        return self.conflicts

    def resolve(self, text: str, *, context_party: PartyHint = None) -> str | None:
        return self.registry.resolve(text, context_party=context_party, conflicts=self._lazy)

    def find_actor(self, text: str) -> tuple[str, int, int] | None:
        return self.registry.find_actor(text, conflicts=self._lazy)

    def party_mentions(
        self, text: str, start: int = 0, end: int | None = None, *, low: str | None = None
    ) -> list[Mention]:
        if text is self._text and start == 0 and end is None and low is self._low:
            return self.registry.mentions_of(self._whole_scan(), self._lazy)
        return self.registry.party_mentions(text, start, end, low=low, conflicts=self._lazy)

    def party_of_word(self, word: str) -> str | None:
        return self.registry.party_of_word(word, conflicts=self._lazy)

    def get(self, name: str | None) -> Actor | None:
        return self.registry.get(name)

    def canonical(self, name: str | None) -> str | None:
        return self.registry.canonical(name)

    def is_party(self, name: str | None) -> bool:
        return self.registry.is_party(name)

    def is_state(self, name: str | None) -> bool:
        return self.registry.is_state(name)

    def side_of(self, name: str | None) -> str | None:
        return self.registry.side_of(name)

    def aliases_in(self, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int, str]]:
        return self.registry.aliases_in(text, start, end)

    def describes(self, noun: str) -> frozenset[str]:
        return self.registry.describes(noun)

    def misspelt(self, name: str) -> str | None:
        return self.registry.misspelt(name)
