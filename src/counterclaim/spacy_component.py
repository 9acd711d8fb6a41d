"""An optional spaCy pipeline component over the pure extractor (needs the `spacy` extra).

    import spacy
    import counterclaim.spacy_component  # registers the factory
    nlp = spacy.blank("en")  # no statistical model is needed
    nlp.add_pipe("counterclaim_claims", config={"published": "2022-04-07"})
    doc = nlp(text)
    doc._.claims              # list[Claim]
    doc.spans["counterclaim_claims"]  # the numbers, labelled with their measure

The component only adapts: the work is done by :func:`counterclaim.extract_claims`, on the
document's text, so a statistical model adds nothing it would use.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span

from counterclaim.extract import Extractor, default_extractor

SPANS_KEY = "counterclaim_claims"

if not Doc.has_extension("claims"):
    Doc.set_extension("claims", default=None)


class ClaimsComponent:
    """Adds the claims of each document to ``doc._.claims`` and ``doc.spans``."""

    def __init__(self, published: str | None = None, extractor: Extractor | None = None) -> None:
        self.published = published
        self.extractor = extractor or default_extractor()

    def __call__(self, doc: Doc) -> Doc:
        published = doc.user_data.get("published", self.published)
        claims = self.extractor.extract(doc.text, published=published, doc=doc.user_data.get("doc"))
        spans: list[Span] = []
        for claim in claims:
            span = doc.char_span(claim.start, claim.end, label=claim.measure, alignment_mode="expand")
            if span is not None:
                spans.append(span)
        doc.spans[SPANS_KEY] = spans
        doc._.claims = claims
        return doc


@Language.factory("counterclaim_claims", default_config={"published": None})
def make_claims_component(nlp: Language, name: str, published: str | None) -> ClaimsComponent:
    """spaCy factory: ``nlp.add_pipe("counterclaim_claims")``."""
    del nlp, name
    return ClaimsComponent(published=published)
