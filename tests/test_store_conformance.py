"""One conformance suite for every store: the same batches, the same answers.

Batches are built by hand with fixed vectors, so these tests need no NLP model.
"""

from __future__ import annotations

import math

import pytest

from graphmem.config import Config
from graphmem.errors import StoreError
from graphmem.model import Entity, Fact, FactAnchor, MemoryBatch, Mention, Source, Utterance, make_id
from graphmem.store import open_store
from graphmem.store.base import Statement

DIM = 384  # the shipped model's size: a Neo4j database holds one vector index size


def unit(*xs: float) -> list[float]:
    v = list(xs) + [0.0] * (DIM - len(xs))
    n = math.sqrt(sum(x * x for x in v))
    return [x / n for x in v]


def make_batch(ns: str, doc: str, turns: list[tuple[str, str, str, str, list[float]]]) -> MemoryBatch:
    """turns: (speaker, text, predicate, object, fact vector); one fact per turn, subject = speaker."""
    src = Source(make_id("src", ns, doc), ns, f"test:{doc}", "dialogue", make_id("hash", doc), doc)
    batch = MemoryBatch(ns, src)
    ents: dict[str, Entity] = {}

    def ent(name: str, type_: str) -> Entity:
        if name not in ents:
            ents[name] = Entity(make_id("ent", ns, name.lower()), ns, name, type_, (name,))
        return ents[name]

    for pos, (speaker, text, pred, obj, vec) in enumerate(turns):
        u = Utterance(make_id("utt", ns, doc, pos), ns, src.id, text, pos, speaker, doc, f"2023-05-0{pos + 1}T10:00:00",
                      f"D{pos}", embedding=vec)
        batch.utterances.append(u)
        s, o = ent(speaker, "PERSON"), ent(obj, "ORG")
        start = text.index(obj.split()[0])
        batch.mentions.append(Mention(o.id, u.id, start, start + len(obj), obj))
        fid = make_id("fact", ns, u.id, pred)
        batch.facts.append(
            Fact(fid, ns, s.id, speaker, pred, pred.replace("_", " "), obj, f"{speaker} {pred.replace('_', ' ')} {obj}",
                 object_id=o.id, confidence=0.9, subject_span=(0, 1), relation_span=(2, 7),
                 object_span=(start, start + len(obj)), embedding=vec)
        )
        batch.anchors.append(FactAnchor(fid, u.id, 0, start + len(obj)))
    batch.entities = list(ents.values())
    return batch


TURNS = [
    ("Alice", "I work at Airbus now", "work_at", "Airbus", unit(1, 0, 0)),
    ("Bob", "I play in a jazz band", "play_in", "jazz band", unit(0, 1, 0)),
    ("Alice", "I live in Toulouse", "live_in", "Toulouse", unit(0.7, 0, 0.7)),
]


@pytest.fixture
def store(store_location):
    location, auth = store_location
    user, password = auth if auth else ("neo4j", None)
    st = open_store(Config(store=location, neo4j_user=user, neo4j_password=password))
    st.ensure_schema(embedding_dim=DIM)
    yield st
    st.close()


@pytest.fixture(params=["row_statements", "load_from"])
def kuzu_writes(request, monkeypatch) -> str:
    """Kùzu writes a batch's new utterances and facts a statement a row, or, from LOAD_MIN rows on,
    each kind with one LOAD FROM: these tests run both ways (Neo4j has one way, run twice)."""
    if request.param == "load_from":
        monkeypatch.setattr("graphmem.store.kuzu.LOAD_MIN", 1)
    return request.param


def counts(store, ns: str) -> dict[str, int]:
    res = store.run(store.templates.stmt("stats", namespace=ns))
    return dict(zip(res.columns, res.rows[0]))


def test_write_then_count(store, namespace, kuzu_writes):
    report = store.write_batch(make_batch(namespace, "d1", TURNS))
    assert report.written and report.utterances == 3 and report.facts == 3
    assert counts(store, namespace) == {"sources": 1, "utterances": 3, "entities": 5, "facts": 3}


