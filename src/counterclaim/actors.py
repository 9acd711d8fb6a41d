"""The actor registry: who claims, which side they belong to, and what the text calls them.

Read from data/actors.toml (the built-in registry) and any number of user files of the same
shape; see the comments at the top of data/actors.toml for every key.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.errors import DataFileError
from counterclaim.gazetteer import Country, Gazetteer, load_gazetteer
from counterclaim.lexicon import lower_text, trie_pattern

DEFAULT_ACTORS = Path(__file__).with_name("data") / "actors.toml"

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


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of text naming a party (by name, adjective or place)."""

    start: int
    end: int
    party: str
    how: str


def is_acronym(name: str) -> bool:
    """An all-capitals name ("UN", "U.N.", "IS", "WHO") matches only as written."""
    letters = [ch for ch in name if ch.isalpha()]
    return bool(letters) and all(ch.isupper() for ch in letters) and len(letters) <= 8


@lru_cache(maxsize=65536)
def _norm(name: str) -> str:
    """The lookup key of a name: as written for acronyms, lower-cased otherwise."""
    key = _key(name)
    return key if is_acronym(key) else key.lower()


class _NameMatcher:
    """Finds whole-word names in text: acronyms as written, other names in any case.
    Each set is one trie-shaped regex, fast over long alias lists."""

    def __init__(self, names: Iterable[str]) -> None:
        unique = {_key(name) for name in names if name.strip()}
        cased = [n for n in unique if is_acronym(n)]
        uncased = [n for n in unique if not is_acronym(n)]
        self._cased = self._compile(cased, lower=False)
        self._uncased = self._compile(uncased, lower=True)

    @staticmethod
    def _compile(names: list[str], *, lower: bool) -> re.Pattern[str] | None:
        if not names:
            return None
        body = trie_pattern(names, lower=lower).replace("'", "['’]")
        return re.compile(rf"(?<![\w.-])(?:{body})(?![\w-])")

    def finditer(
        self, text: str, start: int = 0, end: int | None = None, *, low: str | None = None
    ) -> list[tuple[int, int, str]]:
        """(start, end, key) of every name found, in text order; key is the name's spelling.

        ``low`` is ``lower_text(text)`` when the caller has it already.
        """
        stop = len(text) if end is None else end
        found: list[tuple[int, int, str]] = []
        if self._cased is not None:
            for match in self._cased.finditer(text, start, stop):
                found.append((match.start(), match.end(), _key(match.group(0))))
        if self._uncased is not None:
            if low is None:
                lowered, offset = lower_text(text[start:stop]), start
                matches = self._uncased.finditer(lowered)
            else:
                offset = 0
                matches = self._uncased.finditer(low, start, stop)
            for match in matches:
                found.append((offset + match.start(), offset + match.end(), _key(match.group(0))))
            found.sort()
        return found


