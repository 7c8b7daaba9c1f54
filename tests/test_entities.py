"""Entity identity: the alias index new documents resolve against, and merges that undo without loss.

The store tests run over both stores (Kùzu and a real Neo4j) with hand-made batches: no NLP model.
The last tests go through :class:`Memory` and the real pipeline (marked ``slow``).
"""

from __future__ import annotations

import pytest

from graphmem.entities import AliasIndex, lookup, merge, merges, unmerge
from graphmem.errors import EntityError
from graphmem.model import Entity, Fact, FactAnchor, MemoryBatch, Mention, Source, Utterance, make_id
from graphmem.store.base import Statement

DIM = 384


@pytest.fixture
def store(memory):
    """The store of a :class:`Memory` on each backend (opening one loads no model)."""
    return memory.store


def _batch(ns: str, doc: str, facts: list[tuple[str, str, str]], types: dict[str, str]) -> MemoryBatch:
    """One utterance per (subject, predicate, object); each names both entities (mentions)."""
    src = Source(make_id("src", ns, doc), ns, f"test:{doc}", "document", make_id("hash", ns, doc), doc)
    batch = MemoryBatch(ns, src)
    ents: dict[str, Entity] = {}

    def ent(name: str) -> Entity:
        if name not in ents:
            ents[name] = Entity(make_id("ent", ns, name.lower()), ns, name, types[name], (name,))
        return ents[name]

    for pos, (s, p, o) in enumerate(facts):
        text = f"{s} {p.replace('_', ' ')} {o}."
        u = Utterance(make_id("utt", ns, doc, pos), ns, src.id, text, pos, embedding=[1.0] + [0.0] * (DIM - 1))
        batch.utterances.append(u)
        se, oe = ent(s), ent(o)
        o_at = text.rindex(o)
        batch.mentions += [Mention(se.id, u.id, 0, len(s), s), Mention(oe.id, u.id, o_at, o_at + len(o), o)]
        fid = make_id("fact", ns, u.id, p)
        batch.facts.append(Fact(fid, ns, se.id, s, p, p.replace("_", " "), o, text[:-1], object_id=oe.id,
                                subject_span=(0, len(s)), object_span=(o_at, o_at + len(o)),
                                embedding=[1.0] + [0.0] * (DIM - 1)))
        batch.anchors.append(FactAnchor(fid, u.id, 0, len(text) - 1))
    batch.entities = list(ents.values())
    return batch


TYPES = {"Alice Smith": "PERSON", "A. Smith": "PERSON", "Airbus": "ORG", "Toulouse": "GPE", "Bob": "PERSON"}
FACTS = [("Alice Smith", "work_at", "Airbus"), ("A. Smith", "live_in", "Toulouse"), ("Bob", "meet", "A. Smith"),
         ("A. Smith", "know", "Alice Smith")]


def _q(store, text: str, **params) -> set[tuple]:
    return set(store.run(Statement(text, params)).rows)


def snapshot(store, ns: str) -> dict[str, object]:
    """Every edge that touches an entity, and every entity's aliases: what a merge changes."""
    return {
        "subject": _q(store, "MATCH (f:Fact)-[:SUBJECT]->(e:Entity) WHERE e.namespace = $ns RETURN f.id, e.id", ns=ns),
        "object": _q(store, "MATCH (f:Fact)-[:OBJECT]->(e:Entity) WHERE e.namespace = $ns RETURN f.id, e.id", ns=ns),
        "related": _q(store, "MATCH (a:Entity)-[r:RELATED]->(b:Entity) WHERE a.namespace = $ns "
                             "RETURN a.id, b.id, r.fact_id, r.predicate", ns=ns),
        "mentions": _q(store, "MATCH (e:Entity)-[m:MENTIONED_IN]->(u:Utterance) WHERE e.namespace = $ns "
                              "RETURN e.id, u.id, m.char_start, m.char_end, m.text", ns=ns),
        "aliases": {(r[0], tuple(r[1])) for r in store.run(Statement(
            "MATCH (e:Entity) WHERE e.namespace = $ns RETURN e.id, e.aliases", {"ns": ns})).rows},
        "entities": _q(store, "MATCH (e:Entity) WHERE e.namespace = $ns RETURN e.id, e.name", ns=ns),
    }