def edge_counts(store, ns: str) -> dict[str, int]:
    out = {}
    for rel in ("SUBJECT", "OBJECT", "ANCHORED_IN"):
        out[rel] = store.run(Statement(f"MATCH (f:Fact)-[r:{rel}]->() WHERE f.namespace = $ns RETURN count(r)",
                                       {"ns": ns})).scalar()
    out["MENTIONED_IN"] = store.run(Statement("MATCH (:Entity)-[r:MENTIONED_IN]->(u:Utterance) WHERE u.namespace = $ns "
                                              "RETURN count(r)", {"ns": ns})).scalar()
    out["PART_OF"] = store.run(Statement("MATCH (u:Utterance)-[r:PART_OF]->(:Source) WHERE u.namespace = $ns "
                                         "RETURN count(r)", {"ns": ns})).scalar()
    out["RELATED"] = store.run(Statement("MATCH (:Entity)-[r:RELATED]->(:Entity) WHERE r.namespace = $ns "
                                         "RETURN count(r)", {"ns": ns})).scalar()
    return out


def test_every_edge_of_a_fact_is_written(store, namespace, kuzu_writes):
    """Kùzu writes a fact with its edges in one statement: none may go missing, on either store."""
    store.write_batch(make_batch(namespace, "d1", TURNS))
    assert edge_counts(store, namespace) == {"SUBJECT": 3, "OBJECT": 3, "ANCHORED_IN": 3, "RELATED": 3,
                                             "MENTIONED_IN": 3, "PART_OF": 3}
    row = store.run(Statement("MATCH (f:Fact)-[:OBJECT]->(o:Entity) WHERE f.namespace = $ns AND f.predicate = $p "
                              "RETURN o.name, f.evidence", {"ns": namespace, "p": "live_in"})).rows
    assert list(row) == [("Toulouse", 1)]


def test_facts_and_turns_whose_entities_are_missing_are_still_stored(store, namespace, kuzu_writes):
    batch = make_batch(namespace, "d1", TURNS)
    # Bob's fact has no subject entity; Toulouse, object of a fact and mentioned in a turn, is missing too.
    batch.entities = [e for e in batch.entities if e.name not in ("Bob", "Toulouse")]
    assert store.write_batch(batch).facts == 3
    assert counts(store, namespace) == {"sources": 1, "utterances": 3, "entities": 3, "facts": 3}
    assert edge_counts(store, namespace) == {"SUBJECT": 2, "OBJECT": 2, "ANCHORED_IN": 3, "RELATED": 1,
                                             "MENTIONED_IN": 2, "PART_OF": 3}


def test_rewrite_is_idempotent(store, namespace, kuzu_writes):
    store.write_batch(make_batch(namespace, "d1", TURNS))
    again = store.write_batch(make_batch(namespace, "d1", TURNS))
    assert not again.written
    assert counts(store, namespace)["facts"] == 3
    edges = store.run(Statement("MATCH (:Fact)-[r:ANCHORED_IN]->(u:Utterance) WHERE u.namespace = $ns RETURN count(r)",
                                {"ns": namespace})).scalar()
    assert edges == 3


def test_failed_write_leaves_nothing(store, namespace, kuzu_writes, monkeypatch):
    """A write that dies after some statements ran leaves no trace of the document."""
    import graphmem.store._rows as rows_mod

    real = rows_mod.batch_rows

    def exploding(batch, **kw):
        out = real(batch, **kw)
        # Nodes are written, then edges fail: the rows reference an utterance that does not exist.
        return out[:5] + [("edge_anchored", [{"a": "nope", "b": "nope", "char_start": 0, "char_end": 1}]),
                          ("write_source", [{"bad": object()}])]

    module = __import__(f"graphmem.store.{store.name}", fromlist=["batch_rows"])
    monkeypatch.setattr(module, "batch_rows", exploding)
    with pytest.raises((StoreError, TypeError, ValueError, RuntimeError)):
        store.write_batch(make_batch(namespace, "d1", TURNS))
    monkeypatch.setattr(module, "batch_rows", real)
    assert counts(store, namespace) == {"sources": 0, "utterances": 0, "entities": 0, "facts": 0}
    assert store.write_batch(make_batch(namespace, "d1", TURNS)).written
    assert counts(store, namespace)["facts"] == 3


@pytest.fixture(params=["statements", "copy", "stream-statements", "stream-copy"])
def group_writes(request, monkeypatch) -> str:
    """A Kùzu group commit writes edges with statements, or, when the group holds enough of a
    table's edges (COPY_GROUP_MIN), with COPY: these tests run both ways (Neo4j has one way),
    with the group given at once (``write_batches``) or a document at a time (``write_stream``)."""
    if request.param.endswith("copy"):
        monkeypatch.setattr("graphmem.store.kuzu.COPY_GROUP_MIN", 1)
        monkeypatch.setattr("graphmem.store.kuzu.COPY_MIN", 1)
    return request.param


