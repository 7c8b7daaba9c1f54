"""The first extraction rules: plain declarative sentences give the right facts and spans."""

from __future__ import annotations

import pytest

from graphmem.config import DEFAULT_SPACY_MODEL
from graphmem.model import Source, Utterance
from graphmem.nlp import Pipeline, SpacyParser
from graphmem.nlp.triples import extract

pytestmark = pytest.mark.slow


@pytest.fixture(scope="session")
def parser():
    return SpacyParser(DEFAULT_SPACY_MODEL)


def triples(parser, text, speaker=None):
    doc = parser.parse(text)
    return [(f.subject.text, f.predicate, f.object.text, f.polarity, f.modality) for f in extract(doc, speaker=speaker)]


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        ("Alice works at Google.", None, ("Alice", "work_at", "Google", True, None)),
        ("Bob founded a jazz club.", None, ("Bob", "found", "jazz club", True, None)),
        ("I moved to Toulouse.", "Alice", ("Alice", "move_to", "Toulouse", True, None)),
        ("Carol gave up the violin.", None, ("Carol", "give_up", "violin", True, None)),
        ("Dan did not visit Paris.", None, ("Dan", "visit", "Paris", False, None)),
        ("I want to move to Berlin.", "Bob", ("Bob", "move_to", "Berlin", True, "want")),
        ("Eve can speak Japanese.", None, ("Eve", "speak", "Japanese", True, "can")),
        ("Frank was hired by Siemens.", None, ("Siemens", "hire", "Frank", True, None)),
    ],
)
def test_simple_sentences(parser, text, speaker, expected):
    assert expected in triples(parser, text, speaker)


def test_coordinated_verbs_share_the_subject(parser):
    got = triples(parser, "Alice moved to Oslo and joined Equinor.")
    assert ("Alice", "move_to", "Oslo", True, None) in got
    assert ("Alice", "join", "Equinor", True, None) in got


def test_questions_are_not_asserted(parser):
    assert triples(parser, "Did Alice move to Oslo?") == []
    assert triples(parser, "Where does Bob work?") == []


def test_unresolved_pronouns_make_no_fact(parser):
    assert triples(parser, "She works at Airbus.") == []
    assert triples(parser, "I work at Airbus.") == []  # no speaker known


def test_dates_are_not_objects(parser):
    assert [t[1] for t in triples(parser, "Alice moved to Oslo in April.")] == ["move_to"]


def test_batch_has_spans_entities_and_anchors(parser):
    pipe = Pipeline(parser)
    src = Source("src_1", "ns", "test", "dialogue", "h")
    text = "Hi Bob! I just started working at Airbus as an engineer."
    utt = Utterance("utt_1", "ns", "src_1", text, 0, speaker="Alice", time="2023-05-08T13:56:00")
    batch = pipe.build("ns", src, [utt])
    fact = next(f for f in batch.facts if f.predicate == "work_at")
    assert (fact.subject, fact.object, fact.text) == ("Alice", "Airbus", "Alice started working at Airbus")
    assert text[slice(*fact.subject_span)] == "I"
    assert text[slice(*fact.relation_span)] == "started working at"
    assert text[slice(*fact.object_span)] == "Airbus"
    anchor = next(a for a in batch.anchors if a.fact_id == fact.id)
    assert text[anchor.start : anchor.end] == "I just started working at Airbus"
    names = {e.name: e.type for e in batch.entities}
    assert names["Alice"] == "PERSON" and "Airbus" in names and "Bob" in names
    airbus = next(e for e in batch.entities if e.name == "Airbus")
    assert fact.object_id == airbus.id and fact.valid_from == "2023-05-08T13:56:00"
    assert any(m.entity_id == airbus.id and text[m.start : m.end] == "Airbus" for m in batch.mentions)
