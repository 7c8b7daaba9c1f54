"""Coreference: speakers, pronouns, names and descriptions resolved, and facts landing on the right entity."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from graphmem.config import DEFAULT_SPACY_MODEL
from graphmem.model import Source, Utterance
from graphmem.nlp import Pipeline, SpacyParser
from graphmem.nlp._lexicon import PRONOUNS, female_share, is_surname
from graphmem.nlp.coref import Resolver
from graphmem.nlp.parse import EntitySpan, ParsedDoc, Token

DIALOGUES = Path(__file__).parent / "data" / "coref_dialogues.jsonl"


# -- no model needed -------------------------------------------------------------------------------


def _doc(text: str, rows: list[tuple], sents: list[tuple[int, int]], ents=()) -> ParsedDoc:
    """A hand-made parse: rows are (text, lemma, upos, tag, dep, head, ent_type, sentence)."""
    toks, at = [], 0
    for i, (word, lemma, upos, tag, dep, head, ent, sent) in enumerate(rows):
        at = text.index(word, at)
        toks.append(Token(i, word, at, lemma, upos, tag, dep, head, ent, sent))
        at += len(word)
    spans = [EntitySpan(s, e, label, text[toks[s].idx:toks[e - 1].end], toks[s].idx, toks[e - 1].end)
             for s, e, label in ents]
    return ParsedDoc(text, toks, sents, spans)


def test_name_gender_prior_and_surnames_ship_with_the_package():
    assert female_share("Mary") > 0.95 and female_share("John") < 0.05 and female_share("Qwxz") is None
    assert is_surname("Rivera") and not is_surname("Atomic")


def test_gender_and_binding_on_a_hand_made_parse():
    # "Mary met John. He thanked her." — he: John (gender), her: Mary (not a co-argument of "thanked").
    text = "Mary met John. He thanked her."
    rows = [("Mary", "Mary", "PROPN", "NNP", "nsubj", 1, "PERSON", 0), ("met", "meet", "VERB", "VBD", "root", 1, "", 0),
            ("John", "John", "PROPN", "NNP", "obj", 1, "PERSON", 0), (".", ".", "PUNCT", ".", "punct", 1, "", 0),
            ("He", "he", "PRON", "PRP", "nsubj", 5, "", 1), ("thanked", "thank", "VERB", "VBD", "root", 5, "", 1),
            ("her", "she", "PRON", "PRP", "obj", 5, "", 1), (".", ".", "PUNCT", ".", "punct", 5, "", 1)]
    doc = _doc(text, rows, [(0, 4), (4, 8)], [(0, 1, "PERSON"), (2, 3, "PERSON")])
    coref = Resolver().resolve(doc)
    assert coref.referents[4].name == "John" and coref.referents[6].name == "Mary"
    assert doc.coref is coref  # left on the parse
    mary = next(c for c in coref.clusters if c.name == "Mary")
    assert [m.text for m in mary.mentions] == ["Mary", "her"]


def test_speakers_addressee_and_group():
    # Alice: "I think we should call you." — I: Alice, we: Alice's group, you: Bob (the other participant).
    text = "I think we should call you."
    rows = [("I", "I", "PRON", "PRP", "nsubj", 1, "", 0), ("think", "think", "VERB", "VBP", "root", 1, "", 0),
            ("we", "we", "PRON", "PRP", "nsubj", 4, "", 0), ("should", "should", "AUX", "MD", "aux", 4, "", 0),
            ("call", "call", "VERB", "VB", "ccomp", 1, "", 0), ("you", "you", "PRON", "PRP", "obj", 4, "", 0),
            (".", ".", "PUNCT", ".", "punct", 1, "", 0)]
    coref = Resolver(["Alice", "Bob"]).resolve(_doc(text, rows, [(0, 7)]), speaker="Alice")
    assert coref.referents[0].name == "Alice" and coref.referents[5].name == "Bob"
    group = coref.referents[2]
    assert group.group and group.type == "GROUP" and group.name == "Alice's group"


def test_a_fronted_clause_looks_ahead_to_its_subject():
    # "Tom left. Although he was tired, Bob ran." — he: Bob (cataphora), not the earlier Tom.
    text = "Tom left. Although he was tired, Bob ran."
    rows = [("Tom", "Tom", "PROPN", "NNP", "nsubj", 1, "PERSON", 0), ("left", "leave", "VERB", "VBD", "root", 1, "", 0),
            (".", ".", "PUNCT", ".", "punct", 1, "", 0), ("Although", "although", "SCONJ", "IN", "mark", 6, "", 1),
            ("he", "he", "PRON", "PRP", "nsubj", 6, "", 1), ("was", "be", "AUX", "VBD", "cop", 6, "", 1),
            ("tired", "tired", "ADJ", "JJ", "advcl", 9, "", 1), (",", ",", "PUNCT", ",", "punct", 9, "", 1),
            ("Bob", "Bob", "PROPN", "NNP", "nsubj", 9, "PERSON", 1), ("ran", "run", "VERB", "VBD", "root", 9, "", 1),
            (".", ".", "PUNCT", ".", "punct", 9, "", 1)]
    doc = _doc(text, rows, [(0, 3), (3, 11)], [(0, 1, "PERSON"), (8, 9, "PERSON")])
    assert Resolver().resolve(doc).referents[4].name == "Bob"
    # "Tom left. When Ann met him, Bob smiled." — him, the object of the fronted clause: Bob too.
    text = "Tom left. When Ann met him, Bob smiled."
    rows = [*rows[:3], ("When", "when", "SCONJ", "WRB", "mark", 5, "", 1), ("Ann", "Ann", "PROPN", "NNP", "nsubj", 5,
            "PERSON", 1), ("met", "meet", "VERB", "VBD", "advcl", 9, "", 1), ("him", "he", "PRON", "PRP", "obj", 5, "", 1),
            (",", ",", "PUNCT", ",", "punct", 9, "", 1), ("Bob", "Bob", "PROPN", "NNP", "nsubj", 9, "PERSON", 1),
            ("smiled", "smile", "VERB", "VBD", "root", 9, "", 1), (".", ".", "PUNCT", ".", "punct", 9, "", 1)]
    doc = _doc(text, rows, [(0, 3), (3, 11)], [(0, 1, "PERSON"), (4, 5, "PERSON"), (8, 9, "PERSON")])
    assert Resolver().resolve(doc).referents[6].name == "Bob"



def test_a_pronoun_inside_a_fronted_phrases_own_clause_still_looks_ahead():
    # "Ann left. According to a note recording her birth, Rita smiled." — her sits in the object of a
    # clause inside the fronted phrase, not in an argument of the main clause: Rita, not Ann.
    text = "Ann left. According to a note recording her birth, Rita smiled."
    rows = [("Ann", "Ann", "PROPN", "NNP", "nsubj", 1, "PERSON", 0), ("left", "leave", "VERB", "VBD", "root", 1, "", 0),
            (".", ".", "PUNCT", ".", "punct", 1, "", 0), ("According", "accord", "VERB", "VBG", "case", 6, "", 1),
            ("to", "to", "ADP", "IN", "fixed", 3, "", 1), ("a", "a", "DET", "DT", "det", 6, "", 1),
            ("note", "note", "NOUN", "NN", "obl", 12, "", 1), ("recording", "record", "VERB", "VBG", "acl", 6, "", 1),
            ("her", "she", "PRON", "PRP$", "nmod:poss", 9, "", 1), ("birth", "birth", "NOUN", "NN", "obj", 7, "", 1),
            (",", ",", "PUNCT", ",", "punct", 12, "", 1), ("Rita", "Rita", "PROPN", "NNP", "nsubj", 12, "PERSON", 1),
            ("smiled", "smile", "VERB", "VBD", "root", 12, "", 1), (".", ".", "PUNCT", ".", "punct", 12, "", 1)]
    doc = _doc(text, rows, [(0, 3), (3, 14)], [(0, 1, "PERSON"), (11, 12, "PERSON")])
    assert Resolver().resolve(doc).referents[8].name == "Rita"


def _row(word, upos, tag, dep, head, ent="", sent=0):
    return (word, word.lower(), upos, tag, dep, head, ent, sent)


def test_an_object_pronoun_under_object_control_is_not_the_controller():
    # "Mary asked Susan to help her." — Susan is the understood subject of "help": her is Mary.
    text = "Mary asked Susan to help her."
    rows = [_row("Mary", "PROPN", "NNP", "nsubj", 1, "PERSON"), _row("asked", "VERB", "VBD", "root", 1),
            _row("Susan", "PROPN", "NNP", "obj", 1, "PERSON"), _row("to", "PART", "TO", "aux", 4),
            _row("help", "VERB", "VB", "xcomp", 1), _row("her", "PRON", "PRP", "obj", 4), _row(".", "PUNCT", ".", "punct", 1)]
    doc = _doc(text, rows, [(0, 7)], [(0, 1, "PERSON"), (2, 3, "PERSON")])
    assert Resolver().resolve(doc).referents[5].name == "Mary"


def test_an_object_pronoun_in_a_participle_adjunct_is_not_the_main_subject():
    # "Lea met Kim. Lea left, telling her goodbye." — Lea does the telling: her is Kim.
    text = "Lea met Kim. Lea left, telling her goodbye."
    rows = [_row("Lea", "PROPN", "NNP", "nsubj", 1, "PERSON"), _row("met", "VERB", "VBD", "root", 1),
            _row("Kim", "PROPN", "NNP", "obj", 1, "PERSON"), _row(".", "PUNCT", ".", "punct", 1),
            _row("Lea", "PROPN", "NNP", "nsubj", 5, "PERSON", 1), _row("left", "VERB", "VBD", "root", 5, "", 1),
            _row(",", "PUNCT", ",", "punct", 5, "", 1), _row("telling", "VERB", "VBG", "advcl", 5, "", 1),
            _row("her", "PRON", "PRP", "iobj", 7, "", 1), _row("goodbye", "NOUN", "NN", "obj", 7, "", 1),
            _row(".", "PUNCT", ".", "punct", 5, "", 1)]
    doc = _doc(text, rows, [(0, 4), (4, 11)], [(0, 1, "PERSON"), (2, 3, "PERSON"), (4, 5, "PERSON")])
    assert Resolver().resolve(doc).referents[8].name == "Kim"


def test_a_relative_pronoun_subject_is_the_noun_it_modifies():
    # "Anna met Beth, who praised her." — who is Beth, the subject of "praised": her is Anna.
    text = "Anna met Beth, who praised her."
    rows = [_row("Anna", "PROPN", "NNP", "nsubj", 1, "PERSON"), _row("met", "VERB", "VBD", "root", 1),
            _row("Beth", "PROPN", "NNP", "obj", 1, "PERSON"), _row(",", "PUNCT", ",", "punct", 2),
            _row("who", "PRON", "WP", "nsubj", 5), _row("praised", "VERB", "VBD", "acl:relcl", 2),
            _row("her", "PRON", "PRP", "obj", 5), _row(".", "PUNCT", ".", "punct", 1)]
    doc = _doc(text, rows, [(0, 8)], [(0, 1, "PERSON"), (2, 3, "PERSON")])
    assert Resolver().resolve(doc).referents[6].name == "Anna"


def test_the_possessor_of_a_predicate_noun_is_not_its_subject():
    # "Carol retired. Dana was appointed her successor." — one is not one's own successor: her is Carol.
    text = "Carol retired. Dana was appointed her successor."
    rows = [_row("Carol", "PROPN", "NNP", "nsubj", 1, "PERSON"), _row("retired", "VERB", "VBD", "root", 1),
            _row(".", "PUNCT", ".", "punct", 1), _row("Dana", "PROPN", "NNP", "nsubj:pass", 5, "PERSON", 1),
            _row("was", "AUX", "VBD", "aux:pass", 5, "", 1), _row("appointed", "VERB", "VBN", "root", 5, "", 1),
            _row("her", "PRON", "PRP$", "nmod:poss", 7, "", 1), _row("successor", "NOUN", "NN", "xcomp", 5, "", 1),
            _row(".", "PUNCT", ".", "punct", 5, "", 1)]
    doc = _doc(text, rows, [(0, 3), (3, 9)], [(0, 1, "PERSON"), (3, 4, "PERSON")])
    assert Resolver().resolve(doc).referents[6].name == "Carol"


def test_a_fronted_phrase_looks_ahead_to_the_possessor_of_its_subject():
    # "Fiona praised Ella. Since her death, Ella's work has toured." — her: Ella, named after it.
    text = "Fiona praised Ella. Since her death, Ella's work has toured."
    rows = [_row("Fiona", "PROPN", "NNP", "nsubj", 1, "PERSON"), _row("praised", "VERB", "VBD", "root", 1),
            _row("Ella", "PROPN", "NNP", "obj", 1, "PERSON"), _row(".", "PUNCT", ".", "punct", 1),
            _row("Since", "ADP", "IN", "case", 6, "", 1), _row("her", "PRON", "PRP$", "nmod:poss", 6, "", 1),
            _row("death", "NOUN", "NN", "obl", 12, "", 1), _row(",", "PUNCT", ",", "punct", 12, "", 1),
            _row("Ella", "PROPN", "NNP", "nmod:poss", 10, "PERSON", 1), _row("'s", "PART", "POS", "case", 8, "", 1),
            _row("work", "NOUN", "NN", "nsubj", 12, "", 1), _row("has", "AUX", "VBZ", "aux", 12, "", 1),
            _row("toured", "VERB", "VBN", "root", 12, "", 1), _row(".", "PUNCT", ".", "punct", 12, "", 1)]
    doc = _doc(text, rows, [(0, 4), (4, 14)], [(0, 1, "PERSON"), (2, 3, "PERSON"), (8, 9, "PERSON")])
    coref = Resolver().resolve(doc)
    assert coref.referents[5].name == "Ella"
    assert [m.start for m in next(c for c in coref.clusters if c.name == "Ella").mentions] == [2, 5, 8]


def test_a_fronted_participle_phrase_looks_ahead_to_the_subject():
    # "Hana called. Based on her notes, Gina wrote the report." — the parser labels "Based" prep.
    text = "Hana called. Based on her notes, Gina wrote the report."
    rows = [_row("Hana", "PROPN", "NNP", "nsubj", 1, "PERSON"), _row("called", "VERB", "VBD", "root", 1),
            _row(".", "PUNCT", ".", "punct", 1), _row("Based", "VERB", "VBN", "prep", 9, "", 1),
            _row("on", "ADP", "IN", "case", 6, "", 1), _row("her", "PRON", "PRP$", "nmod:poss", 6, "", 1),
            _row("notes", "NOUN", "NNS", "obl", 3, "", 1), _row(",", "PUNCT", ",", "punct", 9, "", 1),
            _row("Gina", "PROPN", "NNP", "nsubj", 9, "PERSON", 1), _row("wrote", "VERB", "VBD", "root", 9, "", 1),
            _row("the", "DET", "DT", "det", 11, "", 1), _row("report", "NOUN", "NN", "obj", 9, "", 1),
            _row(".", "PUNCT", ".", "punct", 9, "", 1)]
    doc = _doc(text, rows, [(0, 3), (3, 13)], [(0, 1, "PERSON"), (8, 9, "PERSON")])
    assert Resolver().resolve(doc).referents[5].name == "Gina"


def test_an_opening_phrase_finds_the_name_after_its_comma_where_the_parse_lost_the_subject():
    # "Ivy left. In her review of the book, Nora Wright found a flaw." — parsed with "Nora Wright" as a
    # conjunct of "book" and no subject for "found" (a real parser error): her is still Nora Wright.
    text = "Ivy left. In her review of the book, Nora Wright found a flaw."
    rows = [_row("Ivy", "PROPN", "NNP", "nsubj", 1, "PERSON"), _row("left", "VERB", "VBD", "root", 1),
            _row(".", "PUNCT", ".", "punct", 1), _row("In", "ADP", "IN", "case", 5, "", 1),
            _row("her", "PRON", "PRP$", "nmod:poss", 5, "", 1), _row("review", "NOUN", "NN", "obl", 12, "", 1),
            _row("of", "ADP", "IN", "case", 8, "", 1), _row("the", "DET", "DT", "det", 8, "", 1),
            _row("book", "NOUN", "NN", "nmod", 5, "", 1), _row(",", "PUNCT", ",", "punct", 8, "", 1),
            _row("Nora", "PROPN", "NNP", "compound", 11, "PERSON", 1), _row("Wright", "PROPN", "NNP", "conj", 8, "PERSON", 1),
            _row("found", "VERB", "VBD", "root", 12, "", 1), _row("a", "DET", "DT", "det", 14, "", 1),
            _row("flaw", "NOUN", "NN", "obj", 12, "", 1), _row(".", "PUNCT", ".", "punct", 12, "", 1)]
    doc = _doc(text, rows, [(0, 3), (3, 16)], [(0, 1, "PERSON"), (10, 12, "PERSON")])
    assert Resolver().resolve(doc).referents[4].name == "Nora Wright"


def test_a_name_said_to_be_a_person_noun_is_a_person():
    # "Quat Zorbu is a radio host." — no NER label, but a host is a person.
    text = "Quat Zorbu is a radio host."
    rows = [_row("Quat", "PROPN", "NNP", "compound", 1), _row("Zorbu", "PROPN", "NNP", "nsubj", 5),
            _row("is", "AUX", "VBZ", "cop", 5), _row("a", "DET", "DT", "det", 5), _row("radio", "NOUN", "NN", "compound", 5),
            _row("host", "NOUN", "NN", "root", 5), _row(".", "PUNCT", ".", "punct", 5)]
    coref = Resolver().resolve(_doc(text, rows, [(0, 7)]))
    assert next(c for c in coref.clusters if c.name == "Quat Zorbu").type == "PERSON"


def test_a_name_in_apposition_to_a_person_noun_is_a_person_whatever_the_ner_says():
    # "He married his wife, Zorwick Quellon, in 1859. She died." — the NER reads the name as an ORG;
    # as the apposition of "wife" it is a person, the wife herself, and "she" is her.
    text = "He married his wife, Zorwick Quellon, in 1859. She died."
    rows = [("He", "he", "PRON", "PRP", "nsubj", 1, "", 0), ("married", "marry", "VERB", "VBD", "root", 1, "", 0),
            ("his", "he", "PRON", "PRP$", "nmod:poss", 3, "", 0), ("wife", "wife", "NOUN", "NN", "obj", 1, "", 0),
            (",", ",", "PUNCT", ",", "punct", 3, "", 0), ("Zorwick", "Zorwick", "PROPN", "NNP", "compound", 6, "ORG", 0),
            ("Quellon", "Quellon", "PROPN", "NNP", "appos", 3, "ORG", 0), (",", ",", "PUNCT", ",", "punct", 3, "", 0),
            ("in", "in", "ADP", "IN", "case", 9, "", 0), ("1859", "1859", "NUM", "CD", "obl", 1, "DATE", 0),
            (".", ".", "PUNCT", ".", "punct", 1, "", 0), ("She", "she", "PRON", "PRP", "nsubj", 12, "", 1),
            ("died", "die", "VERB", "VBD", "root", 12, "", 1), (".", ".", "PUNCT", ".", "punct", 12, "", 1)]
    doc = _doc(text, rows, [(0, 11), (11, 14)], [(5, 7, "ORG"), (9, 10, "DATE")])
    she = Resolver().resolve(doc).referents[11]
    assert she.name == "Zorwick Quellon" and she.type == "PERSON"


def test_a_person_noun_set_off_by_commas_after_a_name_is_that_person_where_the_parse_missed_it():
    # "Bob lived with Ann, his daughter, at her home." — the parser hangs "daughter" on the verb
    # (obl:npmod), not on Ann; between commas after a name it is still Ann, and "her" is Ann.
    text = "Bob lived with Ann, his daughter, at her home."
    rows = [("Bob", "Bob", "PROPN", "NNP", "nsubj", 1, "PERSON", 0), ("lived", "live", "VERB", "VBD", "root", 1, "", 0),
            ("with", "with", "ADP", "IN", "case", 3, "", 0), ("Ann", "Ann", "PROPN", "NNP", "obl", 1, "PERSON", 0),
            (",", ",", "PUNCT", ",", "punct", 1, "", 0), ("his", "he", "PRON", "PRP$", "nmod:poss", 6, "", 0),
            ("daughter", "daughter", "NOUN", "NN", "obl:npmod", 1, "", 0), (",", ",", "PUNCT", ",", "punct", 1, "", 0),
            ("at", "at", "ADP", "IN", "case", 10, "", 0), ("her", "she", "PRON", "PRP$", "nmod:poss", 10, "", 0),
            ("home", "home", "NOUN", "NN", "obl", 1, "", 0), (".", ".", "PUNCT", ".", "punct", 1, "", 0)]
    doc = _doc(text, rows, [(0, 12)], [(0, 1, "PERSON"), (3, 4, "PERSON")])
    out = Resolver().resolve(doc)
    ann = out.referents[9]
    assert ann.name == "Ann" and "his daughter" in [m.text for m in ann.mentions]

def test_coordinated_people_are_they():
    # "Alice and Bob left. They smiled at her." — they: the group of Alice and Bob; her: not the group.
    text = "Alice and Bob left. They smiled at her."
    rows = [("Alice", "Alice", "PROPN", "NNP", "nsubj", 3, "PERSON", 0), ("and", "and", "CCONJ", "CC", "cc", 2, "", 0),
            ("Bob", "Bob", "PROPN", "NNP", "conj", 0, "PERSON", 0), ("left", "leave", "VERB", "VBD", "root", 3, "", 0),
            (".", ".", "PUNCT", ".", "punct", 3, "", 0), ("They", "they", "PRON", "PRP", "nsubj", 6, "", 1),
            ("smiled", "smile", "VERB", "VBD", "root", 6, "", 1), ("at", "at", "ADP", "IN", "case", 8, "", 1),
            ("her", "she", "PRON", "PRP", "obl", 6, "", 1), (".", ".", "PUNCT", ".", "punct", 6, "", 1)]
    doc = _doc(text, rows, [(0, 5), (5, 10)], [(0, 1, "PERSON"), (2, 3, "PERSON")])
    coref = Resolver().resolve(doc)
    they = coref.referents[5]
    assert they.group and they.type == "GROUP" and they.name == "Alice and Bob" and they.members == ("Alice", "Bob")
    assert [(m.text, m.kind) for m in they.mentions] == [("Alice and Bob", "coordination"), ("They", "pronoun")]
    assert coref.referents[8].name == "Alice"  # a singular pronoun still takes one person
    # "Paris and Rome": places make no group of people
    rows = [(w, *r[1:]) for w, r in zip(["Paris", "and", "Rome"], rows[:3])] + rows[3:]
    doc = _doc(text.replace("Alice", "Paris").replace("Bob", "Rome"), rows, [(0, 5), (5, 10)],
               [(0, 1, "GPE"), (2, 3, "GPE")])
    assert not any(c.group for c in Resolver().resolve(doc).clusters)


# -- with the spaCy model --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def parser():
    return SpacyParser(DEFAULT_SPACY_MODEL)


def _batch(parser, texts, speakers=None, *, pipe=None, previous=None, source="src_c"):
    src = Source(source, "ns", "test", "dialogue" if speakers else "document", "h")
    utts = [Utterance(f"{source}_u{i}_{abs(hash(t))}", "ns", source, t, i, speaker=speakers[i] if speakers else None)
            for i, t in enumerate(texts)]
    return (pipe or Pipeline(parser)).build("ns", src, utts, previous_utterance_id=previous), utts


def _facts(batch, mood="asserted"):
    return [(f.subject, f.predicate, f.object) for f in batch.facts if f.mood == mood]


@pytest.mark.slow
def test_she_loves_it_there_lands_on_alice_and_paris(parser):
    text = "Alice moved to Paris. She loves it there."
    batch, (utt,) = _batch(parser, [text])
    love = next(f for f in batch.facts if f.predicate == "love")
    assert (love.subject, love.object) == ("Alice", "Paris")
    assert text[slice(*love.subject_span)] == "She" and text[slice(*love.object_span)] == "it"  # anchored on the pronouns
    alice = next(e for e in batch.entities if e.name == "Alice")
    assert any(m.entity_id == alice.id and text[m.start:m.end] == "She" for m in batch.mentions)


@pytest.mark.slow
def test_locative_there_is_the_place_it_stands_for(parser):
    # "lives there" / "the job is there": facts about the place, anchored on "there".
    text = "Alice moved to Paris because the job is there. Her sister lives there too."
    batch, _ = _batch(parser, [text])
    facts = {(f.subject, f.predicate, f.object): f for f in batch.facts}
    assert ("job", "be_in", "Paris") in facts and ("Alice's sister", "live_in", "Paris") in facts
    live = facts[("Alice's sister", "live_in", "Paris")]
    assert text[slice(*live.object_span)] == "there" and live.text == "Alice's sister lives in Paris"
    job = facts[("job", "be_in", "Paris")]
    assert any(link.relation.endswith("Reason") and job.id in (link.source_fact_id, link.target_fact_id)
               for link in batch.links)  # WHY (Alice, move_to, Paris) finds it


@pytest.mark.slow
def test_they_after_a_coordination_is_the_group(parser):
    text = "Alice and Bob moved to Lyon. They love jazz."
    batch, _ = _batch(parser, [text])
    love = next(f for f in batch.facts if f.predicate == "love")
    group = next(e for e in batch.entities if e.id == love.subject_id)
    assert group.type == "GROUP" and love.subject == "Alice and Bob"
    assert {(f.subject, f.object) for f in batch.facts if f.predicate == "move_to"} == {("Alice", "Lyon"), ("Bob", "Lyon")}
    assert text[slice(*love.subject_span)] == "They"


@pytest.mark.slow
def test_dialogue_pronouns_possessives_and_descriptions(parser):
    batch, _ = _batch(parser, ["My sister Emma works at Google.", "Does she like the job?",
                               "She says the company treats her well. We visit her in Zurich."],
                      ["Bob", "Alice", "Bob"])
    got = _facts(batch)
    assert ("Emma", "work_at", "Google") in got
    assert ("Google", "treat", "Emma") in got  # "the company" → Google, "her" → Emma
    assert ("Bob's group", "visit", "Emma") in got
    group = next(e for e in batch.entities if e.name == "Bob's group")
    assert group.type == "GROUP"


@pytest.mark.slow
def test_you_is_the_addressee(parser):
    batch, _ = _batch(parser, ["I met your brother in Oslo.", "Did you talk to him?"], ["Alice", "Bob"])
    got = _facts(batch)
    assert ("Alice", "meet", "Bob's brother") in got
    assert ("Alice", "talk_to", "Bob's brother") in _facts(batch, "question")  # Bob asks Alice


@pytest.mark.slow
def test_turns_added_one_at_a_time_keep_their_discourse(parser):
    pipe = Pipeline(parser)
    first, utts = _batch(parser, ["I had lunch with Carol today."], ["Alice"], pipe=pipe, source="s1")
    second, _ = _batch(parser, ["Is she still at Airbus?"], ["Bob"], pipe=pipe, previous=utts[-1].id, source="s1")
    (fact,) = [f for f in second.facts if f.predicate == "be_at"]
    assert (fact.subject, fact.object) == ("Carol", "Airbus")
    fresh, _ = _batch(parser, ["Is she still at Airbus?"], ["Bob"], pipe=pipe, source="s2")  # no context: not stored
    assert not [f for f in fresh.facts if f.predicate == "be_at"]


@pytest.mark.slow
def test_spacy_component_sets_coref_spans(parser):
    import spacy

    nlp = spacy.load(DEFAULT_SPACY_MODEL)
    nlp.add_pipe("graphmem_triples")
    doc = nlp("Alice moved to Paris. She loves it there.")
    clusters: dict[str, list[str]] = {}
    for span in doc.spans["graphmem_coref"]:
        clusters.setdefault(span.kb_id_, []).append(span.text)
    assert clusters["Alice"] == ["Alice", "She"] and clusters["Paris"][:2] == ["Paris", "it"]
    assert ("Alice", "love", "Paris") in [(f.subject.text, f.predicate, f.object.text) for f in doc._.graphmem_facts
                                          if f.object is not None]


def _words(name: str) -> set[str]:
    return set(re.sub(r"['’]s\b", "", name.lower()).replace(".", " ").split()) - {"the", "a", "an"}


def _matches(cluster, gold: dict) -> bool:
    if cluster is None:
        return False
    if "group_of" in gold:
        return cluster.group and cluster.name.lower().startswith(gold["group_of"].lower())
    return _words(gold["ref"]) <= _words(cluster.name)


@pytest.mark.slow
def test_dialogue_set(parser):
    """tests/data/coref_dialogues.jsonl: ≥ 95% of I/you/we right, ≥ 85% of third-person pronouns."""
    dialogues = [json.loads(line) for line in DIALOGUES.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert len(dialogues) >= 50
    right, total, misses = {12: 0, 3: 0}, {12: 0, 3: 0}, []
    for d in dialogues:
        docs = list(parser.parse_many([t["text"] for t in d["turns"]]))
        resolver = Resolver([t["speaker"] for t in d["turns"]])
        results = [resolver.resolve(doc, speaker=t["speaker"]) for doc, t in zip(docs, d["turns"])]
        for g in d["gold"]:
            tok = next(t for t in docs[g["turn"]].tokens if t.idx == g["start"])
            kind = 12 if PRONOUNS.get(g["mention"].lower(), (3,))[0] in (1, 2) else 3
            ok = _matches(results[g["turn"]].referents.get(tok.i), g)
            total[kind] += 1
            right[kind] += ok
            if not ok:
                misses.append((d["id"], g["turn"], g["mention"]))
    assert right[12] / total[12] >= 0.95, misses
    assert right[3] / total[3] >= 0.85, misses


@pytest.mark.slow
def test_bench_coref_smoke(capsys):
    from bench.__main__ import main
    from bench.coref import DEFAULT_DATA

    if not DEFAULT_DATA.is_dir():  # CI clones beside ../shared: there a missing split is a failure
        (pytest.fail if os.environ.get("CI", "").lower() in ("1", "true", "yes") else pytest.skip)(
            f"no GAP data at {DEFAULT_DATA}")
    assert main(["coref", "--smoke", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["counts"]["examples"] == 20 and set(report["scores"]) >= {"graphmem", "graphmem, one choice"}
    errs = report["errors"]
    assert sum(errs["M"].values()) + sum(errs["F"].values()) <= 20
    assert errs["M"]["unresolved"] + errs["F"]["unresolved"] == report["counts"]["unresolved"]


@pytest.mark.slow
def test_bench_gap_reads_any_split_of_a_folder_laid_out_like_gap(tmp_path, capsys):
    # A release check runs the kept-back test split from its own folder: `bench gap --split test`.
    from bench.__main__ import main
    from bench.coref import DEFAULT_DATA

    if not DEFAULT_DATA.is_dir():
        (pytest.fail if os.environ.get("CI", "").lower() in ("1", "true", "yes") else pytest.skip)(
            f"no GAP data at {DEFAULT_DATA}")
    lines = (DEFAULT_DATA / "gap-development.tsv").read_text(encoding="utf-8").splitlines(keepends=True)
    (tmp_path / "gap-test.tsv").write_text("".join(lines[:1] + lines[-6:]), encoding="utf-8")
    assert main(["gap", "--data", str(tmp_path), "--split", "test", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["params"]["split"] == "test" and report["counts"]["examples"] == 6
    with pytest.raises(SystemExit, match="gap-validation.tsv"):
        main(["gap", "--data", str(tmp_path), "--split", "validation"])


def test_gap_errors_are_told_apart():
    from bench.coref import Example, error_kind

    ex = Example("x", "", "she", 0, "A", 0, True, "B", 0, False)
    assert error_kind(ex, (True, False), True) is None
    assert error_kind(ex, (False, True), True) == "other candidate"
    assert error_kind(ex, (False, False), True) == "third entity"
    assert error_kind(ex, (False, False), False) == "unresolved"
    assert error_kind(ex, (True, True), True) == "both candidates"
    none = Example("y", "", "he", 0, "A", 0, False, "B", 0, False)
    assert error_kind(none, (False, True), True) == "link where none" and error_kind(none, (False, False), True) is None
