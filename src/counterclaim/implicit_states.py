"""Countries the actor registry lists no entry for, as parties of their own, from the gazetteer."""

from __future__ import annotations

from collections.abc import Iterable

from counterclaim.actors import Actor
from counterclaim.gazetteer import Country, Gazetteer


def implicit_states(actors: Iterable[Actor], gazetteer: Gazetteer) -> list[Actor]:
    """Every country of the gazetteer that no actor claims (by ``iso``) or is named after, in
    order of its code."""
    listed = list(actors)
    claimed = {code.upper().split(":")[0] for actor in listed for code in actor.iso}
    named = {actor.name for actor in listed}
    return [
        implicit_state(country)
        for code, country in sorted(gazetteer.countries.items())
        if code not in claimed and country.name not in named
    ]


def implicit_state(country: Country) -> Actor:
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
