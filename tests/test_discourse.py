"""Discourse relations: connectives and their senses, arguments, dialogue frames, WHY end to end."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from graphmem.nlp.discourse import Lexicon, load_lexicon, sense_level

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder, not part of the installed package
    sys.path.insert(0, str(ROOT))


# --- the connective table (no model) -------------------------------------------------------------


def test_the_table_ships_with_the_package_and_is_well_formed():
    lex = load_lexicon()
    assert len({r.words for r in lex.readings}) > 100
    level1 = {"Temporal", "Contingency", "Comparison", "Expansion"}
    assert {sense_level(r.sense, 1) for r in lex.readings} == level1
    for r in lex.readings:
        assert r.kind in ("sub", "coord", "adv", "prep") and 0 < r.prior <= 1
        assert r.sense.count(".") >= 1
    # WHY follows exactly these strings.
    from graphmem.query.dialects import REASONS, RESULTS

    assert lex.readings_of(("because",))[0].sense in REASONS
    assert lex.readings_of(("therefore",))[0].sense in RESULTS
    level2 = {sense_level(r.sense, 2) for r in lex.readings}
    assert {"Contingency.Cause", "Contingency.Condition", "Comparison.Concession", "Comparison.Contrast",
            "Expansion.Conjunction", "Expansion.Instantiation", "Temporal.Asynchronous",
            "Temporal.Synchronous"} <= level2


def test_the_table_is_packaged_data():
    from importlib import resources

    assert resources.files("graphmem.nlp").joinpath("data/connectives.tsv").is_file()


def test_a_bad_row_is_refused():
    with pytest.raises(ValueError, match="line 1"):
        Lexicon.parse("because\tsubordinating\tContingency.Cause.Reason\t1.0")


# --- over real parses ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parser():
    from graphmem.config import DEFAULT_SPACY_MODEL
    from graphmem.nlp import SpacyParser

    return SpacyParser(DEFAULT_SPACY_MODEL)


def relations(parser, text):
    from graphmem.nlp.discourse import find_relations

    doc = parser.parse(text)
    return doc, find_relations(doc)


def found(parser, text):
    """(connective, sense) pairs of ``text``."""
    return [(r.connective, r.sense) for r in relations(parser, text)[1]]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # "and" joining clauses or predicates is a connective; joining nouns it is not
        ("They sold their business and reinvested the proceeds in water.", [("and", "Expansion.Conjunction")]),
        ("I bought apples and pears.", []),
        ("It was late, and we were tired.", [("and", "Expansion.Conjunction")]),
        # "since": a clause of time, a clause of reason, or a preposition before a date
        ("I have lived here since I was a child.", [("since", "Temporal.Asynchronous.Succession")]),
        ("Since it was raining, we stayed home.", [("since", "Contingency.Cause.Reason")]),
        ("I have lived here since 2010.", []),
        # "while": simultaneous with a progressive or a bare gerund, contrastive otherwise
        ("While I was cooking, he read a book.", [("while", "Temporal.Synchronous")]),
        ("He hurt his back while lifting the box.", [("while", "Temporal.Synchronous")]),
        ("While Alice likes tea, Bob prefers coffee.", [("while", "Comparison.Contrast")]),
        # "as": a clause of time with an event, of reason with a state; a preposition before a noun
        ("As I watched them recover, I felt hope.", [("as", "Temporal.Synchronous")]),
        ("As she was ill, she stayed at home.", [("as", "Contingency.Cause.Reason")]),
        ("She works as a teacher.", []),
        ("He is as tall as his brother.", []),
        # "if": a condition, not an indirect question; "when": not a relative
        ("If it rains, we will stay home.", [("if", "Contingency.Condition.Arg2-as-cond")]),
        ("I wonder if the rules are fit for purpose.", []),
        ("The war began in the '90s when villages were burnt.", []),
        ("When he arrived, we left.", [("when", "Temporal.Synchronous")]),
        # "so": a result opening a clause; not a degree adverb, not a pro-form; "so that": purpose
        ("I was tired, so I went home.", [("so", "Contingency.Cause.Result")]),
        ("It is so soft.", []),
        ("I think so.", []),
        ("She studied hard so that she would pass.", [("so that", "Contingency.Purpose.Arg2-as-goal")]),
        # "by" + gerund is a manner; "by" + noun is not
        ("They cut risk by minimizing harm.", [("by", "Expansion.Manner.Arg2-as-manner")]),
        ("The book was written by Alice.", []),
        # "but": concession by default, contrast in parallel clauses
        ("It was raining, but we went out.", [("but", "Comparison.Concession.Arg2-as-denier")]),
        ("Alice likes tea, but Bob likes coffee.", [("but", "Comparison.Contrast")]),
        # multiword connectives, longest first
        ("He left as soon as the meeting ended.", [("as soon as", "Temporal.Asynchronous.Succession")]),
        ("Prices rose. As a result, sales fell.", [("as a result", "Contingency.Cause.Result")]),
        ("Some birds cannot fly. For example, penguins walk.", [("for example",
                                                                  "Expansion.Instantiation.Arg2-as-instance")]),
    ],
)
def test_connectives_and_senses(parser, text, expected):
    assert found(parser, text) == expected


@pytest.mark.slow
def test_because_after_a_belief_verb_is_a_reason_to_believe(parser):
    assert found(parser, "I think it is reckless, because it can hurt returns.") == [
        ("because", "Contingency.Cause+Belief.Reason")]


@pytest.mark.slow
def test_a_condition_on_a_question_is_on_the_speech_act(parser):
    assert found(parser, "If you are hungry, do you want a sandwich?") == [("if", "Contingency.Condition+SpeechAct")]


def _words(doc, i):
    return doc.tokens[i].text if i is not None else None


@pytest.mark.slow
def test_arg2_is_the_subordinate_clause_and_arg1_the_matrix(parser):
    doc, (rel,) = relations(parser, "I moved to Paris because I got a job at Airbus.")
    assert (_words(doc, rel.arg1), _words(doc, rel.arg2), rel.inter) == ("moved", "got", False)
    from graphmem.nlp.discourse import arg_tokens

    arg1, arg2 = arg_tokens(doc, rel)
    assert " ".join(doc.tokens[i].text for i in sorted(arg2)) == "I got a job at Airbus"
    assert "because" not in {doc.tokens[i].text for i in arg1 | arg2}


@pytest.mark.slow
def test_a_preposed_clause_has_the_main_clause_as_arg1(parser):
    doc, (rel,) = relations(parser, "If it rains, we will stay home.")
    assert (_words(doc, rel.arg1), _words(doc, rel.arg2)) == ("stay", "rains")


@pytest.mark.slow
def test_coordinated_clauses_are_arg1_and_arg2(parser):
    doc, (rel,) = relations(parser, "It was raining, but we went out.")
    assert (_words(doc, rel.arg1), _words(doc, rel.arg2)) == ("raining", "went")


@pytest.mark.slow
def test_a_sentence_initial_connective_takes_the_previous_sentence(parser):
    doc, (rel,) = relations(parser, "Alice stayed home. However, Bob went to the party.")
    assert rel.inter and (_words(doc, rel.arg1), _words(doc, rel.arg2)) == ("stayed", "went")


@pytest.mark.slow
def test_arg1_skips_the_attribution(parser):
    doc, (rel,) = relations(parser, "The shop was closed. I think, however, that it reopens soon.")
    assert _words(doc, rel.arg1) == "closed"


@pytest.mark.slow
def test_a_fragment_connective_takes_the_previous_turn(parser):
    doc, (rel,) = relations(parser, "Because I got a job at Airbus.")
    assert rel.arg1 is None and rel.inter and _words(doc, rel.arg2) == "got"


@pytest.mark.slow
def test_lexicon_baseline_matches_without_the_parse(parser):
    from graphmem.nlp.discourse import lexicon_matches

    doc = parser.parse("I bought apples and pears since 2010.")
    assert [" ".join(doc.tokens[i].text for i in toks) for toks, _ in lexicon_matches(doc)] == ["and", "since"]


# --- dialogue ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_dialogue_acts(parser):
    from graphmem.nlp.dialogue import dialogue_act

    q, a = parser.parse("Where do you live?"), parser.parse("Berlin.")
    assert dialogue_act(q) == "question"
    assert dialogue_act(a, previous=q) == "answer"
    assert dialogue_act(a, previous=q, same_speaker=True) == "statement"
    assert dialogue_act(parser.parse("I live in Berlin.")) == "statement"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "answer", "expected"),
    [
        ("Where do you live?", "Berlin.", ("Bob", "live_in", "Berlin", True)),
        ("Where are you moving?", "To Lyon.", ("Bob", "move_to", "Lyon", True)),
        ("Who do you work for?", "Airbus.", ("Bob", "work_for", "Airbus", True)),
        ("What do you study?", "Chemistry.", ("Bob", "study", "Chemistry", True)),
        ("What is your job?", "Teacher.", ("Bob", "job", "Teacher", True)),
        ("Who lives in Berlin?", "Carol.", ("Carol", "live_in", "Berlin", True)),
        ("Do you live in Berlin?", "No.", ("Bob", "live_in", "Berlin", False)),
        ("Do you live in Berlin?", "Yes.", ("Bob", "live_in", "Berlin", True)),
    ],
)
def test_a_short_answer_is_a_fact_in_the_question_frame(parser, question, answer, expected):
    from graphmem.nlp.dialogue import answer_frames

    frames = answer_frames(parser.parse(question), parser.parse(answer), asker="Alice", answerer="Bob")
    assert [(f.subject, f.predicate, f.object, f.polarity) for f in frames] == [expected]


@pytest.mark.slow
def test_a_full_sentence_answer_is_left_to_extraction(parser):
    from graphmem.nlp.dialogue import answer_frames

    assert answer_frames(parser.parse("Where do you live?"), parser.parse("I live in Berlin."),
                         asker="Alice", answerer="Bob") == []


# --- the pipeline: links between facts ---------------------------------------------------------------


def _build(parser, turns, *, one_by_one=False):
    from graphmem.model import Source, Utterance
    from graphmem.nlp import Pipeline

    pipe = Pipeline(parser)
    src = Source("src", "ns", "session:s", "dialogue", "h")
    utts = [Utterance(f"u{i}", "ns", "src", text, i, speaker=who) for i, (who, text) in enumerate(turns)]
    if not one_by_one:
        return [pipe.build("ns", src, utts)]
    return [pipe.build("ns", src, [u], previous_utterance_id=utts[i - 1].id if i else None)
            for i, u in enumerate(utts)]


def _links(batches):
    facts = {f.id: f for b in batches for f in b.facts}
    return {(facts[lk.source_fact_id].text, lk.relation, lk.connective, facts[lk.target_fact_id].text)
            for b in batches for lk in b.links}


@pytest.mark.slow
def test_pipeline_links_the_facts_of_arg1_to_those_of_arg2(parser):
    links = _links(_build(parser, [("Alice", "I moved to Paris because I got a job at Airbus.")]))
    assert ("Alice moved to Paris", "Contingency.Cause.Reason", "because", "Alice got job") in links
    assert all(src == "Alice moved to Paris" for src, *_ in links)


@pytest.mark.slow
@pytest.mark.parametrize("one_by_one", [False, True], ids=["one-batch", "turn-by-turn"])
def test_because_answers_why_across_speakers(parser, one_by_one):
    turns = [("Alice", "I quit my job."), ("Bob", "Why?"), ("Alice", "Because my boss was rude.")]
    links = _links(_build(parser, turns, one_by_one=one_by_one))
    assert links == {("Alice quit Alice's job", "Contingency.Cause.Reason", "because", "Alice's boss was rude")}


@pytest.mark.slow
def test_a_why_question_presupposes_what_the_answer_explains(parser):
    batches = _build(parser, [("Alice", "Why did you move to Paris?"), ("Bob", "Because I got a job.")])
    assert ("Bob move to Paris", "Contingency.Cause.Reason", "because", "Bob got job") in _links(batches)


@pytest.mark.slow
def test_pipeline_stores_short_answers(parser):
    (batch,) = _build(parser, [("Alice", "Where do you live?"), ("Bob", "Berlin.")])
    fact = next(f for f in batch.facts if f.predicate == "live_in")
    assert (fact.subject, fact.object, fact.mood) == ("Bob", "Berlin", "asserted")
    anchor = next(a for a in batch.anchors if a.fact_id == fact.id)
    assert anchor.utterance_id == "u1"
    assert fact.object_id in {e.id for e in batch.entities}


# --- the graph: WHY end to end -----------------------------------------------------------------------


@pytest.mark.slow
def test_why_follows_the_reason_link(memory):
    memory.add("I moved to Paris because I got a job at Airbus.", speaker="Alice", session="s1")
    rows = memory.query("WHY (Alice, move_to, Paris)")
    assert rows and {r["fact"] for r in rows} == {"Alice moved to Paris"}
    assert "Alice got job" in {r["reason"] for r in rows}
    assert {(r["relation"], r["connective"]) for r in rows} == {("Contingency.Cause.Reason", "because")}


@pytest.mark.slow
def test_why_follows_a_result_link_backwards(memory):
    memory.add("I got a job at Airbus, so I moved to Toulouse.", speaker="Alice", session="s1")
    rows = memory.query("WHY (Alice, move_to, Toulouse)")
    assert [(r["reason"], r["relation"]) for r in rows][:1] == [("Alice got job", "Contingency.Cause.Result")]


@pytest.mark.slow
def test_why_answered_in_a_later_turn(memory):
    memory.add("I quit my job.", speaker="Alice", session="s1")
    memory.add("Why?", speaker="Bob", session="s1")
    memory.add("Because my boss was rude.", speaker="Alice", session="s1")
    rows = memory.query('WHY (Alice, quit, "Alice\'s job")')
    assert [r["reason"] for r in rows] == ["Alice's boss was rude"]


@pytest.mark.slow
def test_a_short_answer_can_be_matched(memory):
    memory.add("Where do you live?", speaker="Carol", session="s2")
    memory.add("Berlin.", speaker="Bob", session="s2")
    assert memory.query("MATCH (Bob, live_in, ?city) RETURN ?city") == [{"city": "Berlin"}]


# --- the bench ---------------------------------------------------------------------------------------


@pytest.mark.slow
def test_bench_discourse_smoke_json(capsys):
    from bench.__main__ import main

    assert main(["discourse", "--smoke", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["bench"] == "discourse" and report["counts"]["gold_connectives"] == 4
    assert set(report["identification"]) == {"graphmem", "lexicon"}
    assert report["identification"]["graphmem"]["f1"] >= report["identification"]["lexicon"]["f1"]
    assert report["senses"]["graphmem"]["relations"] == 3
    assert report["senses"]["graphmem"]["level1"] == 100.0


# --- turns: dialogue acts and turn → turn relations, stored ------------------------------------------


def _turn_links(memory) -> set[tuple[str, str, str | None, str]]:
    from graphmem.store.base import Statement

    rows = memory.store.run(Statement(
        "MATCH (a:Utterance)-[r:TURN_DISCOURSE]->(b:Utterance) WHERE a.namespace = $ns AND b.namespace = $ns "
        "RETURN a.text AS a, r.relation AS relation, r.connective AS connective, b.text AS b",
        {"ns": memory.namespace})).dicts()
    return {(r["a"], r["relation"], r["connective"], r["b"]) for r in rows}


@pytest.mark.slow
def test_turns_store_their_dialogue_act_and_relations_between_turns(memory):
    from graphmem.store.base import Statement

    for speaker, text in [("Bob", "Where do you live?"), ("Alice", "Berlin."), ("Alice", "I sold my car."),
                          ("Bob", "Why?"), ("Alice", "Because it was too expensive.")]:
        memory.add(text, speaker=speaker, session="s1")
    acts = dict(memory.store.run(Statement(
        "MATCH (u:Utterance) WHERE u.namespace = $ns RETURN u.text AS text, u.act AS act", {"ns": memory.namespace})))
    assert acts == {"Where do you live?": "question", "Berlin.": "answer", "I sold my car.": "statement",
                    "Why?": "question", "Because it was too expensive.": "answer"}
    links = _turn_links(memory)
    assert ("Where do you live?", "answer", None, "Berlin.") in links
    assert ("Why?", "answer", None, "Because it was too expensive.") in links
    # The reason is for the sale, past the bare "Why?": even where no fact was extracted, the turns relate.
    assert ("I sold my car.", "Contingency.Cause.Reason", "because", "Because it was too expensive.") in links
    assert len(links) == 3
    # The query language filters on the act.
    rows = memory.query('RECALL UTTERANCES "where does Alice live" WHERE act = answer LIMIT 5')
    assert rows and {h.text for h in rows} <= {"Berlin.", "Because it was too expensive."}


@pytest.mark.slow
def test_a_turn_added_after_a_restart_still_relates_to_the_stored_turn_before(store_location, namespace):
    from graphmem import Memory

    location, auth = store_location
    with Memory(location, namespace=namespace, auth=auth) as mem:
        mem.add("I moved to Paris.", speaker="Alice", session="s1")
    with Memory(location, namespace=namespace, auth=auth) as mem:  # as after a restart: a fresh pipeline context
        mem.add("Because I got a job at Airbus.", speaker="Alice", session="s1")
        rows = mem.query("WHY (Alice, move_to, Paris)")
        assert {r["fact"] for r in rows} == {"Alice moved to Paris"}
        assert "Alice got job" in {r["reason"] for r in rows}
        assert ("I moved to Paris.", "Contingency.Cause.Reason", "because", "Because I got a job at Airbus.") \
            in _turn_links(mem)
