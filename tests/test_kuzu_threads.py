"""The embedded store's transactions: one Kùzu connection per thread, so a bulk ingest's writer
thread holds its transaction while the ingesting thread reads; and a transaction's reads of
the nodes it made itself."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import pytest

from graphmem.store.kuzu import KuzuStore
from test_store_conformance import DIM, TURNS, make_batch


def _in_thread(fn: Callable[[], object]) -> None:
    t = threading.Thread(target=fn)
    t.start()
    t.join()


@contextmanager
def _open_transaction(store: KuzuStore, work: Callable[[], object] = lambda: None) -> Iterator[None]:
    """Another thread begins a transaction and does ``work`` in it; it commits when the block ends."""
    begun, done = threading.Event(), threading.Event()

    def writer() -> None:
        store._raw("BEGIN TRANSACTION")
        work()
        begun.set()
        done.wait(30)
        store._raw("COMMIT")

    t = threading.Thread(target=writer)
    t.start()
    assert begun.wait(30)
    try:
        yield
    finally:
        done.set()
        t.join()


def _store(tmp_path) -> KuzuStore:
    store = KuzuStore(tmp_path / "s")
    store.ensure_schema(embedding_dim=DIM)
    return store


def test_a_read_during_another_threads_transaction_sees_the_last_commit(tmp_path):
    store = _store(tmp_path)
    first, second = make_batch("ns", "d1", TURNS), make_batch("ns", "d2", TURNS)
    store.write_batch(first)
    ids = [u.id for u in first.utterances + second.utterances]
    with _open_transaction(store, lambda: store._write(second, frozenset(), store._tx([second]))):
        during = store.existing("Utterance", ids)  # this thread's own connection, outside that transaction
    assert during == {u.id for u in first.utterances}
    assert store.existing("Utterance", ids) == set(ids)
    store.close()


def test_a_reopen_waits_for_other_threads_and_finished_threads_give_back_their_connection(tmp_path):
    store = _store(tmp_path)
    batch = make_batch("ns", "d1", TURNS)
    one = [batch.utterances[0].id]
    _in_thread(lambda: store.write_batch(batch))
    with _open_transaction(store):
        store._reopen_due = True  # as after a large read; not while the other thread's transaction is open
        assert store.existing("Utterance", one) and store.reopened == 0
    assert store.existing("Utterance", one) and store.reopened == 1
    # The reopen closed every connection; this thread made a new one, and only it is held now.
    assert list(store._conns) == [threading.get_ident()]
    for _ in range(3):  # each new thread's connection closes the finished one's
        _in_thread(lambda: store.existing("Utterance", one))
    assert threading.get_ident() in store._conns and len(store._conns) == 2
    store.close()


@pytest.mark.parametrize("lookups", ["joined", "one_by_one"])
def test_a_transaction_finds_the_nodes_it_made(tmp_path, monkeypatch, lookups):
    """Kùzu 0.11.3 answers ``n.id IN $ids`` over a primary key with another node (the one made
    before it) when the node was made in the same transaction: a group commit then missed a
    document's facts stored by the one before it, and a supersession read another subject's
    facts (a KeyError in ``Memory.add``). The key lookups of existing_*.cypher and
    supersede_candidates.cypher find it."""
    if lookups == "one_by_one":  # as in a table above KEY_LOOKUPS_ABOVE nodes
        monkeypatch.setattr("graphmem.store.kuzu.KEY_LOOKUPS_ABOVE", 0)
    store = _store(tmp_path)
    store.write_batch(make_batch("ns", "d0", TURNS))  # committed nodes before the new ones
    batch = make_batch("other", "d1", TURNS[:1])  # one of each node, as in the cases seen; entities new too
    store._raw("BEGIN TRANSACTION")
    store._write(batch, frozenset(), store._tx([batch]))
    for f in batch.facts:
        assert store.existing("Fact", [f.id]) == {f.id}
        rows = store._raw(store.templates["supersede_candidates"], {
            "entity": f.subject_id, "namespace": "other", "predicates": [f.predicate]}).dicts()
        assert [r["id"] for r in rows] == [f.id]
    for u in batch.utterances:
        assert store.existing("Utterance", [u.id]) == {u.id}
        assert store.existing("Utterance", [u.id, "utt_missing", u.id]) == {u.id}
    store._raw("ROLLBACK")
    assert not store.existing("Fact", [f.id for f in batch.facts])
    store.close()