def write_group(store, batches: list[MemoryBatch], how: str) -> list:
    """One group commit, given at once or as a stream that makes each document when asked."""
    if not how.startswith("stream"):
        return store.write_batches(batches)
    return store.write_stream((b for b in batches), expect_turns=sum(len(b.utterances) for b in batches))


MORE = [
    ("Carol", "I moved to Berlin", "move_to", "Berlin", unit(0, 0, 1)),
    ("Alice", "I work at Google now", "work_at", "Google", unit(0.9, 0.1, 0)),  # supersedes d1's Airbus
]


@pytest.mark.parametrize("lookups", ["in_list", "by_key"])
def test_existing_finds_stored_ids_either_way(store, namespace, monkeypatch, lookups):
    """Kùzu answers ``existing`` with one ``IN`` read, or key lookups in a large table (forced
    here); rewriting a stored document is then still skipped whole."""
    if lookups == "by_key":
        monkeypatch.setattr("graphmem.store.kuzu.KEY_LOOKUPS_ABOVE", 0)
    batch = make_batch(namespace, "d1", TURNS)
    store.write_batch(batch)
    utts, facts = [u.id for u in batch.utterances], [f.id for f in batch.facts]
    assert store.existing("Utterance", [*utts, "nope", utts[0]]) == set(utts)
    assert store.existing("Fact", facts[:2] + ["utt-x"]) == set(facts[:2])
    assert store.existing("Fact", []) == set() and store.existing("Utterance", utts[:1] + facts) == {utts[0]}
    assert not store.write_batch(make_batch(namespace, "d1", TURNS)).written


@pytest.mark.parametrize("previous", [None, "utt-before"])
def test_edge_rows_counts_what_batch_rows_gives(previous):
    from graphmem.store._rows import batch_rows, edge_rows

    batch = _more("ns")
    batch.previous_utterance_id = previous
    made = {name: len(rows) for name, rows in batch_rows(batch) if name in edge_rows(batch)}
    assert edge_rows(batch) == made and made["edge_next"] == (2 if previous else 1) and made["edge_related"] == 2


def _graph(store, ns: str) -> dict:
    """Everything a namespace holds that a group write could get wrong: counts, edges, supersessions."""
    facts = store.run(Statement("MATCH (f:Fact)-[:SUBJECT]->(s:Entity) WHERE f.namespace = $ns "
                                "RETURN f.id, s.name, f.evidence, f.superseded IS NULL ORDER BY f.id", {"ns": ns})).rows
    nexts = store.run(Statement("MATCH (a:Utterance)-[:NEXT]->(b:Utterance) WHERE a.namespace = $ns "
                                "RETURN a.id, b.id ORDER BY a.id", {"ns": ns})).rows
    return {"counts": counts(store, ns), "edges": edge_counts(store, ns), "facts": sorted(facts),
            "next": sorted(nexts)}


def _more(ns: str) -> MemoryBatch:
    batch = make_batch(ns, "d2", MORE)
    batch.facts[1].slot = ("work_at",)  # one employer at a time, as Memory marks it (mark_slots)
    return batch


def _count_copies(store) -> list[str]:
    """The rel tables a Kùzu store COPYs into from now on (none on Neo4j)."""
    copied: list[str] = []
    if store.name == "kuzu":
        real = store._copy

        def spy(table, rows, tx):
            copied.append(table)
            return real(table, rows, tx)

        store._copy = spy
    return copied


def test_group_write_stores_what_one_by_one_stores(store, namespace, group_writes):
    docs = [("d1", TURNS), ("d2", MORE), ("d1", TURNS)]  # the last one is stored already

    def batch(ns, d, turns):
        return _more(ns) if d == "d2" else make_batch(ns, d, turns)

    copied = _count_copies(store)
    reports = write_group(store, [batch(namespace, d, turns) for d, turns in docs], group_writes)
    assert [r.written for r in reports] == [True, True, False] and reports[1].facts == 2
    assert bool(copied) == (group_writes.endswith("copy") and store.name == "kuzu")
    other = namespace + "_one"
    for d, turns in docs:
        store.write_batch(batch(other, d, turns))
    got, expected = _graph(store, namespace), _graph(store, other)
    assert got["counts"] == expected["counts"] == {"sources": 2, "utterances": 5, "entities": 8, "facts": 5}
    assert got["edges"] == expected["edges"] and got["edges"]["MENTIONED_IN"] == 5
    assert len(got["next"]) == len(expected["next"]) == 3
    # Alice's Google fact superseded d1's Airbus fact inside the same transaction.
    live = {(name, alive) for _, name, _, alive in got["facts"]}
    assert [alive for _, _, _, alive in got["facts"]].count(False) == 1 and ("Alice", False) in live
    assert sorted(r[1:] for r in got["facts"]) == sorted(r[1:] for r in expected["facts"])


