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
3. documents are written in input order, several in one transaction
   (``Store.write_batches``, a group commit, until they hold :data:`GROUP_TURNS` turns), on a
   writer thread: a full group goes to it at once and is written when its vectors are in,
   while the main thread parses on and reads the store on its own connection (the last
   committed state; what is still being written it holds itself). Kùzu and Neo4j's driver
   release the GIL while a statement runs. A group is all or nothing; when it fails, its
   documents are written again one transaction each, so those before the failing one are
   stored and the failure raises, on the main thread, as it would have alone. The
   per-document atomicity and idempotence of ``Memory.add`` hold: a document is never stored
   in part, and one stored already is skipped.

A document that continues a session still waiting to be written waits for that write first:
its position and dialogue context are read back from the store. Each document's outcome is
reported (``on_document``) once its group is committed.

Only the parent process opens the store (Kùzu admits one writing process): workers parse
and nothing else, so ``workers`` pays off where spaCy is the bottleneck and cores are free.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
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
#: documents hold GROUP_TURNS, and goes to the writer thread, which then writes while the next
#: chunks are parsed. A COMMIT after COPYs checkpoints (0.4–0.8 s), so groups stay large; small
#: chunks close the first group early. These suit a model that embeds one text a run (int8):
#: 600 LoCoMo turns, 2 cores, two runs each (2026-11-29, after the model went beside the parser
#: and the group writes were fixed): 512/512 turns 7.57 / 6.85 s, 256/256 7.11 / 7.12, 128/256
#: 7.08 / 7.16, 192/384 6.43 / 6.66, 128/384 6.77 / 6.45.
CHUNK_TURNS = 128
GROUP_TURNS = 384
#: The same for a model that embeds batches (fp32, torch): it sorts a chunk's texts by length,
#: and a larger chunk pads less. fp32, the same turns: 512/512 8.62 / 8.80 s, 256/384 9.64 /
#: 9.93, 128/384 11.75 / 10.54 (CPU 15.6 against 19.7 s).
BATCHED_CHUNK_TURNS = 512
BATCHED_GROUP_TURNS = 512
#: Full groups that may wait for the writer thread while the main thread parses on; one more,
#: and it waits for the oldest.
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
                     on_document: OnDocument | None = None, *, workers: int = 1) -> None:
    """Ingest ``items`` (``(path, documents or the error reading them)``) into ``mem``, noting each
    outcome in ``report`` and calling ``on_document(path, result)`` after each document."""
    # The parser keeps a core busy (each worker process one): the model runs on the others.
    with mem.embedder.beside(workers):
        _ingest(mem, items, report, on_document, workers)


def _ingest(mem: Memory, items: Iterable[Item], report: IngestReport, on_document: OnDocument | None,
            workers: int) -> None:
    parser = mem.pipeline.parser
    _ = mem.embedder  # loaded here: the embedding thread must not wait for the lock this thread holds
    if mem.embedder.one_text_a_run:
        chunk_turns, group_turns = CHUNK_TURNS, GROUP_TURNS
    else:
        chunk_turns, group_turns = BATCHED_CHUNK_TURNS, BATCHED_GROUP_TURNS
    procs = None
    if workers > 1:
        import multiprocessing

        # spawn: a forked child would inherit the store's open handles and the parent's threads
        procs = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_worker_init,
                                    initargs=(mem.config.spacy_model, mem.config.spacy_blis))
    embedding = ThreadPoolExecutor(1, thread_name_prefix="graphmem-embed")
    writing = ThreadPoolExecutor(1, thread_name_prefix="graphmem-write")
    group: list[_Pending] = []  # prepared, waiting for their vectors and their group's commit
    # full groups handed to the writer thread, in input order, with what writing them returns
    in_flight: deque[tuple[list[_Pending], Future[_Written]]] = deque()

    def write(todo: list[_Pending]) -> _Written:
        """On the writer thread: the group once its vectors are in, in one transaction, else
        one document at a time up to the first that fails; its reports and that failure."""
        results: list[WriteReport] = []
        try:
            for p in todo:
                p.vectors.result()
            if len(todo) > 1:
                try:
                    return mem.store.write_batches([p.batch for p in todo]), None
                except Exception:  # noqa: BLE001 - nothing of the group is stored: one by one below
                    pass
            for p in todo:
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
        """Report what the writer thread wrote; with ``wait``, hand it the open group too and wait
        for every group, so that the store holds all that was prepared (outcomes in order)."""
        if wait and group:
            close()
        collect(wait=wait)

    def close() -> None:
        nonlocal group
        in_flight.append((group, writing.submit(write, group)))
        group = []

    try:
        for chunk in _chunks(items, chunk_turns):
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
            for path, doc in chunk:
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
                group.append(_Pending(path, doc, source_id, prepared, vectors))
                if sum(len(p.batch.utterances) for p in group) >= group_turns:
                    close()
                drain(wait=False)
            parser.clear_prefetched()
        drain(wait=True)
    except Exception:
        group = [p for p in group if not p.vectors.cancelled()]
        while group or in_flight:  # what was read before the failure is still written, as one by one would
            try:
                drain(wait=True)
            except Exception:  # noqa: BLE001 - the first error is the one to report
                continue
        raise
    finally:
        parser.clear_prefetched()
        # After an interrupt (KeyboardInterrupt): the group being written finishes, whole, and
        # the groups still queued are dropped; otherwise nothing is left queued by now.
        writing.shutdown(wait=True, cancel_futures=True)
        embedding.shutdown(wait=True, cancel_futures=True)
        if procs is not None:
            procs.shutdown(wait=True, cancel_futures=True)