def _key(name: str) -> str:
    return " ".join(name.replace("’", "'").split())


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
    _alias_re: _NameMatcher = field(init=False, repr=False)
    _by_shape: dict[tuple[str, int], list[str]] = field(init=False, repr=False)
    _party_re: _NameMatcher = field(init=False, repr=False)
    _role_re: _NameMatcher = field(init=False, repr=False)

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
            owners.setdefault(_norm(word), set()).add(actor.name)
        word_owners: dict[str, set[str]] = {}
        for word, actor, _, _ in party_words:
            word_owners.setdefault(_norm(word), set()).add(actor.name)

        by_alias: dict[str, str] = {}
        ctx_alias: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for word, actor, contextual in aliases:
            key = _norm(word)
            if word == actor.name or not (contextual or len(owners[key]) > 1):
                by_alias.setdefault(key, actor.name)
            else:
                ctx_alias.setdefault(key, []).append((actor.name, context_of(actor)))
        party_word: dict[str, tuple[str, str]] = {}
        ctx_party_word: dict[str, list[tuple[str, str, frozenset[str]]]] = {}
        for word, actor, how, contextual in party_words:
            key = _norm(word)
            if word == actor.name or not (contextual or len(word_owners[key]) > 1):
                party_word.setdefault(key, (actor.name, how))
            else:
                ctx_party_word.setdefault(key, []).append((actor.name, how, context_of(actor)))
        role_actor: dict[tuple[str, str], str] = {}
        for actor in self.actors:
            if actor.side:
                for role in actor.roles:
                    role_actor.setdefault((actor.side, role), actor.name)
        object.__setattr__(self, "_by_alias", by_alias)
        by_shape: dict[tuple[str, int], list[str]] = {}
        for alias in by_alias:
            if len(alias) >= 13:
                by_shape.setdefault((alias[0], len(alias)), []).append(alias)
        object.__setattr__(self, "_by_shape", by_shape)
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
        object.__setattr__(self, "_alias_re", _NameMatcher(word for word, _, _ in aliases))
        object.__setattr__(self, "_party_re", _NameMatcher(word for word, _, _, _ in party_words))
        object.__setattr__(self, "_role_re", _NameMatcher(self.role_phrases))

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
        canonical = self._alias_of(_norm(name), None) or self._by_alias.get(_key(name).upper())
        return self._actor.get(canonical.lower()) if canonical else None

    def misspelt(self, name: str) -> str | None:
        """The actor a long name is one slip of the keyboard away from ("Syrian Obervatory for
        Human Rights"), or None; short names and acronyms are never guessed."""
        key = _norm(name)
        if len(key) < 14 or " " not in key:
            return None
        close = [
            alias
            for length in (len(key) - 1, len(key), len(key) + 1)
            for alias in self._by_shape.get((key[0], length), ())
            if _one_slip(alias, key)
        ]
        owners = {self._by_alias[alias] for alias in close}
        return owners.pop() if len(owners) == 1 else None

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
        found = []
        for match_start, match_end, key in self._party_re.finditer(text, start, end, low=low):
            entry = self._party_word_of(_norm(key), conflicts)
            if entry is not None:
                found.append(Mention(match_start, match_end, entry[0], entry[1]))
        if self.gazetteer is not None:
            taken = [(m.start, m.end) for m in found]
            added = False
            for place_start, place_end, place in self.gazetteer.mentions(text, start, end):
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
        entry = self._party_word_of(_norm(word), conflicts)
        return entry[0] if entry else None

    def find_actor(self, text: str, *, conflicts: Conflicts = None) -> tuple[str, int, int] | None:
        """The best-known actor named inside ``text``: the longest alias, rightmost on ties."""
        best: tuple[str, int, int] | None = None
        for start, end, key in self._alias_re.finditer(text):
            if best is None or end - start >= best[2] - best[1]:
                name = self._alias_of(_norm(key), conflicts if conflicts is not None else frozenset())
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
        exact = self._alias_of(_norm(cleaned), conflicts)
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
        parties = [m.party for m in self.registry.party_mentions(self._text, low=self._low)]
        self._conflicts = frozenset(self.registry.conflicts_of(parties)[:2])
        return self._conflicts

    def _lazy(self) -> frozenset[str]:
        return self.conflicts

    def resolve(self, text: str, *, context_party: PartyHint = None) -> str | None:
        return self.registry.resolve(text, context_party=context_party, conflicts=self._lazy)

    def find_actor(self, text: str) -> tuple[str, int, int] | None:
        return self.registry.find_actor(text, conflicts=self._lazy)

    def party_mentions(
        self, text: str, start: int = 0, end: int | None = None, *, low: str | None = None
    ) -> list[Mention]:
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


def _one_slip(first: str, second: str) -> bool:
    """Whether two strings differ by one dropped, added, changed or swapped character."""
    if first == second:
        return False
    if len(first) > len(second):
        first, second = second, first
    start = 0
    while start < len(first) and first[start] == second[start]:
        start += 1
    if len(first) == len(second):
        rest = first[start + 1 :] == second[start + 1 :]
        swapped = first[start : start + 2] == second[start : start + 2][::-1]
        return rest or (swapped and first[start + 2 :] == second[start + 2 :])
    return len(second) - len(first) == 1 and first[start:] == second[start + 1 :]