def test_group_write_with_missing_ends_stores_what_one_by_one_stores(store, namespace, group_writes):
    """An edge whose end is missing is skipped; on Kùzu a COPY refuses it, and the group is
    written again with statements, which skip it as Neo4j's do."""
    batch = make_batch(namespace, "d1", TURNS)
    batch.entities = [e for e in batch.entities if e.name not in ("Bob", "Toulouse")]
    copied = _count_copies(store)
    reports = write_group(store, [batch, make_batch(namespace, "d2", MORE)], group_writes)
    assert bool(copied) == (group_writes.endswith("copy") and store.name == "kuzu")  # tried, refused, redone
    assert [r.facts for r in reports] == [3, 2]
    assert edge_counts(store, namespace) == {"SUBJECT": 4, "OBJECT": 4, "ANCHORED_IN": 5, "RELATED": 3,
                                             "MENTIONED_IN": 4, "PART_OF": 5}


def test_failed_group_write_leaves_nothing(store, namespace, group_writes, monkeypatch):
    """A group is all or nothing: a document failing after others were written leaves no trace of any."""
    import graphmem.store._rows as rows_mod

    real = rows_mod.batch_rows
    module = __import__(f"graphmem.store.{store.name}", fromlist=["batch_rows"])

    def exploding(batch, **kw):
        out = real(batch, **kw)
        if batch.source.title != "d2":
            return out
        return out[:5] + [("write_source", [{"bad": object()}])]

    monkeypatch.setattr(module, "batch_rows", exploding)
    with pytest.raises((StoreError, TypeError, ValueError, RuntimeError)):
        write_group(store, [make_batch(namespace, "d1", TURNS), make_batch(namespace, "d2", MORE)], group_writes)
    monkeypatch.setattr(module, "batch_rows", real)
    assert counts(store, namespace) == {"sources": 0, "utterances": 0, "entities": 0, "facts": 0}
    assert [r.written for r in write_group(store, [make_batch(namespace, "d1", TURNS),
                                                   make_batch(namespace, "d2", MORE)], group_writes)] == [True, True]
    assert counts(store, namespace)["facts"] == 5


def test_vector_search_orders_by_cosine(store, namespace):
    store.write_batch(make_batch(namespace, "d1", TURNS))
    hits = store.vector_search("Fact", namespace, unit(1, 0, 0.1), 3)
    preds = [store.run(Statement("MATCH (f:Fact {id: $id}) RETURN f.predicate", {"id": h.id})).scalar() for h in hits]
    assert preds == ["work_at", "live_in", "play_in"]
    assert hits[0].score == pytest.approx(0.995, abs=0.01)  # plain cosine on every store
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_text_search_finds_words(store, namespace):
    store.write_batch(make_batch(namespace, "d1", TURNS))
    hits = store.text_search("Utterance", namespace, "jazz", 5)
    assert len(hits) == 1
    text = store.run(Statement("MATCH (u:Utterance {id: $id}) RETURN u.text", {"id": hits[0].id})).scalar()
    assert text == "I play in a jazz band"
    # Query syntax characters are searched as words, not parsed.
    assert store.text_search("Fact", namespace, 'Airbus" OR (*:*', 5)
    assert store.text_search("Fact", namespace, "   ", 5) == []


def test_namespaces_do_not_leak(store, namespace):
    store.write_batch(make_batch(namespace, "d1", TURNS))
    other = namespace + "_other"
    assert store.vector_search("Fact", other, unit(1, 0, 0), 5) == []
    assert store.text_search("Utterance", other, "jazz", 5) == []
    assert counts(store, other)["facts"] == 0
    # The same document in another namespace is its own copy.
    assert store.write_batch(make_batch(other, "d1", TURNS)).written
    assert counts(store, other)["facts"] == 3 and counts(store, namespace)["facts"] == 3


