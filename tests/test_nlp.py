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


def facts(parser, text, speaker=None):
    return extract(parser.parse(text), speaker=speaker)


def triples(parser, text, speaker=None, *, mood="asserted"):
    return [(f.subject.text, f.predicate, f.object.text if f.object else "", f.polarity, f.modality)
            for f in facts(parser, text, speaker) if f.mood == mood]


@pytest.mark.parametrize(
    ("text", "speaker", "expected"),
    [
        # active voice, direct and prepositional objects, phrasal verbs
        ("Alice works at Google.", None, ("Alice", "work_at", "Google", True, None)),
        ("Bob founded a jazz club.", None, ("Bob", "found", "jazz club", True, None)),
        ("I moved to Toulouse.", "Alice", ("Alice", "move_to", "Toulouse", True, None)),
        ("Carol gave up the violin.", None, ("Carol", "give_up", "violin", True, None)),
        # negation and modality
        ("Dan did not visit Paris.", None, ("Dan", "visit", "Paris", False, None)),
        ("I don't eat meat.", "Bob", ("Bob", "eat", "meat", False, None)),
        ("I have no car.", "Bob", ("Bob", "have", "car", False, None)),
        ("Eve can speak Japanese.", None, ("Eve", "speak", "Japanese", True, "can")),
        ("I probably moved to Rome.", "Bob", ("Bob", "move_to", "Rome", True, "probably")),
        # verb chains keep the governing verb as modality (aspect verbs are transparent)
        ("I want to move to Berlin.", "Bob", ("Bob", "move_to", "Berlin", True, "want")),
        ("I just started working at Airbus.", "Alice", ("Alice", "work_at", "Airbus", True, None)),
        # passive voice
        ("Frank was hired by Siemens.", None, ("Siemens", "hire", "Frank", True, None)),
        ("Bob was fired.", None, ("Bob", "fire", "", True, None)),
        # copulas
        ("Alice is a doctor.", None, ("Alice", "be", "doctor", True, None)),
        ("Alice is not happy.", None, ("Alice", "be", "happy", False, None)),
        ("Alice is in Paris.", None, ("Alice", "be_in", "Paris", True, None)),
        # relative clauses
        ("The man who lives in Paris is tall.", None, ("man", "live_in", "Paris", True, None)),
        ("I sold the car that I bought in Oslo.", "Bob", ("Bob", "buy", "car", True, None)),
        # appositions and possessives
        ("My brother Bob lives in Oslo.", "Alice", ("Alice", "brother", "Bob", True, None)),
        ("My brother Bob lives in Oslo.", "Alice", ("Bob", "live_in", "Oslo", True, None)),
        ("Alice's sister works at IBM.", None, ("Alice's sister", "work_at", "IBM", True, None)),
        ("I adopted a dog. My dog is called Rex.", "Ann", ("Ann", "have", "dog", True, None)),
        ("Carol Jensen, a biologist, lives in Oslo.", None, ("Carol Jensen", "be", "biologist", True, None)),
    ],
)
def test_constructions(parser, text, speaker, expected):
    assert expected in triples(parser, text, speaker)


def test_coordination_of_subjects_verbs_and_objects(parser):
    got = triples(parser, "Alice and Bob moved to Oslo and joined Equinor.")
    for who in ("Alice", "Bob"):
        assert (who, "move_to", "Oslo", True, None) in got
    assert ("Alice", "join", "Equinor", True, None) in got
    got = triples(parser, "I like jazz and blues.", "Cy")
    assert ("Cy", "like", "jazz", True, None) in got and ("Cy", "like", "blues", True, None) in got


def test_reported_speech_is_attributed(parser):
    (moved,) = [f for f in facts(parser, "Bob said that Alice moved to Paris.") if f.predicate == "move_to"]
    assert (moved.subject.text, moved.object.text, moved.attribution) == ("Alice", "Paris", "Bob")
    (works,) = [f for f in facts(parser, "I think Alice works at IBM.", "Dan") if f.predicate == "work_at"]
    assert works.modality == "think" and works.attribution is None


def test_questions_are_kept_but_not_asserted(parser):
    assert triples(parser, "Did Alice move to Oslo?") == []
    assert triples(parser, "Did Alice move to Oslo?", mood="question") == [("Alice", "move_to", "Oslo", True, None)]
    assert triples(parser, "Where does Bob work?") == []


def test_conditionals(parser):
    got = facts(parser, "If Alice moves to Oslo, Bob will sell his house.")
    antecedent = next(f for f in got if f.predicate == "move_to")
    consequent = next(f for f in got if f.predicate == "sell")
    assert antecedent.mood == "conditional" and consequent.modality == "conditional"


def test_imperatives_state_nothing(parser):
    assert facts(parser, "Call me tomorrow.", "Ann") == []


