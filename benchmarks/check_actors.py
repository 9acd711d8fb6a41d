#!/usr/bin/env python3
"""Validate the actor registry (``src/counterclaim/data/actors.toml``), standard library only.

Usage::

    python benchmarks/check_actors.py                        # the built-in registry
    python benchmarks/check_actors.py PATH                   # another registry file
    python benchmarks/check_actors.py --extra my-actors.toml # a user's extension, merged on top
    python benchmarks/check_actors.py --gold ../shared/corpus/dev/gold.jsonl  # + claimant coverage

It checks what the file's header promises (see its comments for the format):

* the file parses with ``tomllib``; only known tables and keys are used, with the right types;
* ``[meta] version = 1``; conflict slugs are lower-case words joined by hyphens;
* every party has kind ``government`` or ``armed_group``; armed groups list no places;
* every actor has a valid ``kind``; its ``side`` names a party in the file, is required for
  government, military, armed_group, health_authority and local_authority actors, and is
  absent for un_body and intergovernmental ones; its ``role`` names roles defined in
  ``[roles]`` and needs a side; its ``context`` names defined conflicts;
* names are unique (case-insensitively, ignoring a leading "the"), across parties and actors;
* an alias, adjective or place used by two entries is allowed only when both have a context
  (their own ``context``, their side's ``conflicts``, or a party's ``conflicts``) and the two
  contexts do not overlap; a name is never another entry's alias;
* no alias equals a role phrase, and no role phrase is in two roles;
* at most one actor per side holds a role; the built-in file defines the required roles;
* words are clean: no leading/trailing or double spaces, no alias starting with "the",
  no duplicate within an entry, no alias equal to its own entry's name.

Exit status: 0 when the registry is valid, 1 when it has errors, 2 when a file cannot be read.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import tomllib
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "src" / "counterclaim" / "data" / "actors.toml"

PARTY_KINDS = frozenset({"government", "armed_group"})
ACTOR_KINDS = frozenset(
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
SIDED_KINDS = frozenset({"government", "military", "armed_group", "health_authority", "local_authority"})
NEUTRAL_KINDS = frozenset({"un_body", "intergovernmental"})
REQUIRED_ROLES = (
    "defence_ministry",
    "health_ministry",
    "government",
    "military",
    "foreign_ministry",
    "interior_ministry",
    "emergency_service",
    "police",
)

TOP_KEYS = frozenset({"meta", "conflicts", "party", "actor", "roles", "descriptions"})
PARTY_KEYS = frozenset(
    {"name", "kind", "aliases", "adjectives", "military_adjectives", "places", "conflicts", "iso"}
)
PARTY_LISTS = ("aliases", "adjectives", "military_adjectives", "places", "conflicts")
ACTOR_KEYS = frozenset({"name", "kind", "side", "role", "aliases", "context", "descriptions"})
ACTOR_LISTS = ("aliases", "descriptions")
ISO = re.compile(r"^[A-Z]{2}(?::[A-Z0-9]{1,3})?$")
ROLE_KEYS = frozenset({"phrases", "description"})
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ROLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'"})


def norm(text: str) -> str:
    """The form words are compared in: NFC, plain apostrophes, case-folded, single spaces,
    without a leading "the"."""
    folded = " ".join(unicodedata.normalize("NFC", text).translate(APOSTROPHES).casefold().split())
    return folded.removeprefix("the ")


def spelling(text: str) -> str:
    """The form duplicates within one entry are found in: like :func:`norm`, except that an
    all-capitals acronym keeps its case, because it is matched case-sensitively ("TASS" and
    "Tass" are two aliases)."""
    return text.strip() if text.isupper() else norm(text)


def as_list(value: Any) -> list[Any]:
    """A scalar as a one-item list, a list as itself, None as empty."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------------------------
# Loading and merging
# ---------------------------------------------------------------------------------------------


def load(path: Path) -> dict[str, Any]:
    """Parse a registry file; raise SystemExit(2) with a message when it cannot be read."""
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as error:
        raise SystemExit(f"error: cannot read {path}: {error.strerror}") from error
    except tomllib.TOMLDecodeError as error:
        raise SystemExit(f"error: {path} is not valid TOML: {error}") from error


def _merge_entry(old: dict[str, Any], new: Mapping[str, Any]) -> None:
    for key, value in new.items():
        if isinstance(value, list) and isinstance(old.get(key), list):
            old[key] = old[key] + list(value)
        else:
            old[key] = copy.deepcopy(value)