def _strings(value: Any, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DataFileError(f"{what} must be a list of strings")
    return tuple(value)


def _actor_from(entry: Mapping[str, Any], *, is_party: bool, source: str) -> Actor:
    name = entry.get("name")
    if not isinstance(name, str) or not name.strip():
        raise DataFileError(f"{source}: an entry has no name: {dict(entry)!r}")
    kind = str(entry.get("kind", "government" if is_party else "ngo"))
    if kind not in KINDS:
        raise DataFileError(f"{source}: {name}: kind {kind!r} is not one of {sorted(KINDS)}")
    role = entry.get("role")
    return Actor(
        name=name,
        kind=kind,
        side=entry.get("side"),
        roles=_strings([role] if isinstance(role, str) else role, f"{source}: {name}: role"),
        aliases=_strings(entry.get("aliases"), f"{source}: {name}: aliases"),
        is_party=is_party,
        adjectives=_strings(entry.get("adjectives"), f"{source}: {name}: adjectives"),
        military_adjectives=_strings(
            entry.get("military_adjectives"), f"{source}: {name}: military_adjectives"
        ),
        places=_strings(entry.get("places"), f"{source}: {name}: places"),
        conflicts=_strings(entry.get("conflicts"), f"{source}: {name}: conflicts"),
        context=_strings(
            [entry["context"]] if isinstance(entry.get("context"), str) else entry.get("context"),
            f"{source}: {name}: context",
        ),
        descriptions=_strings(entry.get("descriptions"), f"{source}: {name}: descriptions"),
        iso=_strings(
            [entry["iso"]] if isinstance(entry.get("iso"), str) else entry.get("iso"),
            f"{source}: {name}: iso",
        ),
    )


def _merge_actor(old: Actor, new: Actor, entry: Mapping[str, Any]) -> Actor:
    """A user's entry for a known name extends it: lists appended, other keys replaced."""

    def joined(field_name: str) -> tuple[str, ...]:
        return tuple(dict.fromkeys((*getattr(old, field_name), *getattr(new, field_name))))

    return Actor(
        name=old.name,
        kind=new.kind if "kind" in entry else old.kind,
        side=new.side if "side" in entry else old.side,
        roles=joined("roles"),
        aliases=joined("aliases"),
        is_party=old.is_party or new.is_party,
        adjectives=joined("adjectives"),
        military_adjectives=joined("military_adjectives"),
        places=joined("places"),
        conflicts=joined("conflicts"),
        context=joined("context"),
        descriptions=joined("descriptions"),
        iso=joined("iso"),
    )


def registry_from_tables(
    tables: Sequence[Mapping[str, Any]], *, sources: Sequence[str] = (), gazetteer: Gazetteer | None = None
) -> ActorRegistry:
    """Build a registry from parsed TOML tables; later tables extend and override earlier ones.

    With a ``gazetteer``, every country no party of the tables claims (by ``iso``) becomes a
    party of its own, named as the gazetteer names it, with its demonyms as adjectives
    ("Pakistani officials" -> Pakistan), and the gazetteer's regions and cities name the
    party they are in.
    """
    actors: dict[str, Actor] = {}
    roles: dict[str, str] = {}
    descriptions: dict[str, tuple[str, ...]] = {}
    for index, data in enumerate(tables):
        source = sources[index] if index < len(sources) else f"actors table {index}"
        for key, is_party in (("party", True), ("actor", False)):
            for entry in data.get(key, []):
                actor = _actor_from(entry, is_party=is_party, source=source)
                known = actors.get(actor.name)
                actors[actor.name] = actor if known is None else _merge_actor(known, actor, entry)
        for role, spec in data.get("roles", {}).items():
            for phrase in _strings(spec.get("phrases"), f"{source}: roles.{role}.phrases"):
                roles[_key(phrase).lower()] = role
        for kind, nouns in data.get("descriptions", {}).items():
            if kind not in KINDS:
                raise DataFileError(f"{source}: descriptions.{kind}: not a kind ({sorted(KINDS)})")
            descriptions[kind] = (
                *descriptions.get(kind, ()),
                *_strings(nouns, f"{source}: descriptions.{kind}"),
            )
    if gazetteer is not None:
        claimed = {code.upper().split(":")[0] for actor in actors.values() for code in actor.iso}
        named = {actor.name for actor in actors.values()}
        for code, country in sorted(gazetteer.countries.items()):
            if code in claimed or country.name in named:
                continue
            actors[country.name] = _implicit_state(country)
    return ActorRegistry(tuple(actors.values()), roles, descriptions, gazetteer)


def _implicit_state(country: Country) -> Actor:
    """A country the registry lists no entry for, as a party: its names, its demonyms as
    adjectives, and the usual ways news names its government."""
    demonyms = [d for d in country.demonyms if not d.endswith("s") or d[:-1] not in country.demonyms]
    voices = [f"{country.name} government", f"{country.name}'s government"] + [
        f"{demonym} {body}" for demonym in demonyms for body in ("government", "authorities")
    ]
    return Actor(
        name=country.name,
        kind="government",
        is_party=True,
        aliases=tuple(dict.fromkeys((*country.names[1:], *voices))),
        adjectives=tuple(dict.fromkeys((*country.demonyms, f"{country.name}'s"))),
        iso=(country.code,),
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise DataFileError(f"cannot read actor file {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise DataFileError(f"actor file {path} is not valid TOML: {error}") from error


@lru_cache(maxsize=16)
def load_registry(*extra: str | Path) -> ActorRegistry:
    """The built-in actor registry, extended by the user's files (same TOML shape).

    Example:
        >>> load_registry().resolve("the Kremlin")
        'Russia'
    """
    paths = [DEFAULT_ACTORS, *(Path(p) for p in extra)]
    return registry_from_tables(
        [_read(p) for p in paths], sources=[str(p) for p in paths], gazetteer=load_gazetteer()
    )