def test_unresolved_pronouns_are_flagged_and_not_stored(parser):
    (she,) = facts(parser, "She works at Airbus.")
    assert (she.subject.text, she.subject.kind, she.subject.resolved) == ("She", "pronoun", False)
    (i,) = facts(parser, "I work at Airbus.")  # no speaker known
    assert not i.subject.resolved
    src = Source("src_3", "ns", "test", "document", "h")
    utt = Utterance("u", "ns", "src_3", "She works at Airbus. Bob loves it. Each of them left.", 0)
    # "She" has no antecedent and "Each of them" names nothing: not stored. "it" is Airbus (coreference).
    got = [(f.subject, f.predicate, f.object) for f in Pipeline(parser).build("ns", src, [utt]).facts]
    assert got == [("Bob", "love", "Airbus")]


def test_dates_are_not_objects(parser):
    got = facts(parser, "Alice moved to Oslo in April.")
    assert [f.predicate for f in got] == ["move_to"]
    assert [e.text for e in got[0].extras] == ["in April"]


def test_tense(parser):
    tenses = {f.predicate: f.tense for t in ("Alice moved to Oslo.", "Alice lives in Oslo.", "Alice will visit Rome.")
              for f in facts(parser, t)}
    assert tenses == {"move_to": "past", "live_in": "present", "visit": "future"}


def test_confidence_ranks_direct_statements_above_inferred_ones(parser):
    direct = facts(parser, "Alice works at Google.")[0].confidence
    reported = next(f for f in facts(parser, "Bob said that Alice works at Google.") if f.predicate == "work_at")
    asked = facts(parser, "Does Alice work at Google?")[0]
    assert 0 < asked.confidence < reported.confidence < direct <= 1


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


def test_spacy_component_through_the_entry_point(parser):
    import spacy

    nlp = spacy.load(DEFAULT_SPACY_MODEL)
    nlp.add_pipe("graphmem_triples", config={"speaker": "Alice"})  # resolved via spacy_factories
    doc = nlp("I moved to Paris.")
    assert [(f.subject.text, f.predicate, f.object.text) for f in doc._.graphmem_facts] == [
        ("Alice", "move_to", "Paris")]
    doc = nlp.make_doc("I moved to Oslo.")
    doc._.graphmem_speaker = "Bob"
    for _, proc in nlp.pipeline:
        doc = proc(doc)
    assert doc._.graphmem_facts[0].subject.text == "Bob"


def test_name_variants_in_a_document_are_one_entity(parser):
    pipe = Pipeline(parser)
    src = Source("src_2", "ns", "test", "document", "h")
    texts = ["Alice Smith joined Airbus in 2020.", "Alice moved to Toulouse.", "Ms. Smith likes jazz.",
             "Bob Smith and Bob Jones met. Bob left."]
    utts = [Utterance(f"u{i}", "ns", "src_2", t, i) for i, t in enumerate(texts)]
    batch = pipe.build("ns", src, utts)
    subjects = {f.predicate: f.subject_id for f in batch.facts}
    assert subjects["join"] == subjects["move_to"] == subjects["like"]
    alice = next(e for e in batch.entities if e.id == subjects["join"])
    assert alice.name == "Alice Smith" and {"Alice", "Smith"} <= set(alice.aliases)  # NER leaves "Ms." out
    bobs = {e.name for e in batch.entities if "Bob" in e.name}
    assert {"Bob Smith", "Bob Jones"} <= bobs  # "Bob" alone is ambiguous: not merged into either


def test_spacy_layers_multiply_through_numpy_blas_with_the_same_parses(parser):
    """graphmem loads spaCy with thinc's numpy ops without blis (GRAPHMEM_SPACY_BLIS=0): cython-blis
    runs slow generic kernels on CPUs it does not know. The parses must not change."""
    from graphmem.config import Config

    def ops(p):
        return [pipe.model.ops for _, pipe in p.nlp.pipeline if getattr(pipe, "model", None) is not None]

    assert ops(parser) and all(type(o).__name__ == "NumpyOps" and not o.use_blis for o in ops(parser))
    stock = SpacyParser(DEFAULT_SPACY_MODEL, blis=True)
    assert ops(stock) and all(o.use_blis for o in ops(stock))
    texts = ["I moved to Paris with my sister Carol last May.", "Did you hear any inspiring stories?",
             "The support group has made me feel accepted and given me courage to embrace myself.",
             "Bob, who founded a bakery in Lyon, doesn't sell bread anymore; he sells cakes now."]
    mine, theirs = list(parser.parse_many(texts)), list(stock.parse_many(texts))
    assert [(d.tokens, d.sents, d.ents) for d in mine] == [(d.tokens, d.sents, d.ents) for d in theirs]
    assert Config.from_env({"GRAPHMEM_SPACY_BLIS": "1"}).spacy_blis and not Config.from_env({}).spacy_blis
    with pytest.raises(Exception, match="GRAPHMEM_SPACY_BLIS"):
        Config.from_env({"GRAPHMEM_SPACY_BLIS": "sometimes"})