def merge(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    """Merge an extension onto a registry, as the file's header describes."""
    merged = copy.deepcopy(dict(base))
    for table in ("party", "actor"):
        entries: list[dict[str, Any]] = merged.setdefault(table, [])
        by_name = {norm(str(e.get("name", ""))): e for e in entries if isinstance(e, dict)}
        for entry in extra.get(table, []):
            key = norm(str(entry.get("name", ""))) if isinstance(entry, dict) else ""
            if key and key in by_name:
                _merge_entry(by_name[key], entry)
            else:
                entries.append(copy.deepcopy(entry))
                if key:
                    by_name[key] = entries[-1]
    for table in ("meta", "conflicts"):
        if table in extra:
            merged.setdefault(table, {}).update(copy.deepcopy(extra[table]))
    for role, spec in extra.get("roles", {}).items():
        roles = merged.setdefault("roles", {})
        if role in roles and isinstance(roles[role], dict) and isinstance(spec, dict):
            _merge_entry(roles[role], spec)
        else:
            roles[role] = copy.deepcopy(spec)
    for key, value in extra.items():
        if key not in TOP_KEYS:
            merged[key] = copy.deepcopy(value)
    return merged


# ---------------------------------------------------------------------------------------------
# Checking
# ---------------------------------------------------------------------------------------------


class Checker:
    """Collects the errors of one registry."""

    def __init__(self, data: Mapping[str, Any], *, required_roles: Sequence[str]) -> None:
        self.data = data
        self.required_roles = required_roles
        self.errors: list[str] = []
        self.conflicts: set[str] = set()
        self.roles: dict[str, list[str]] = {}
        self.parties: dict[str, dict[str, Any]] = {}
        self.actors: list[dict[str, Any]] = []

    def error(self, where: str, message: str) -> None:
        self.errors.append(f"{where}: {message}")

    # -- shapes --------------------------------------------------------------------------------

    def check_descriptions(self) -> None:
        table = self.data.get("descriptions", {})
        if not isinstance(table, dict):
            self.error("[descriptions]", "must be a table of kind = [nouns]")
            return
        for kind, nouns in table.items():
            if kind not in ACTOR_KINDS:
                self.error(f"[descriptions] {kind}", "is not an actor kind")
            self.words(f"[descriptions] {kind}", "nouns", nouns)

    def check_top(self) -> None:
        for key in self.data:
            if key not in TOP_KEYS:
                self.error("file", f"unknown top-level key {key!r}")
        meta = self.data.get("meta")
        if not isinstance(meta, dict):
            self.error("[meta]", "missing table")
        else:
            if meta.get("version") != 1 or isinstance(meta.get("version"), bool):
                self.error("[meta]", f"version must be the integer 1, not {meta.get('version')!r}")
            if not isinstance(meta.get("description", ""), str):
                self.error("[meta]", "description must be a string")
        conflicts = self.data.get("conflicts", {})
        if not isinstance(conflicts, dict):
            self.error("[conflicts]", "must be a table of slug = description")
            return
        for slug, text in conflicts.items():
            if not SLUG.match(slug):
                self.error("[conflicts]", f"slug {slug!r} is not lower-case words joined by '-'")
            if not isinstance(text, str) or not text.strip():
                self.error("[conflicts]", f"{slug!r} needs a non-empty description")
            self.conflicts.add(slug)

    def check_roles(self) -> None:
        roles = self.data.get("roles", {})
        if not isinstance(roles, dict):
            self.error("[roles]", "must be a table of [roles.NAME] tables")
            return
        owner: dict[str, str] = {}
        for role, spec in roles.items():
            where = f"[roles.{role}]"
            if not ROLE_NAME.match(role):
                self.error(where, "role names are lower_case_with_underscores")
            if not isinstance(spec, dict):
                self.error(where, "must be a table with `phrases`")
                continue
            for key in spec:
                if key not in ROLE_KEYS:
                    self.error(where, f"unknown key {key!r}")
            phrases = self.words(where, "phrases", spec.get("phrases"), allow_the=True)
            if not phrases:
                self.error(where, "`phrases` must be a non-empty list of strings")
            self.roles[role] = phrases
            for phrase in phrases:
                key = norm(phrase)
                if key in owner and owner[key] != role:
                    self.error(where, f"phrase {phrase!r} is also in role {owner[key]!r}")
                owner.setdefault(key, role)
        for role in self.required_roles:
            if role not in self.roles:
                self.error("[roles]", f"required role {role!r} is not defined")

    def words(self, where: str, key: str, value: Any, *, allow_the: bool = False) -> list[str]:
        """Validate a list of words; return the valid ones."""
        if value is None:
            return []
        if not isinstance(value, list):
            self.error(where, f"`{key}` must be a list of strings")
            return []
        seen: dict[str, str] = {}
        good: list[str] = []
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.error(where, f"`{key}` has an empty or non-string item {item!r}")
                continue
            if item != item.strip() or "  " in item or "\n" in item or "\t" in item:
                self.error(where, f"`{key}` item {item!r} has stray whitespace")
            if not allow_the and item.casefold().startswith("the "):
                self.error(where, f"`{key}` item {item!r} starts with 'the' (it is ignored)")
            key_form = spelling(item)
            if key_form in seen:
                self.error(where, f"`{key}` lists {item!r} twice (as {seen[key_form]!r})")
                continue
            seen[key_form] = item
            good.append(item)
        return good

    def check_name(self, where: str, entry: Mapping[str, Any]) -> str | None:
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            self.error(where, "needs a non-empty string `name`")
            return None
        if name != name.strip() or "  " in name:
            self.error(where, f"name {name!r} has stray whitespace")
        return name

    def check_parties(self) -> None:
        parties = self.data.get("party", [])
        if not isinstance(parties, list):
            self.error("[[party]]", "must be an array of tables")
            return
        for index, entry in enumerate(parties):
            where = f"party #{index + 1}"
            if not isinstance(entry, dict):
                self.error(where, "must be a table")
                continue
            name = self.check_name(where, entry)
            if name is None:
                continue
            where = f"party {name!r}"
            for key in entry:
                if key not in PARTY_KEYS:
                    self.error(where, f"unknown key {key!r}")
            if entry.get("kind") not in PARTY_KINDS:
                self.error(where, f"kind {entry.get('kind')!r} is not one of {sorted(PARTY_KINDS)}")
            for key in PARTY_LISTS:
                self.words(where, key, entry.get(key))
            for slug in as_list(entry.get("conflicts")):
                if slug not in self.conflicts:
                    self.error(where, f"conflict {slug!r} is not defined in [conflicts]")
            if entry.get("kind") == "armed_group" and entry.get("places"):
                self.error(where, "armed groups list no places (they stay with the state)")
            for code in as_list(entry.get("iso")):
                if not isinstance(code, str) or not ISO.match(code):
                    self.error(where, f"iso {code!r} is not an ISO 3166-1 alpha-2 code (or CODE:REGION)")
                elif entry.get("kind") != "government":
                    self.error(where, "only a state (kind government) has an iso code")
            self.own_name_in_aliases(where, name, entry)
            if norm(name) in self.parties:
                self.error(where, "is defined twice")
            self.parties[norm(name)] = entry

    def check_actors(self) -> None:
        actors = self.data.get("actor", [])
        if not isinstance(actors, list):
            self.error("[[actor]]", "must be an array of tables")
            return
        held: dict[tuple[str, str], str] = {}
        for index, entry in enumerate(actors):
            where = f"actor #{index + 1}"
            if not isinstance(entry, dict):
                self.error(where, "must be a table")
                continue
            name = self.check_name(where, entry)
            if name is None:
                continue
            where = f"actor {name!r}"
            for key in entry:
                if key not in ACTOR_KEYS:
                    self.error(where, f"unknown key {key!r}")
            kind = entry.get("kind")
            if kind not in ACTOR_KINDS:
                self.error(where, f"kind {kind!r} is not one of {sorted(ACTOR_KINDS)}")
            for key in ACTOR_LISTS:
                self.words(where, key, entry.get(key))
            side = entry.get("side")
            if side is not None:
                if not isinstance(side, str) or norm(side) not in self.parties:
                    self.error(where, f"side {side!r} is not a party defined in the file")
                elif self.parties[norm(side)]["name"] != side:
                    self.error(where, f"side {side!r} should be spelled as the party's name")
            if kind in SIDED_KINDS and side is None:
                self.error(where, f"a {kind} actor needs a `side`")
            if kind in NEUTRAL_KINDS and side is not None:
                self.error(where, f"a {kind} actor takes no `side`")
            roles = entry.get("role")
            if roles is not None and not (
                isinstance(roles, str)
                or (isinstance(roles, list) and roles and all(isinstance(r, str) for r in roles))
            ):
                self.error(where, "`role` must be a role name or a list of role names")
                roles = None
            for role in as_list(roles):
                if role not in self.roles:
                    self.error(where, f"role {role!r} is not defined in [roles]")
                if side is None and not entry.get("context"):
                    self.error(where, f"role {role!r} needs a `side` (or a `context`) to resolve from")
                    continue
                if side is None:
                    continue  # the role's holder in its conflicts (see the file's header)
                pair = (norm(str(side)), role)
                if pair in held:
                    self.error(where, f"role {role!r} of {side!r} is held by {held[pair]!r} too")
                held.setdefault(pair, name)
            context = entry.get("context")
            if context is not None:
                slugs = as_list(context)
                if not slugs or not all(isinstance(s, str) for s in slugs):
                    self.error(where, "`context` must be a conflict slug or a non-empty list")
                for slug in slugs:
                    if slug not in self.conflicts:
                        self.error(where, f"context {slug!r} is not defined in [conflicts]")
            self.own_name_in_aliases(where, name, entry)
            self.actors.append(entry)

    def own_name_in_aliases(self, where: str, name: str, entry: Mapping[str, Any]) -> None:
        for alias in as_list(entry.get("aliases")):
            if isinstance(alias, str) and spelling(alias) == spelling(name):
                self.error(where, f"alias {alias!r} repeats the name")

    # -- cross-entry rules ---------------------------------------------------------------------

    def context_of(self, table: str, entry: Mapping[str, Any]) -> frozenset[str]:
        """An entry's effective context (empty: everywhere)."""
        if table == "party":
            return frozenset(as_list(entry.get("conflicts")))
        if entry.get("context") is not None:
            return frozenset(s for s in as_list(entry["context"]) if isinstance(s, str))
        side = entry.get("side")
        if isinstance(side, str) and norm(side) in self.parties:
            return frozenset(as_list(self.parties[norm(side)].get("conflicts")))
        return frozenset()

    def entries(self) -> Iterable[tuple[str, dict[str, Any]]]:
        for entry in self.parties.values():
            yield "party", entry
        for entry in self.actors:
            yield "actor", entry

    def check_sharing(self) -> None:
        names: dict[str, str] = {}
        for table, entry in self.entries():
            key = norm(entry["name"])
            if key in names and table == "actor":
                self.error(f"actor {entry['name']!r}", f"name is also used by {names[key]}")
            names.setdefault(key, f"{table} {entry['name']!r}")
        # Claimant words (names and aliases), group words (adjectives), places: each word's
        # owners must be one entry, or entries with disjoint, non-empty contexts. Places are
        # compared with claimant words too ("Stepanakert" cannot be Artsakh's alias and a
        # place of Azerbaijan in the same context).
        claimant: dict[str, list[tuple[str, str, frozenset[str]]]] = defaultdict(list)
        group: dict[str, list[tuple[str, str, frozenset[str]]]] = defaultdict(list)
        for table, entry in self.entries():
            label = f"{table} {entry['name']!r}"
            context = self.context_of(table, entry)
            claimant[norm(entry["name"])].append((label, "name", context))
            for alias in as_list(entry.get("aliases")):
                if isinstance(alias, str):
                    claimant[norm(alias)].append((label, "alias", context))
            for key in ("adjectives", "military_adjectives"):
                for word in as_list(entry.get(key)):
                    if isinstance(word, str):
                        group[norm(word)].append((label, key, context))
            for place in as_list(entry.get("places")):
                if isinstance(place, str):
                    claimant[norm(place)].append((label, "place", context))
        for word, owners in (*claimant.items(), *group.items()):
            self.check_owners(word, owners)
        phrases = {norm(p): role for role, ps in self.roles.items() for p in ps}
        for table, entry in self.entries():
            for alias in as_list(entry.get("aliases")):
                if isinstance(alias, str) and norm(alias) in phrases:
                    self.error(
                        f"{table} {entry['name']!r}",
                        f"alias {alias!r} is a phrase of role {phrases[norm(alias)]!r}; "
                        "generic phrases resolve through roles",
                    )

    def check_owners(self, word: str, owners: list[tuple[str, str, frozenset[str]]]) -> None:
        # One entry may use a word twice over (Russia: "Moscow" as alias and place).
        distinct: dict[str, tuple[str, str, frozenset[str]]] = {}
        for owner in owners:
            distinct.setdefault(owner[0], owner)
        if len(distinct) < 2:
            return
        listed = list(distinct.values())
        for i, (label_a, how_a, context_a) in enumerate(listed):
            for label_b, how_b, context_b in listed[i + 1 :]:
                where = f"{how_a} {word!r}"
                if "name" in (how_a, how_b) and {how_a, how_b} != {"name", "place"}:
                    self.error(
                        where,
                        f"is used by {label_a} ({how_a}) and {label_b} ({how_b}); "
                        "a name belongs to one entry only",
                    )
                elif not context_a or not context_b:
                    self.error(
                        where,
                        f"is used by {label_a} ({how_a}) and {label_b} ({how_b}); "
                        "both need a context to share it",
                    )
                elif context_a & context_b:
                    self.error(
                        where,
                        f"is used by {label_a} ({how_a}) and {label_b} ({how_b}) "
                        f"in the same context {sorted(context_a & context_b)}",
                    )

    def run(self) -> list[str]:
        self.check_top()
        self.check_roles()
        self.check_descriptions()
        self.check_parties()
        self.check_actors()
        self.check_sharing()
        return self.errors


def check(data: Mapping[str, Any], *, required_roles: Sequence[str] = REQUIRED_ROLES) -> list[str]:
    """Return the registry's errors (an empty list when it is valid)."""
    return Checker(data, required_roles=required_roles).run()


def summary(data: Mapping[str, Any]) -> dict[str, int]:
    """Counts of what the registry holds."""
    parties = [e for e in data.get("party", []) if isinstance(e, dict)]
    actors = [e for e in data.get("actor", []) if isinstance(e, dict)]
    roles = data.get("roles", {})

    def total(entries: list[dict[str, Any]], key: str) -> int:
        return sum(len(as_list(e.get(key))) for e in entries)

    return {
        "conflicts": len(data.get("conflicts", {})),
        "parties": len(parties),
        "actors": len(actors),
        "roles": len(roles),
        "role phrases": sum(len(as_list(r.get("phrases"))) for r in roles.values()),
        "party aliases": total(parties, "aliases"),
        "actor aliases": total(actors, "aliases"),
        "adjectives": total(parties, "adjectives") + total(parties, "military_adjectives"),
        "places": total(parties, "places"),
        "actors with a role": sum(1 for a in actors if a.get("role")),
        "neutral actors": sum(1 for a in actors if a.get("side") is None),
    }


def claimant_names(data: Mapping[str, Any]) -> set[str]:
    """Every name and alias of a party or actor, normalised."""
    names: set[str] = set()
    for table in ("party", "actor"):
        for entry in data.get(table, []):
            if isinstance(entry, dict):
                names.add(norm(str(entry.get("name", ""))))
                names.update(norm(a) for a in as_list(entry.get("aliases")) if isinstance(a, str))
    return names


def gold_coverage(data: Mapping[str, Any], gold_paths: Iterable[Path]) -> list[str]:
    """Gold claimant names the registry does not know (for information; not errors)."""
    known = claimant_names(data)
    missing: dict[str, int] = defaultdict(int)
    for path in gold_paths:
        with path.open(encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                claimant = json.loads(line).get("claimant")
                if claimant and norm(claimant) not in known:
                    missing[claimant] += 1
    return [f"{name} ({count})" for name, count in sorted(missing.items())]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH, help="registry file")
    parser.add_argument(
        "--extra", action="append", type=Path, default=[], help="extension file merged on top"
    )
    parser.add_argument(
        "--gold", action="append", type=Path, default=[], help="gold .jsonl: list unknown claimants"
    )
    parser.add_argument("--quiet", action="store_true", help="print errors only")
    args = parser.parse_args(argv)

    try:
        data = load(args.path)
        for extra in args.extra:
            data = merge(data, load(extra))
    except SystemExit as error:
        print(error, file=sys.stderr)
        return 2
    label = " + ".join(str(p) for p in [args.path, *args.extra])
    errors = check(data)
    for message in errors:
        print(f"{label}: {message}")
    if args.gold:
        unknown = gold_coverage(data, args.gold)
        if unknown:
            print(f"gold claimants not in the registry: {', '.join(unknown)}")
    if errors:
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return 1
    if not args.quiet:
        counts = ", ".join(f"{key} {value}" for key, value in summary(data).items())
        print(f"OK {label}: {counts}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