def test_fact_details_carry_provenance(store, namespace):
    store.write_batch(make_batch(namespace, "d1", TURNS))
    fid = make_id("fact", namespace, make_id("utt", namespace, "d1", 0), "work_at")
    row = store.run(store.templates.stmt("fact_details", ids=[fid], namespace=namespace)).dicts()[0]
    assert row["utterance"] == "I work at Airbus now"
    assert row["utterance"][row["char_start"] : row["char_end"]] == "I work at Airbus"
    assert (row["speaker"], row["session"], row["external_id"]) == ("Alice", "d1", "D0")


def test_search_refuses_unknown_labels(store, namespace):
    with pytest.raises(ValueError):
        store.vector_search("Source", namespace, unit(1), 3)


def test_an_older_kuzu_store_gains_new_properties_on_open(tmp_path, namespace):
    """Schema changes are additive: a store written by an earlier graphmem opens and keeps its rows."""
    location = str(tmp_path / "store")
    st = open_store(Config(store=location))
    st.ensure_schema(embedding_dim=DIM)
    st.write_batch(make_batch(namespace, "d1", TURNS))
    st.run(Statement("ALTER TABLE Utterance DROP act"))  # as before utterances carried a dialogue act
    st.run(Statement("ALTER TABLE DISCOURSE DROP confidence"))
    st.close()
    st = open_store(Config(store=location))
    try:
        st.ensure_schema(embedding_dim=DIM)
        assert counts(st, namespace)["utterances"] == 3
        acts = st.run(Statement("MATCH (u:Utterance) WHERE u.namespace = $ns RETURN u.act", {"ns": namespace})).rows
        assert acts == ((None,),) * 3
        cols = {r[1] for r in st.run(Statement("CALL TABLE_INFO('DISCOURSE') RETURN *")).rows}
        assert "confidence" in cols
    finally:
        st.close()


def test_a_kuzu_page_cache_cap_is_passed_and_the_store_still_works(tmp_path, namespace):
    """GRAPHMEM_KUZU_BUFFER_POOL_MB bounds the embedded store's page cache (Kùzu's default is 80% of
    the machine's memory); a small cap still writes, recalls and searches."""
    config = Config.from_env({"GRAPHMEM_STORE": str(tmp_path / "store"), "GRAPHMEM_KUZU_BUFFER_POOL_MB": "64"})
    st = open_store(config)
    try:
        assert st._db.buffer_pool_size == 64 * 2**20
        st.ensure_schema(embedding_dim=DIM)
        st.write_batch(make_batch(namespace, "d1", TURNS))
        assert counts(st, namespace)["facts"] == 3
        assert st.vector_search("Fact", namespace, unit(1, 0, 0), 1)[0].id == make_id(
            "fact", namespace, make_id("utt", namespace, "d1", 0), "work_at")
    finally:
        st.close()


def test_a_kuzu_page_cache_too_small_for_a_read_says_which_setting(tmp_path, namespace):
    """Kùzu holds a whole result in its page cache: a read larger than the cap is a StoreError
    naming GRAPHMEM_KUZU_BUFFER_POOL_MB, and the store goes on working."""
    from graphmem.store.kuzu import KuzuStore

    st = KuzuStore(tmp_path / "store", buffer_pool_mb=64)
    try:
        st.ensure_schema(embedding_dim=DIM)
        with pytest.raises(StoreError, match="GRAPHMEM_KUZU_BUFFER_POOL_MB"):
            list(st._rows("UNWIND range(1, $n) AS x RETURN x, x + 1 AS y", {"n": 10_000_000}))
        st.write_batch(make_batch(namespace, "d1", TURNS))
        assert counts(st, namespace)["facts"] == 3
    finally:
        st.close()


def _everything(store, ns: str) -> dict[str, list]:
    """Every property of every node and edge of the namespace, ids for ends, sorted; the times an
    entity was seen and a source ingested (stamped at write time) left out."""
    stamped = {"first_seen", "last_seen", "ingested_at"}
    out = {}
    for table in ("Source", "Utterance", "Entity", "Fact", "PART_OF", "NEXT", "SUBJECT", "OBJECT", "RELATED",
                  "ANCHORED_IN", "MENTIONED_IN", "DISCOURSE", "SUPERSEDES"):
        props = [r[1] for r in store.run(Statement(f"CALL TABLE_INFO('{table}') RETURN *", {}, read_only=True)).rows
                 if r[1] not in stamped]
        if table[0].isupper() and table[1].islower():  # a node table
            cols = ", ".join(f"n.{p}" for p in props)
            text = f"MATCH (n:{table}) WHERE n.namespace = $ns RETURN {cols}"
        else:
            cols = ", ".join(["a.id", "b.id", *(f"r.{p}" for p in props)])
            text = f"MATCH (a)-[r:{table}]->(b) WHERE a.namespace = $ns OR b.namespace = $ns RETURN {cols}"
        out[table] = sorted(store.run(Statement(text, {"ns": ns}, read_only=True)).rows, key=repr)
    return out


