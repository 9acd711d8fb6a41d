"""The actor registry read from data/actors.toml (its comments explain every key) and user files."""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from counterclaim.actor_names import spelling
from counterclaim.actors import KINDS, Actor, ActorRegistry
from counterclaim.errors import DataFileError
from counterclaim.gazetteer import Gazetteer, load_gazetteer
from counterclaim.implicit_states import implicit_states

DEFAULT_ACTORS = Path(__file__).with_name("data") / "actors.toml"


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
                roles[spelling(phrase).lower()] = role
        for kind, nouns in data.get("descriptions", {}).items():
            if kind not in KINDS:
                raise DataFileError(f"{source}: descriptions.{kind}: not a kind ({sorted(KINDS)})")
            descriptions[kind] = (
                *descriptions.get(kind, ()),
                *_strings(nouns, f"{source}: descriptions.{kind}"),
            )
    if gazetteer is not None:
        for state in implicit_states(actors.values(), gazetteer):
            actors[state.name] = state
    return ActorRegistry(tuple(actors.values()), roles, descriptions, gazetteer)


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
