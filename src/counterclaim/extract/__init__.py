"""The claim extractor: rules over numbers, measures, groups, attribution and dates."""

from counterclaim.extract.batch import extract_item, extract_items
from counterclaim.extract.claims import EXTRACTOR_NAME, Extractor, default_extractor, extract_claims
from counterclaim.extract.configured import build_extractor

__all__ = [
    "EXTRACTOR_NAME",
    "Extractor",
    "build_extractor",
    "default_extractor",
    "extract_claims",
    "extract_item",
    "extract_items",
]