def test_kuzu_load_from_writes_what_row_statements_write(tmp_path, namespace, monkeypatch):
    """The same batches through one LOAD FROM per kind and through a statement a row: the same graph,
    vectors bit for bit, missing ends handled alike (the facts stay, their edges to nothing do not)."""
    from graphmem.store import kuzu as kuzu_mod

    turns = TURNS + [("Carol", "I study at Cambridge", "study_at", "Cambridge", unit(0, 0, 1)),
                     ("Bob", "I work at Airbus too", "work_at", "Airbus", unit(0.6, 0.8, 0))]
    loads: list[str] = []
    real_load = kuzu_mod.KuzuStore._load

    def counting(self, template, label, rows):
        done = real_load(self, template, label, rows)
        loads.append(f"{label}:{len(rows)}:{done}")
        return done

    monkeypatch.setattr(kuzu_mod.KuzuStore, "_load", counting)
    real_entities = kuzu_mod.KuzuStore._write_entities

    def counting_entities(self, rows, tx):
        real_entities(self, rows, tx)
        loads.append(f"Entity:{len(rows)}")

    monkeypatch.setattr(kuzu_mod.KuzuStore, "_write_entities", counting_entities)
    graphs = {}
    for load_min in (10**9, 1):
        monkeypatch.setattr(kuzu_mod, "LOAD_MIN", load_min)
        st = open_store(Config(store=str(tmp_path / f"s{load_min}")))
        st.ensure_schema(embedding_dim=DIM)
        try:
            first = make_batch(namespace, "d1", turns)
            first.entities = [e for e in first.entities if e.name != "Toulouse"]  # an object that is missing
            st.write_batch(first)
            second = make_batch(namespace, "d2", turns[:2])  # Alice and Bob known: their entities merge
            st.write_batch(second)
            graphs[load_min] = _everything(st, namespace)
        finally:
            st.close()
    # entities always go with one LOAD (_write_entities); utterances and facts from LOAD_MIN rows on.
    # The second document's entities (Alice, Bob, Airbus...) merge into stored ones.
    assert loads == ["Entity:6", "Entity:4",  # LOAD_MIN 10**9
                     "Utterance:5:True", "Entity:6", "Fact:5:True", "Utterance:2:True", "Entity:4", "Fact:2:True"]
    assert graphs[1] == graphs[10**9]
    sizes = {table: len(rows) for table, rows in graphs[1].items()}
    assert sizes == {"Source": 2, "Utterance": 7, "Entity": 6, "Fact": 7, "PART_OF": 7, "NEXT": 5, "SUBJECT": 7,
                     "OBJECT": 6, "RELATED": 6, "ANCHORED_IN": 7, "MENTIONED_IN": 6, "DISCOURSE": 0, "SUPERSEDES": 0}


def test_kuzu_load_from_takes_rows_a_statement_each_when_a_vector_is_missing():
    from graphmem.store.kuzu import _arrow_column

    assert _arrow_column([[1.0, 2.0], None], "FLOAT[2]") is None
    assert _arrow_column([[1.0, 2.0], [3.0]], "FLOAT[2]") is None
    col = _arrow_column([[1.0, 2.0], [3.0, 4.0]], "FLOAT[2]")
    assert col.to_pylist() == [[1.0, 2.0], [3.0, 4.0]]
    assert _arrow_column(["a", None], "STRING").to_pylist() == ["a", None]


def test_one_thread_reads_while_another_writes(store, namespace):
    """Bulk ingest writes on a writer thread while the ingesting thread reads the store: reads
    never lose what they saw, and every write lands. On Kùzu a read is a snapshot, so it sees
    whole documents only; Neo4j reads committed data as it goes (read committed), so a read
    may see part of a document that commits meanwhile."""
    import threading

    batches = [make_batch(namespace, f"d{i}", TURNS) for i in range(6)]
    ids = [u.id for b in batches for u in b.utterances]
    errors: list[BaseException] = []

    def writer() -> None:
        try:
            for b in batches:
                store.write_batch(b)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    thread = threading.Thread(target=writer)
    thread.start()
    seen = []
    while thread.is_alive():
        seen.append(len(store.existing("Utterance", ids)))
    thread.join()
    assert not errors
    if store.name == "kuzu":
        assert all(n % len(TURNS) == 0 for n in seen), seen  # a document's turns come all at once
    assert seen == sorted(seen)
    assert len(store.existing("Utterance", ids)) == len(ids)
    assert counts(store, namespace)["facts"] == len(ids)


