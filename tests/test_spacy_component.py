"""The optional spaCy component on a blank English pipeline (no statistical model)."""

from __future__ import annotations

import pytest

spacy = pytest.importorskip("spacy", reason="the spacy extra is installed in CI ([dev])")


def test_spacy_component_adds_claims_and_spans():
    import counterclaim.spacy_component  # noqa: F401  (registers the factory)

    nlp = spacy.blank("en")
    nlp.add_pipe("counterclaim_claims", config={"published": "2022-04-07"})
    doc = nlp("At least 1,500 civilians have been killed, according to the United Nations.")
    assert [c.value for c in doc._.claims] == [1500]
    assert [(s.text, s.label_) for s in doc.spans["counterclaim_claims"]] == [("1,500", "killed")]