def test_merge_moves_everything_and_unmerge_puts_it_back(store, namespace):
    store.write_batch(_batch(namespace, "d1", FACTS, TYPES))
    before = snapshot(store, namespace)
    alice, smith = make_id("ent", namespace, "alice smith"), make_id("ent", namespace, "a. smith")

    record = merge(store, namespace, "Alice Smith", "A. Smith")
    assert (record["kept_id"], record["merged_id"]) == (alice, smith)
    assert record["facts"] == 3 and record["mentions"] == 3
    after = snapshot(store, namespace)
    assert not any(e == smith for _, e in after["subject"] | after["object"])  # nothing left on the merged one
    assert {f for f, e in after["subject"] if e == alice} == {f for f, e in before["subject"] if e in (alice, smith)}
    assert (alice, alice) in {(a, b) for a, b, _, _ in after["related"]}  # "A. Smith knows Alice Smith": now a loop
    assert len(after["related"]) == len(before["related"]) and len(after["mentions"]) == len(before["mentions"])
    assert dict(after["aliases"])[alice] == ("Alice Smith", "A. Smith")
    assert after["entities"] == before["entities"]  # the merged entity is kept, not deleted
    rows = store.run(Statement("MATCH (:Fact)-[:SUBJECT]->(e:Entity) WHERE e.id = $id RETURN count(*)",
                               {"id": alice})).scalar()
    assert rows == 3
    assert [m["undone"] for m in merges(store, namespace)] == [""]

    undone = unmerge(store, namespace, "A. Smith")
    assert undone["id"] == record["id"] and undone["undone"]
    assert snapshot(store, namespace) == before  # nothing lost, nothing left behind
    assert merges(store, namespace)[0]["undone"] == undone["undone"]
    with pytest.raises(EntityError):
        unmerge(store, namespace, record["id"])  # already undone

    again = merge(store, namespace, "Alice Smith", "A. Smith")  # a merge can be redone after an undo
    assert again["id"] != record["id"]
    unmerge(store, namespace, again["id"])
    assert snapshot(store, namespace) == before


def test_merge_refusals_are_entity_errors(store, namespace):
    store.write_batch(_batch(namespace, "d1", FACTS, TYPES))
    with pytest.raises(EntityError, match="no entity"):
        merge(store, namespace, "Alice Smith", "Nobody")
    with pytest.raises(EntityError, match="same entity"):
        merge(store, namespace, "Alice Smith", "Alice Smith")
    with pytest.raises(EntityError):
        merge(store, namespace, "Alice Smith", " ")
    with pytest.raises(EntityError, match="no merge"):
        unmerge(store, namespace, "Bob")
    merge(store, namespace, "Alice Smith", "A. Smith")
    with pytest.raises(EntityError, match="already merged"):
        merge(store, namespace, "Bob", "A. Smith")
    merge(store, namespace, "Bob", "Alice Smith")  # a chain: A. Smith → Alice Smith → Bob
    with pytest.raises(EntityError, match="undo that merge first"):
        unmerge(store, namespace, "A. Smith")  # merges undo in reverse order
    unmerge(store, namespace, "Alice Smith")
    unmerge(store, namespace, "A. Smith")
    assert all(m["undone"] for m in merges(store, namespace))


def test_merges_stay_in_their_namespace(store, namespace):
    other = namespace + "_other"
    store.write_batch(_batch(namespace, "d1", FACTS, TYPES))
    store.write_batch(_batch(other, "d1", FACTS, TYPES))
    theirs = snapshot(store, other)
    merge(store, namespace, "Alice Smith", "A. Smith")
    assert snapshot(store, other) == theirs and merges(store, other) == []
    with pytest.raises(EntityError):
        lookup(store, namespace, make_id("ent", other, "bob"))  # an id from another namespace is unknown here


def test_alias_index_follows_merges(store, namespace):
    store.write_batch(_batch(namespace, "d1", FACTS, TYPES))
    alice = make_id("ent", namespace, "alice smith")
    assert AliasIndex.load(store, namespace).find("A. Smith", "PERSON")[0] == make_id("ent", namespace, "a. smith")
    merge(store, namespace, "Alice Smith", "A. Smith")
    index = AliasIndex.load(store, namespace)
    assert index.find("A. Smith", "PERSON") == (alice, "Alice Smith")
    unmerge(store, namespace, "A. Smith")
    assert AliasIndex.load(store, namespace).find("A. Smith", "PERSON")[0] != alice