def _workload(ns: str, seed: int, docs: int = 20) -> list[MemoryBatch]:
    """Dialogues that share entities and facts, as ingest makes them: entities come back with new
    aliases, facts are said again in later documents, and some are denied after being said (in the
    same document or a later one) — what a group commit reads back from what it wrote."""
    import random

    rnd = random.Random(seed)
    pool = [f"Thing {i}" for i in range(2000)]
    preds = ["like", "visit", "own", "paint"]
    seen: set[str] = set()
    said: set[tuple[str, str, str]] = set()  # claims said so far; a denied one is never said again
    denied: set[tuple[str, str, str]] = set()
    batches = []
    for d in range(docs):
        doc = f"w{d}"
        src = Source(make_id("src", ns, doc), ns, f"test:{doc}", "dialogue", make_id("hash", doc), doc)
        batch = MemoryBatch(ns, src)
        ents: dict[str, Entity] = {}

        def ent(name: str) -> Entity:
            if name not in ents:
                aliases = (f"{name} ({rnd.randint(0, 3)})",) if rnd.random() < 0.4 else ()
                ents[name] = Entity(make_id("ent", ns, name.lower()), ns, name, "THING", aliases)
            return ents[name]

        fresh = rnd.randint(20, 60)  # new entities, and a third as many seen before
        names = pool[len(seen) : len(seen) + fresh] + rnd.sample(sorted(seen), min(len(seen), fresh // 3))
        seen.update(names)
        for pos in range(20):
            text = f"turn {pos} of {doc} about {names[pos % len(names)]}"
            u = Utterance(make_id("utt", ns, doc, pos), ns, src.id, text, pos, "Ann", doc,
                          f"2023-{1 + d // 28:02d}-{1 + d % 28:02d}T10:{pos:02d}:00", embedding=unit(1, d, pos))
            batch.utterances.append(u)
            here = set()
            for _ in range(rnd.randint(1, 3)):
                subject, obj, pred = ent(rnd.choice(["Ann", *names[:5]])), ent(rnd.choice(names)), rnd.choice(preds)
                claim = (subject.id, pred, obj.id)
                if claim in denied or claim in here:
                    continue
                here.add(claim)
                polarity = claim not in said or rnd.random() > 0.3
                (said if polarity else denied).add(claim)
                fid = make_id("fact", ns, subject.id, pred, obj.id, polarity)
                batch.facts.append(Fact(fid, ns, subject.id, subject.name, pred, pred, obj.name,
                                        f"{subject.name} {pred} {obj.name}", object_id=obj.id, polarity=polarity,
                                        embedding=unit(0, d, pos, 1)))
                batch.anchors.append(FactAnchor(fid, u.id, 0, len(text)))
        for e in [ent(n) for n in names]:
            for u in rnd.sample(batch.utterances, 2):
                batch.mentions.append(Mention(e.id, u.id, 0, 4, e.name))
        first: dict[str, Fact] = {}
        for f in batch.facts:  # a fact said twice in a document is one fact with two anchors
            first.setdefault(f.id, f)
        batch.facts = list(first.values())
        batch.entities = list(ents.values())
        batches.append(batch)
    return batches


@pytest.mark.parametrize(("sizes", "how"), [([1], "batches"), ([2], "batches"), ([3, 1, 5], "batches"),
                                           ([1, 1, 1, 1, 1, 1, 1, 2], "batches"), ([3, 1, 5], "stream"),
                                           ([20], "stream")],
                         ids=["one_by_one", "pairs", "groups", "mixed", "streams", "one_stream"])
def test_group_commits_leave_what_one_document_at_a_time_would(store, store_location, namespace, sizes, how):
    """Every entity has the aliases of all its documents, every fact as much evidence as anchors
    and the time of the latest, every fact denied later is superseded, and the same stays after
    reopening. On Kùzu 0.11.3 a transaction that made nodes read some of them back wrong (a join
    over a table instead of a key lookup; an aggregate over anchors) and scrambled entities'
    aliases at the checkpoint after a COPY (kuzu.py, entity_aliases.cypher). A claim is denied
    only after it was said, and never said again then: its fact is superseded by the denial.
    In a stream a transaction makes an entity before later documents name its other aliases:
    they are added after the COMMIT, as a stored entity's are."""
    _write_and_check(store, store_location, namespace, sizes, how)


def test_kuzu_group_commits_by_key_lookups(tmp_path, namespace, monkeypatch):
    """The same in a store whose tables are past KEY_LOOKUPS_ABOVE: a key lookup an id where the
    smaller store joins the ids with the table (existing_entity.cypher, existing_*.cypher)."""
    monkeypatch.setattr("graphmem.store.kuzu.KEY_LOOKUPS_ABOVE", 0)
    for how in ("batches", "stream"):
        location = str(tmp_path / how)
        st = open_store(Config(store=location))
        st.ensure_schema(embedding_dim=DIM)
        _write_and_check(st, (location, None), namespace, [2] if how == "batches" else [4], how)


def test_a_stream_writes_each_document_as_it_comes(store, namespace):
    """Kùzu writes a streamed document before the next is asked for (bulk ingest makes it
    meanwhile); Neo4j takes them all first (its managed transaction may run again). Either way
    the stream is one transaction: a document failing to come leaves none of them stored."""
    events: list[str] = []
    if store.name == "kuzu":
        real = store._write

        def spy(batch, copies, tx):
            events.append("write " + batch.source.title)
            return real(batch, copies, tx)

        store._write = spy

    def docs(fail: bool = False):
        for name, turns in (("d1", TURNS), ("d2", MORE)):
            events.append("make " + name)
            yield make_batch(namespace, name, turns)
        if fail:
            raise ValueError("the third document could not be read")

    with pytest.raises(ValueError, match="third document"):
        store.write_stream(docs(fail=True), expect_turns=50)
    assert counts(store, namespace) == {"sources": 0, "utterances": 0, "entities": 0, "facts": 0}
    events.clear()
    reports = store.write_stream(docs(), expect_turns=50)
    assert [r.written for r in reports] == [True, True] and counts(store, namespace)["facts"] == 5
    if store.name == "kuzu":
        assert events == ["make d1", "write d1", "make d2", "write d2"]
    else:
        assert events == ["make d1", "make d2"]
    assert store.write_stream(iter([]), expect_turns=50) == []


def _write_and_check(store, store_location, namespace, sizes, how="batches") -> None:
    batches = _workload(namespace, seed=7)
    groups, at, k = [], 0, 0
    while at < len(batches):
        n = sizes[k % len(sizes)]
        groups.append(batches[at : at + n])
        at, k = at + n, k + 1
    for group in groups:
        write_group(store, group, how)
    aliases: dict[str, set[str]] = {}
    times = {u.id: u.time for b in batches for u in b.utterances}
    anchors: dict[str, set[str]] = {}
    claims: dict[tuple[str, str, str], dict[bool, str]] = {}  # (subject, predicate, object) → polarity → first fact
    for b in batches:
        for e in b.entities:
            aliases.setdefault(e.id, set()).update(e.aliases)
        for a in b.anchors:
            anchors.setdefault(a.fact_id, set()).add(a.utterance_id)
        for f in b.facts:
            claims.setdefault((f.subject_id, f.predicate, f.object_id), {}).setdefault(f.polarity, f.id)
    denied = {by[True] for by in claims.values() if len(by) == 2}

    def check(st) -> None:
        got = {r[0]: set(r[1] or []) for r in st.run(Statement(
            "MATCH (e:Entity) WHERE e.namespace = $ns RETURN e.id, e.aliases", {"ns": namespace})).rows}
        assert got == aliases
        facts = {r[0]: r[1:] for r in st.run(Statement(
            "MATCH (f:Fact) WHERE f.namespace = $ns RETURN f.id, f.evidence, f.last_mentioned, f.superseded",
            {"ns": namespace})).rows}
        assert {i: (n, last) for i, (n, last, _) in facts.items()} == {
            i: (len(us), max(times[u] for u in us)) for i, us in anchors.items()}
        assert denied and {i for i, (_, _, gone) in facts.items() if gone} >= denied

    check(store)
    location, auth = store_location
    user, password = auth if auth else ("neo4j", None)
    store.close()
    again = open_store(Config(store=location, neo4j_user=user, neo4j_password=password))
    try:
        check(again)
    finally:
        again.close()
