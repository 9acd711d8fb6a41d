"""counterclaim: who claimed how many were killed, wounded, captured or displaced, and when."""

from counterclaim.about import __version__
from counterclaim.actor_files import load_registry
from counterclaim.actors import ActorRegistry
from counterclaim.errors import CounterclaimError, InputError
from counterclaim.extract import Extractor, extract_claims
from counterclaim.lexicon import Lexicon, load_lexicon
from counterclaim.models import Claim

__all__ = [
    "ActorRegistry",
    "Claim",
    "CounterclaimError",
    "Extractor",
    "InputError",
    "Lexicon",
    "__version__",
    "extract_claims",
    "load_lexicon",
    "load_registry",
]
