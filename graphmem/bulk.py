"""Bulk ingest: many documents through one :class:`~graphmem.Memory`, its stages overlapped.

``Memory.ingest`` hands its documents here. Per chunk of about :data:`CHUNK_TURNS` turns
(:data:`BATCHED_CHUNK_TURNS` with a model that embeds batches):

1. one store lookup finds the turns not stored yet; their texts start embedding on a
   background thread (ONNX Runtime and PyTorch release the GIL) while they are parsed
   together — one ``nlp.pipe`` over many documents, or split across ``workers`` parser
   processes;
2. each document is then extracted as ``Memory.add`` would (``Memory._prepare_batch``), and
   its facts get their vectors on that thread (``Memory._embed``: pooled from their turns'
   token states, or their own texts embedded) while the main thread extracts the next
   document;
3. documents are written in input order, several in one transaction (a group commit, until
   they hold :data:`GROUP_TURNS` turns), on a writer thread: each document goes to it as soon
   as it is prepared (``Store.write_stream``; Kùzu writes it once its vectors are in, Neo4j
   takes the group whole), and the group is committed after its last, while the main thread
   parses on and reads the store on its own connection (the last committed state; what is
   still being written it holds itself). Only the last documents, the group's ``COPY``s and
   its COMMIT are left once everything is parsed. Kùzu and Neo4j's driver
   release the GIL while a statement runs. A group is all or nothing; when it fails, its
   documents are written again one transaction each, so those before the failing one are
   stored and the failure raises, on the main thread, as it would have alone. The
   per-document atomicity and idempotence of ``Memory.add`` hold: a document is never stored
   in part, and one stored already is skipped.

A document that continues a session still waiting to be written waits for that write first:
its position and dialogue context are read back from the store. Each document's outcome is
reported (``on_document``) once its group is committed; ``on_prepared`` hears of it as soon as
it is extracted and handed to the writer (a group of 2,048 turns commits every 15–20 s on two
cores: progress bars follow this).

Only the parent process opens the store (Kùzu admits one writing process): workers parse
and nothing else, so ``workers`` pays off where spaCy is the bottleneck and cores are free.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from queue import SimpleQueue
from typing import TYPE_CHECKING, Any

from .embed import TextVectors
from .errors import InputError
from .model import MemoryBatch
from .readers import Document
from .store.base import WriteReport

if TYPE_CHECKING:
    from .memory import IngestReport, Memory

__all__ = ["ingest_documents", "CHUNK_TURNS", "GROUP_TURNS"]

#: Turns parsed and embedded together, and the turns of a group commit: it closes once its
#: documents hold GROUP_TURNS. Its documents are written as they come, so a group costs its
#: COMMIT, which checkpoints after COPYs and grows with the store (0.3 s for the first 400 LoCoMo
#: turns, 0.75 s for the next 200): few, large groups. These suit a model that embeds one text a
#: run (int8). 600 LoCoMo turns, 2 cores, three runs each (2026-11-29): groups of 192 turns
#: 7.0–7.3 s, 384 6.0–6.6, 1024 (one group) 5.4–5.8; 2,400 turns: 384 29.6 / 48.1 s, 1024
#: 20.3 / 26.5, 2048 19.4 / 20.2, 4096 19.1 / 21.1. Chunks of 128 turns against 256: 5.4–5.8
#: against 5.6–6.1 s.
CHUNK_TURNS = 128
GROUP_TURNS = 2048
#: The same for a model that embeds batches (fp32, torch): it sorts a chunk's texts by length,
#: and a larger chunk pads less. fp32, the same turns, before documents were streamed to the
#: writer: chunks of 512 turns 8.62 / 8.80 s, 256 9.64 / 9.93, 128 10.54 / 11.75.
BATCHED_CHUNK_TURNS = 512
BATCHED_GROUP_TURNS = 2048
#: The turns of a group for a store that takes a group whole (Neo4j, whose managed transaction
#: may run again): it is written once closed, so smaller groups let it overlap the parse (the
#: size all stores used before documents were streamed).
WHOLE_GROUP_TURNS = 384
#: Groups closed and still to be written that may wait while the main thread parses on; one
#: more, and it waits for the oldest.
MAX_IN_FLIGHT = 2

Item = tuple[Path, "list[Document] | InputError"]
_Written = tuple["list[WriteReport]", "BaseException | None"]
OnDocument = Callable[[Path, Any], None]


@dataclass(slots=True)
class _Pending:
    path: Path
    doc: Document
    source_id: str
    batch: MemoryBatch
    vectors: Future[None]


def _chunks(items: Iterable[Item], size: int) -> Iterator[list[tuple[Path, Document | InputError]]]:
    chunk: list[tuple[Path, Document | InputError]] = []
    turns = 0
    for path, docs in items:
        for doc in [docs] if isinstance(docs, InputError) else docs:
            chunk.append((path, doc))
            turns += 0 if isinstance(doc, InputError) else len(doc.turns)
            if turns >= size:
                yield chunk
                chunk, turns = [], 0
    if chunk:
        yield chunk


_WORKER_PARSER: Any = None


def _worker_init(spacy_model: str, blis: bool) -> None:
    global _WORKER_PARSER
    from .embed import limit_blas_threads
    from .nlp import SpacyParser

    limit_blas_threads()
    _WORKER_PARSER = SpacyParser(spacy_model, blis=blis)


def _worker_parse(texts: list[str]) -> list[Any]:
    return list(_WORKER_PARSER.parse_many(texts, batch_size=256))


def _split(texts: list[str], parts: int) -> list[list[str]]:
    size = -(-len(texts) // parts)
    return [texts[i : i + size] for i in range(0, len(texts), size)]


def ingest_documents(mem: Memory, items: Iterable[Item], report: IngestReport,
                     on_document: OnDocument | None = None, *, workers: int = 1,
                     on_prepared: Callable[[Path], None] | None = None) -> None:
    """Ingest ``items`` (``(path, documents or the error reading them)``) into ``mem``, noting each
    outcome in ``report`` and calling ``on_document(path, result)`` after each document."""
    # The parser keeps a core busy (each worker process one): the model runs on the others.
    with mem.embedder.beside(workers):
        _ingest(mem, items, report, on_document, workers, on_prepared)


def _ingest(mem: Memory, items: Iterable[Item], report: IngestReport, on_document: OnDocument | None,
            workers: int, on_prepared: Callable[[Path], None] | None = None) -> None:
    parser = mem.pipeline.parser
    _ = mem.embedder  # loaded here: the embedding thread must not wait for the lock this thread holds
    if mem.embedder.one_text_a_run:
        chunk_turns, group_turns = CHUNK_TURNS, GROUP_TURNS
    else:
        chunk_turns, group_turns = BATCHED_CHUNK_TURNS, BATCHED_GROUP_TURNS
    if not mem.store.capabilities.streamed_writes:
        group_turns = min(group_turns, WHOLE_GROUP_TURNS)
    procs = None
    if workers > 1:
        import multiprocessing

        # spawn: a forked child would inherit the store's open handles and the parent's threads
        procs = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
                                    initargs=(mem.config.spacy_model, mem.config.spacy_blis))
    embedding = ThreadPoolExecutor(1, thread_name_prefix="graphmem-embed")
    writing = ThreadPoolExecutor(1, thread_name_prefix="graphmem-write")
    group: list[_Pending] = []  # the open group's documents: handed to the writer thread as they come
    feed: SimpleQueue[_Pending | None] | None = None  # … through this queue, None closing it
    # groups handed to the writer thread (the open one last), in input order, with what writing them returns
    in_flight: deque[tuple[list[_Pending], Future[_Written]]] = deque()

    def write(documents: SimpleQueue[_Pending | None], expect_turns: int) -> _Written:
        """On the writer thread: a group's documents as they come, each once its vectors are in, in
        one transaction committed after the last (``Store.write_stream``); when that fails, nothing
        of it is stored and it goes again a document at a time, up to the first that fails. Its
        reports and that failure."""
        taken: list[_Pending] = []
        ended = False

        def arriving() -> Iterator[MemoryBatch]:
            nonlocal ended
            while (p := documents.get()) is not None:
                taken.append(p)
                p.vectors.result()
                yield p.batch
            ended = True

        results: list[WriteReport] = []
        try:
            try:
                return mem.store.write_stream(arriving(), expect_turns=expect_turns), None
            except Exception:  # noqa: BLE001 - nothing of the group is stored: one by one below
                while not ended and (p := documents.get()) is not None:
                    taken.append(p)
            for p in taken:
                p.vectors.result()
                results.append(mem.store.write_batch(p.batch))
        except BaseException as exc:  # noqa: BLE001 - raised on the ingesting thread (collect)
            return results, exc
        return results, None

    def collect(*, wait: bool) -> None:
        """Report the written groups in order (``wait``: every group handed over); a document's
        failure raises here, after those before it are reported."""
        while in_flight and (wait or in_flight[0][1].done() or len(in_flight) > MAX_IN_FLIGHT):
            todo, future = in_flight.popleft()
            results, error = future.result()
            for p, result in zip(todo, results):
                mem._record(report, p.doc, result)
                if on_document:
                    on_document(p.path, result)
            if error is not None:
                raise error

    def drain(*, wait: bool) -> None:
        """Report what the writer thread wrote; with ``wait``, close the open group too and wait
        for every group, so that the store holds all that was prepared (outcomes in order)."""
        if wait:
            close()
        collect(wait=wait)

    def add(p: _Pending, expect_turns: int) -> None:
        """Hand ``p`` to the writer thread in the open group, or in a new one that expects about
        ``expect_turns`` turns (the store chooses how to write them from its first document)."""
        nonlocal feed
        if feed is None:
            feed = SimpleQueue()
            in_flight.append((group, writing.submit(write, feed, expect_turns)))
        group.append(p)
        feed.put(p)

    def close() -> None:
        """End the open group: the writer thread commits it after its last document."""
        nonlocal group, feed
        if feed is not None:
            feed.put(None)
        group, feed = [], None

    try:
        chunks = _chunks(items, chunk_turns)
        following = next(chunks, None)
        while following is not None:
            chunk, following = following, next(chunks, None)
            # The turns still to come from each document on: a group opened in the last chunk
            # holds at most those (a few documents added to a large store need no COPY).
            ahead = [0] * (len(chunk) + 1)
            for i in range(len(chunk) - 1, -1, -1):
                d = chunk[i][1]
                ahead[i] = ahead[i + 1] + (0 if isinstance(d, InputError) else len(d.turns))
            docs = [d for _, d in chunk if isinstance(d, Document)]
            utts = [u for d in docs for u in mem._utterances(d, mem._source_for(d))]
            stored = mem.store.existing("Utterance", [u.id for u in utts])
            texts = [u.text for u in utts if u.id not in stored]
            known = TextVectors()  # this chunk's turns: their vectors, and token states for their facts
            if texts:  # the turns' vectors need no parse: embed them while the chunk is parsed
                embedding.submit(mem._embed_texts, texts, known, states=mem.config.fact_vectors == "span")
            if procs is not None and len(texts) > 1:
                parts = _split(texts, workers)
                parser.prefetch(texts, [d for part in procs.map(_worker_parse, parts) for d in part])
            elif texts:
                parser.prefetch(texts)
            drain(wait=False)
            for at, (path, doc) in enumerate(chunk):
                if isinstance(doc, InputError):
                    drain(wait=True)  # outcomes are reported in input order
                    report.errors.append(doc)
                    if on_document:
                        on_document(path, doc)
                    continue
                source_id = mem._source_for(doc).id
                if any(p.source_id == source_id for g in (*(t for t, _ in in_flight), group) for p in g):
                    drain(wait=True)  # the session's tail must be in the store before we continue it
                prepared = mem._prepare_batch(doc)
                if isinstance(prepared, WriteReport):
                    drain(wait=True)
                    mem._record(report, doc, prepared)
                    if on_document:
                        on_document(path, prepared)
                    continue
                vectors = embedding.submit(mem._embed, prepared, known=known)
                add(_Pending(path, doc, source_id, prepared, vectors),
                    group_turns if following is not None else min(group_turns, ahead[at]))
                if on_prepared:
                    on_prepared(path)
                if sum(len(p.batch.utterances) for p in group) >= group_turns:
                    close()
                drain(wait=False)
            parser.clear_prefetched()
        drain(wait=True)
    except Exception:
        close()
        while in_flight:  # what was read before the failure is still written, as one by one would
            try:
                collect(wait=True)
            except Exception:  # noqa: BLE001 - the first error is the one to report
                continue
        raise
    finally:
        parser.clear_prefetched()
        # After an interrupt (KeyboardInterrupt): the group being written finishes, whole, with
        # the documents handed to it so far, and the groups still queued are dropped; otherwise
        # nothing is left queued by now.
        close()
        writing.shutdown(wait=True, cancel_futures=True)
        embedding.shutdown(wait=True, cancel_futures=True)
        if procs is not None:
            procs.shutdown(wait=True, cancel_futures=True)