def test_alias_index_needs_one_fitting_name():
    rows = [{"id": "e1", "name": "Alice Smith", "type": "PERSON", "aliases": ["Alice Smith", "Ali"]},
            {"id": "e2", "name": "Paris", "type": "GPE", "aliases": ["Paris"]},
            {"id": "e3", "name": "Bob Jones", "type": "PERSON", "aliases": ["Bob Jones"]},
            {"id": "e4", "name": "Carol Jones", "type": "PERSON", "aliases": ["Carol Jones"]}]
    index = AliasIndex(rows)
    assert index.find("Smith", "PERSON") == ("e1", "Alice Smith")  # a part of one stored name
    assert index.find("Ms. Alice Smith", "PERSON")[0] == "e1"  # titles aside
    assert index.find("Ali", "PERSON")[0] == "e1"  # a stored alias
    assert index.find("Smith", "ORG")[0] == "e1"  # a lone surname the NER took for an organization
    assert index.find("Jones", "PERSON") is None  # two stored Joneses: no guess
    assert index.find("Paris Hilton", "PERSON") is None  # a place is not a person
    assert index.find("Smith", "GPE") is None
    assert index.find("the car", "CONCEPT") is None  # only names join across documents
    index.note([Entity("e5", "ns", "Dana Smith", "PERSON", ("Dana Smith",))])
    assert index.find("Smith", "PERSON") is None  # now ambiguous
    assert AliasIndex(rows, {"e3": "e1"}).find("Bob Jones", "PERSON")[0] == "e1"  # merged: the kept one


# -- through Memory and the real pipeline ------------------------------------------------------------


@pytest.mark.slow
def test_a_name_from_an_earlier_document_is_the_same_entity(memory):
    memory.ingest_text("Alice Smith works at Airbus in Toulouse.", name="d1")
    memory.ingest_text("Smith moved to Paris in 2021. Bob Jones met Smith there.", name="d2")
    rows = memory.query('MATCH ("Alice Smith", ?p, ?o) RETURN ?p, ?o')
    assert {"work_at", "move_to"} <= {r["p"] for r in rows}
    assert {"p": "meet", "o": "Alice Smith"} in memory.query('MATCH ("Bob Jones", ?p, ?o) RETURN ?p, ?o')
    memory.add("Alice and I went hiking.", speaker="Bob Jones", session="s1")  # a session, later
    hike = [r for r in memory.query('MATCH (?s, ?p, ?o) RETURN ?s, ?p, ?o') if "hik" in r["p"] + r["o"]]
    assert hike and {r["s"] for r in hike} <= {"Bob Jones", "Alice Smith"}
    names = {r[0] for r in memory.store.run(Statement(
        "MATCH (e:Entity) WHERE e.namespace = $ns RETURN e.name", {"ns": memory.namespace})).rows}
    assert "Smith" not in names and "Alice" not in names


@pytest.mark.slow
def test_memory_merge_and_unmerge(memory):
    memory.ingest_text("Alice Smith works at Airbus.", name="d1")
    memory.ingest_text("Al Smith is a banker in Lyon.", name="d2")
    before = memory.query('MATCH ("Al Smith", ?p, ?o) RETURN ?p, ?o')
    record = memory.merge_entities("Alice Smith", "Al Smith")
    assert record["merged_name"] == "Al Smith"
    assert {r["p"] for r in before} <= {r["p"] for r in memory.query('MATCH ("Alice Smith", ?p, ?o) RETURN ?p, ?o')}
    memory.ingest_text("Al Smith retired in 2020.", name="d3")  # a merged name now lands on the kept entity
    assert "retire" in {r["p"] for r in memory.query('MATCH ("Alice Smith", ?p, ?o) RETURN ?p, ?o')}
    assert [m["merged_name"] for m in memory.entity_merges()] == ["Al Smith"]
    memory.unmerge_entities("Al Smith")
    assert memory.query('MATCH ("Al Smith", ?p, ?o) RETURN ?p, ?o') == before


def test_cli_merges_lists_and_unmerges(tmp_path, namespace):
    import json

    from click.testing import CliRunner

    from graphmem import Memory
    from graphmem.cli import main

    location = str(tmp_path / "store")
    with Memory(location, namespace=namespace) as mem:
        mem.store.write_batch(_batch(namespace, "d1", FACTS, TYPES))
    run = CliRunner().invoke
    common = ["--store", location, "--namespace", namespace, "--json"]
    res = run(main, ["entities", "merge", "Alice Smith", "A. Smith", *common])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output)["merged_name"] == "A. Smith"
    res = run(main, ["entities", "merges", *common])
    assert [(m["kept_name"], m["undone"]) for m in json.loads(res.output)] == [("Alice Smith", "")]
    res = run(main, ["entities", "merge", "Alice Smith", "Nobody", *common])
    assert res.exit_code != 0 and "[GM600]" in res.output and "Traceback" not in res.output
    res = run(main, ["entities", "unmerge", "A. Smith", *common])
    assert res.exit_code == 0 and json.loads(res.output)["undone"]
    res = run(main, ["entities", "merge", "Alice Smith", "A. Smith", "--store", location, "--namespace", namespace,
                     "--read-only"])
    assert res.exit_code != 0 and "read-only" in res.output
