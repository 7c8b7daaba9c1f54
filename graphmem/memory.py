"""``Memory``: the one API that Python users, the CLI and the shell all call."""

from __future__ import annotations

import functools
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import Config
from .errors import ConfigError, InputError, ReadOnlyError
from .model import MemoryBatch, Source, Utterance, iso_time, make_id
from .readers import Document, Turn, expand_paths, iter_documents
from .recall import RecallHit, embedding_text, recall
from .store import Store, open_store
from .embed import TextVectors
from .store.base import WriteReport

if TYPE_CHECKING:
    from .query.compile import Compiled

__all__ = ["Memory", "IngestReport"]


@dataclass(slots=True)
class IngestReport:
    """What an ingest did: per-document write reports and per-file errors."""

    files: int = 0
    written: list[WriteReport] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # uris whose content was already stored
    errors: list[InputError] = field(default_factory=list)

    @property
    def utterances(self) -> int:
        return sum(r.utterances for r in self.written)

    @property
    def facts(self) -> int:
        return sum(r.facts for r in self.written)

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "documents_added": len(self.written),
            "documents_skipped": len(self.skipped),
            "utterances": self.utterances,
            "facts": self.facts,
            "skipped": self.skipped,
            "errors": [{"path": e.path, "line": e.line, "error": e.reason, "code": e.code} for e in self.errors],
        }


def _one_at_a_time(method: Callable[..., Any]) -> Callable[..., Any]:
    """Run a public :class:`Memory` operation under the memory's lock: one Memory may be shared
    by an agent's threads, but its store's connection holds one transaction at a time (Kùzu
    refused a second writer's BEGIN inside the first's), and a document's lookups and write
    must not interleave with another's. Re-entrant, so an ``on_document`` callback may call back."""

    @functools.wraps(method)
    def run(self: Memory, *args: Any, **kwargs: Any) -> Any:
        with self._lock:
            return method(self, *args, **kwargs)

    return run


class Memory:
    """A long-term memory over a graph store.

    Args:
        path_or_uri: a folder for the embedded Kùzu store, or a ``bolt://`` / ``neo4j://``
            URI; default ``GRAPHMEM_STORE``, else ``$GRAPHMEM_HOME/store`` (``./.graphmem``).
        namespace: whose memory this is; nothing crosses namespaces.
        auth: ``(user, password)`` for Neo4j (default from ``GRAPHMEM_NEO4J_*``).
        read_only: refuse writes.
        config: a full :class:`Config` (other keyword arguments override it).

    >>> with Memory("/tmp/gm-doctest", namespace="doc") as mem:  # doctest: +SKIP
    ...     mem.add("I work at Airbus.", speaker="Alice")
    ...     mem.recall("where does Alice work?")[0].text
    'Alice work at Airbus'
    """

    def __init__(
        self,
        path_or_uri: str | Path | None = None,
        *,
        namespace: str = "default",
        auth: tuple[str, str] | None = None,
        read_only: bool = False,
        config: Config | None = None,
    ) -> None:
        overrides: dict[str, Any] = {"read_only": read_only or None}
        if path_or_uri is not None:
            overrides["store"] = str(path_or_uri)
        if auth is not None:
            overrides["neo4j_user"], overrides["neo4j_password"] = auth
        base = Config.from_env() if config is None else config
        self.config = replace(base, **{k: v for k, v in overrides.items() if v is not None})
        if not namespace or not isinstance(namespace, str):
            raise ValueError("namespace must be a non-empty string")
        self.namespace = namespace
        self._lock = threading.RLock()  # see _one_at_a_time
        self._embedder = None
        self._cue_vectors: OrderedDict[str, list[float]] = OrderedDict()  # see _embed_cue
        self._pipeline = None
        self._aliases = None  # the namespace's stored names (graphmem.entities.AliasIndex), loaded on first write
        self.store: Store = open_store(self.config)
        try:
            self.store.ensure_schema(embedding_dim=self._schema_dim())
            self._check_model()
        except BaseException:
            self.store.close()
            raise

    # -- lazily built parts ----------------------------------------------------------------

    @property
    def embedder(self):
        return self._built("_embedder", self._new_embedder)

    @property
    def pipeline(self):
        return self._built("_pipeline", self._new_pipeline)

    def _built(self, attr: str, make: Callable[[], Any]) -> Any:
        """A lazily built part: made once under the lock, read without it (bulk ingest's
        embedding thread reads the embedder while the ingesting thread holds the lock)."""
        part = getattr(self, attr)
        if part is None:
            with self._lock:
                part = getattr(self, attr)
                if part is None:
                    part = make()
                    setattr(self, attr, part)
        return part

    def _new_embedder(self):
        from .embed import Embedder

        c = self.config
        return Embedder(c.embedding_model, batch_size=c.embedding_batch_size,
                        backend=c.embedding_backend, threads=c.embedding_threads, cache_dir=c.cache_dir)

    def _new_pipeline(self):
        from .nlp import Pipeline, SpacyParser
        from .nlp.coref_models import load_cluster_model

        c = self.config
        return Pipeline(SpacyParser(c.spacy_model, blis=c.spacy_blis), coref_model=load_cluster_model(c.coref),
                        coref_mode=c.coref_mode, coreference=c.coreference, discourse=c.discourse)

    def _schema_dim(self) -> int:
        # The dimension is recorded beside the model name in the store's Meta, so opening an
        # existing store needs no model load; a different model on the same store is refused.
        from .embed import model_dimension

        return model_dimension(self.config.embedding_model)

    def _check_model(self) -> None:
        t = self.store.templates
        stored = self.store.run(t.stmt("meta_get", key="embedding_model")).scalar()
        if stored is None and not self.config.read_only:
            self.store.run(t.stmt("meta_set", key="embedding_model", value=self.config.embedding_model))
        elif stored is not None and stored != self.config.embedding_model:
            raise ConfigError(
                f"the store at {self.config.store_location} holds embeddings of {stored!r}, "
                f"not {self.config.embedding_model!r}; use that model or a new store"
            )

    # -- writing ---------------------------------------------------------------------------

    def _check_writable(self) -> None:
        if self.config.read_only:
            raise ReadOnlyError("this memory is read-only", store=self.store.name)

    @_one_at_a_time
    def add(
        self,
        text: str,
        *,
        speaker: str | None = None,
        session: str | None = None,
        at: datetime | str | None = None,
    ) -> WriteReport:
        """Remember one utterance (a dialogue turn), said by ``speaker`` in ``session`` at ``at``.

        The same turn (same session, speaker, time and text) added twice is stored once.
        """
        self._check_writable()
        if not isinstance(text, str) or not text.strip():
            raise InputError("nothing to remember: the text is empty")
        name = session or "default"
        doc = Document(
            uri=f"session:{name}",
            kind="dialogue",
            turns=[Turn(text.strip(), speaker, iso_time(at))],
            title=name,
            session=name,
        )
        return self._write_document(doc)

    @_one_at_a_time
    def ingest(
        self,
        paths: Iterable[str | Path] | str | Path,
        *,
        on_document: Callable[[Path, WriteReport | InputError | None], None] | None = None,
        workers: int = 1,
        on_prepared: Callable[[Path], None] | None = None,
    ) -> IngestReport:
        """Ingest files and folders (``.txt``/``.md`` documents, ``.jsonl`` chat logs).

        A file that cannot be read is reported and skipped; the others are still ingested.
        Each document is written atomically; content already stored is skipped.
        ``on_document(path, result)`` is called after each document, once it is stored (its
        group committed), and ``on_prepared(path)`` as soon as it is parsed and handed to the
        writer, before that (for progress bars).
        Parsing is batched across documents and embedding overlaps it (:mod:`graphmem.bulk`);
        ``workers`` > 1 parses in that many processes.
        """
        from .bulk import ingest_documents

        self._check_writable()
        if workers < 1:
            raise ValueError("workers must be at least 1")
        if isinstance(paths, (str, Path)):
            paths = [paths]
        files, errors = expand_paths(paths)
        report = IngestReport(files=len(files), errors=list(errors))
        ingest_documents(self, iter_documents(files), report, on_document, workers=workers, on_prepared=on_prepared)
        return report

    @_one_at_a_time
    def ingest_text(self, text: str, *, format: str = "text", name: str = "<stdin>") -> IngestReport:
        """Ingest text that is not in a file (e.g. standard input), read as ``text``, ``jsonl`` or ``csv``."""
        from .readers import read_text

        self._check_writable()
        report = IngestReport(files=1)
        try:
            docs = read_text(text, kind=format, name=name)
        except InputError as exc:
            report.errors.append(exc)
            return report
        for doc in docs:
            self._record(report, doc)
        return report

    def _record(self, report: IngestReport, doc: Document, result: WriteReport | None = None) -> WriteReport:
        """Write one document (unless ``result`` says how that went) and note in ``report``
        whether it was new or already stored."""
        result = self._write_document(doc) if result is None else result
        if result.written:
            report.written.append(result)
        else:
            report.skipped.append(doc.uri)
        return result

    def _source_for(self, doc: Document) -> Source:
        if doc.kind == "dialogue":
            sid = make_id("src", self.namespace, "session", doc.session)
        else:
            sid = make_id("src", self.namespace, "document", doc.content_hash)
        return Source(sid, self.namespace, doc.uri, doc.kind, doc.content_hash, doc.title, doc.time)

    def _utterances(self, doc: Document, source: Source) -> list[Utterance]:
        out = []
        seen: dict[tuple, int] = {}
        for pos, t in enumerate(doc.turns):
            if doc.kind == "dialogue":
                key = (t.speaker, t.time, t.text)
                seen[key] = seen.get(key, -1) + 1
                uid = make_id("utt", self.namespace, source.id, *key, seen[key])
            else:
                uid = make_id("utt", self.namespace, source.id, pos)
            out.append(
                Utterance(uid, self.namespace, source.id, t.text, pos, t.speaker, doc.session, t.time, t.external_id)
            )
        return out

    def _write_document(self, doc: Document) -> WriteReport:
        batch = self._prepare_batch(doc)
        if isinstance(batch, WriteReport):
            return batch
        self._embed(batch)
        return self.store.write_batch(batch)

    def _prepare_batch(self, doc: Document) -> MemoryBatch | WriteReport:
        """Everything but embedding and writing: the new turns parsed and extracted, or the
        report of a document whose content is already stored."""
        t = self.store.templates
        source = self._source_for(doc)
        utts = self._utterances(doc, source)
        existing = self.store.existing("Utterance", [u.id for u in utts])
        new = [u for u in utts if u.id not in existing]
        if not new:
            return WriteReport(source.id, written=False)
        previous = None
        if doc.kind == "dialogue":
            tail = self.store.run(t.stmt("session_tail", source_id=source.id)).rows
            if tail:
                previous, last = tail[0]
                for i, u in enumerate(new):
                    u.position = last + 1 + i
                self._restore_dialogue(source, previous, last)
        batch = self.pipeline.build(self.namespace, source, new, previous_utterance_id=previous,
                                    known=self._alias_index())
        from .nlp.evidence import mark_slots

        mark_slots(batch, self.config.functional_predicates)
        return batch

    def _restore_dialogue(self, source: Source, previous: str, last: int) -> None:
        """Read the session's last turns back from the store unless this process holds them.

        A turn added after a restart ("Because I got a job.") then still relates to the turn
        before it, as it would have in one process.
        """
        from .nlp.links import stored_turns

        dialogue = self.pipeline.dialogue
        if dialogue.knows(self.namespace, source.id, previous):
            return
        rows = self.store.run(self.store.templates.stmt(
            "turn_context", source_id=source.id, namespace=self.namespace,
            from_position=last - dialogue.keep + 1)).dicts()
        if rows:
            dialogue.restore(self.namespace, source.id,
                             stored_turns(self.namespace, rows, self.pipeline.parser.parse_many))

    def _embed(self, *batches: MemoryBatch, known: TextVectors | None = None) -> None:
        """Give each batch's new turns and facts the vectors recall searches.

        Turns: each distinct text embedded once. Facts, with ``fact_vectors = "span"`` (the
        default): the mean of the token vectors of the fact's first anchor span, from the model
        run that embedded its turn (:class:`~graphmem.embed.TokenStates`), so a fact costs no
        run of its own; a fact whose span lies past the model's length, and every fact with
        ``"text"``, gets its own text embedded. ``known``: what was embedded already; bulk ingest
        shares one per chunk and fills it with the chunk's turns while it parses them.
        """
        known = TextVectors() if known is None else known
        if self.config.fact_vectors != "span":  # one call for every text (a fact often restates its turn)
            items = [x for b in batches for x in (*b.utterances, *b.facts)]
            self._embed_texts([x.text for x in items], known)
            for x in items:
                x.embedding = known.vectors[x.text]
            return
        utts = [u for b in batches for u in b.utterances]
        self._embed_texts([u.text for u in utts], known, states=True)
        for u in utts:
            u.embedding = known.vectors[u.text]
        rest = []
        for b in batches:
            first: dict[str, Any] = {}
            for a in b.anchors:
                first.setdefault(a.fact_id, a)
            text_of = {u.id: u.text for u in b.utterances}
            for f in b.facts:
                a = first.get(f.id)
                states = known.states.get(text_of.get(a.utterance_id, "")) if a is not None else None
                f.embedding = states.span(a.start, a.end) if states is not None else None
                if f.embedding is None:
                    rest.append(f)
        self._embed_texts([f.text for f in rest], known)
        for f in rest:
            f.embedding = known.vectors[f.text]

    def _embed_texts(self, texts: Iterable[str], known: TextVectors, *, states: bool = False) -> TextVectors:
        """Add to ``known`` the vectors of ``texts`` it lacks, each distinct text once; with
        ``states``, their token states too (a text embedded before without them runs again)."""
        want = known.states if states else known.vectors
        todo = [t for t in dict.fromkeys(texts) if t not in want]
        if todo and states:
            vectors, token_states = self.embedder.encode_states(todo)
            known.vectors.update(zip(todo, vectors))
            known.states.update(zip(todo, token_states))
        elif todo:
            known.vectors.update(zip(todo, self.embedder.encode(todo)))
        return known

    # -- reading ---------------------------------------------------------------------------

    @_one_at_a_time
    def recall(self, text: str, *, k: int = 10) -> list[RecallHit]:
        """The ``k`` memories most relevant to ``text``, best first, each with its provenance.

        The same as ``query('RECALL $cue LIMIT $k', {"cue": text, "k": k})``.
        """
        if not isinstance(text, str) or not text.strip():
            raise ValueError("recall needs a non-empty cue")
        if k < 1:
            raise ValueError("k must be at least 1")
        view = self._recall_view()
        vector = self._embed_cue(text, view)
        return recall(self.store, self.namespace, text, vector, k=k, view=view)

    #: How many recent cues keep their embedding (an agent asks the same things again and again).
    CUE_CACHE = 256

    def _recall_view(self) -> Any:
        """The store's recall view of this namespace as of now, where it keeps one: a RECALL
        reads it once, for the cue's speakers and for its candidates."""
        get = getattr(self.store, "recall_view", None)
        return get(self.namespace) if get is not None else None

    def _embed_cue(self, cue: str, view: Any = None) -> list[float]:
        """The embedding of a cue's :func:`~graphmem.recall.embedding_text` (its speakers in the
        first person, read from the store each time), from a small LRU cache when it was asked
        recently."""
        cue = embedding_text(self.store, self.namespace, cue, view)
        cache = self._cue_vectors
        vector = cache.get(cue)
        if vector is None:
            vector = self.embedder.encode([cue])[0]
            cache[cue] = vector
            if len(cache) > self.CUE_CACHE:
                cache.popitem(last=False)
        else:
            cache.move_to_end(cue)
        return vector

    @_one_at_a_time
    def compile(self, text: str, params: Mapping[str, Any] | None = None) -> Compiled:
        """Compile a statement for this memory's store, namespace and mode (no I/O)."""
        from .embed import model_dimension
        from .query import compile_query

        return compile_query(text, self.store.dialect, namespace=self.namespace, params=params,
                             read_only=self.config.read_only,
                             embedding_dim=model_dimension(self.config.embedding_model))

    @_one_at_a_time
    def explain(self, text: str, params: Mapping[str, Any] | None = None) -> Compiled:
        """What a statement compiles to: its Cypher, parameters and fusion spec. Runs nothing.

        ``print(mem.explain('RECALL "x"').describe())`` shows it as text.
        """
        if text.lstrip()[:7].lower() != "explain":
            text = "EXPLAIN " + text
        return self._embedded_as(self.compile(text, params))

    def _embedded_as(self, compiled: Compiled) -> Compiled:
        """A RECALL's fusion spec with the text its cue is embedded as (a read of the speakers)."""
        f = compiled.fusion
        if compiled.kind != "recall" or f is None or not f.cue:
            return compiled
        return replace(compiled, fusion=replace(f, embedded_as=embedding_text(self.store, self.namespace, f.cue)))

    @_one_at_a_time
    def query(self, text: str, params: Mapping[str, Any] | None = None) -> Any:
        """Run one statement of the query language.

        Returns:
            RECALL: a list of :class:`RecallHit`; MATCH, WHY, TIMELINE, SOURCE OF: a list of
            row dicts; REMEMBER: the :class:`WriteReport`; FORGET: ``[{"forgotten": n}]``;
            EXPLAIN …: the :class:`Compiled` query.

        Raises:
            QuerySyntaxError: the text does not parse (line, column, expected tokens, caret).
            QuerySemanticError: it parses but means nothing here.
            ReadOnlyError: a write on a read-only memory.
        """
        from .query.execute import run_recall, run_rows

        compiled = self.compile(text, params)
        if compiled.explain:
            return self._embedded_as(compiled)
        if compiled.kind == "recall":
            cue = compiled.fusion.cue if compiled.fusion else None
            view = self._recall_view() if cue else None
            vector = self._embed_cue(cue, view) if cue else None
            return run_recall(self.store, compiled, vector, view=view)
        if compiled.kind == "remember":
            a = compiled.action or {}
            return self.add(a["text"], speaker=a["speaker"], session=a["session"], at=a["at"])
        return run_rows(self.store, compiled)

    @_one_at_a_time
    def export_rdf(self, fmt: str = "turtle") -> str:
        """This namespace as RDF: ``turtle``, ``json-ld`` or ``nt`` (see :mod:`graphmem.rdf`)."""
        from .rdf import FORMATS, export_graph

        if fmt not in FORMATS:
            raise ValueError(f"unknown RDF format {fmt!r}; formats: {', '.join(FORMATS)}")
        return export_graph(self.store, self.namespace).serialize(format=fmt)

    @_one_at_a_time
    def import_rdf(self, path: str | Path) -> WriteReport:
        """Remember the statements of an RDF file as facts, each anchored to the import's source.

        Importing the same file again adds nothing.
        """
        from .model import Entity, Fact, FactAnchor, content_hash
        from .nlp.pipeline import entity_key
        from .query.compile import predicate_key
        from .rdf import triples_from_rdf

        self._check_writable()
        triples = triples_from_rdf(path)
        if not triples:
            raise InputError("no statements to import", path=path)
        digest = content_hash(*("\x1f".join(map(str, t)) for t in triples))
        source = Source(make_id("src", self.namespace, "rdf", digest), self.namespace, str(path), "rdf", digest,
                        Path(path).name)
        batch = MemoryBatch(self.namespace, source)
        entities: dict[str, Entity] = {}

        def entity(name: str) -> Entity:
            key = entity_key(name)
            if key not in entities:
                entities[key] = Entity(make_id("ent", self.namespace, key), self.namespace, name, "ENTITY", (name,))
            return entities[key]

        for pos, (s, p, o, thing) in enumerate(triples):
            predicate = predicate_key(p)
            text = f"{s} {predicate.replace('_', ' ')} {o}"
            utt = Utterance(make_id("utt", self.namespace, source.id, pos), self.namespace, source.id, text, pos)
            subj, obj = entity(s), (entity(o) if thing else None)
            fid = make_id("fact", self.namespace, utt.id, subj.id, predicate, entity_key(o), 0)
            batch.utterances.append(utt)
            batch.facts.append(Fact(fid, self.namespace, subj.id, s, predicate, predicate.replace("_", " "), o, text,
                                    object_id=obj.id if obj else None, confidence=1.0, subject_span=(0, len(s)),
                                    object_span=(len(text) - len(o), len(text))))
            batch.anchors.append(FactAnchor(fid, utt.id, 0, len(text)))
        batch.entities = list(entities.values())
        from .nlp.evidence import mark_slots, merge_restated

        mark_slots(merge_restated(batch), self.config.functional_predicates)
        self._embed(batch)
        return self.store.write_batch(batch)

    @_one_at_a_time
    def forget(
        self,
        *,
        utterances: str | Iterable[str] | None = None,
        sessions: str | Iterable[str] | None = None,
        sources: str | Iterable[str] | None = None,
        reason: str | None = None,
    ) -> dict[str, Any]:
        """Forget utterances, sessions or documents: what they said stops counting as evidence.

        A fact is retracted only when nothing else supports it (its ``retracted`` time and
        ``retracted_reason`` record when and why); a fact also said elsewhere stays, with less
        evidence. A fact superseded only by facts now retracted holds again. The forgotten
        utterances leave recall too (stamped ``retracted``). Nothing is deleted.

        Args:
            utterances: utterance ids or external ids (e.g. LoCoMo's ``D1:3``).
            sessions: session names.
            sources: source ids or uris (a document's path, ``session:NAME``).
            reason: why, stored on each retracted fact (default: what was forgotten).

        Returns:
            ``{"utterances": n, "anchors": n, "retracted": [{"id", "fact"}], "kept": [{"id", "fact", "evidence"}],
            "restored": [{"id", "fact"}]}``.
        """
        from datetime import timezone

        from .store.base import Statement

        self._check_writable()

        def as_list(v: str | Iterable[str] | None) -> list[str]:
            out = [v] if isinstance(v, str) else list(v or [])
            if any(not isinstance(x, str) or not x.strip() for x in out):
                raise InputError("forget needs non-empty ids, session names or sources")
            return out

        utts, sess, srcs = as_list(utterances), as_list(sessions), as_list(sources)
        if not (utts or sess or srcs):
            raise InputError("forget what? give utterances, sessions or sources")
        what = "; ".join(f"{k} {', '.join(v)}" for k, v in (("utterance", utts), ("session", sess),
                                                             ("source", srcs)) if v)
        t = self.store.templates
        # To the microsecond: the stamp also names this forget's anchors for the statements after.
        stamp = datetime.now(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds")
        params = {"namespace": self.namespace, "stamp": stamp}
        none = ["\x00"]  # never an empty list: Kùzu cannot type one
        targets = {"utterances": utts or none, "sessions": sess or none, "sources": srcs or none}
        anchors, facts, restored, turns = self.store.run_many([
            Statement(t["forget_anchors"], {**params, **targets}),
            Statement(t["forget_facts"], {**params, "reason": reason or f"forgotten: {what}"}),
            Statement(t["forget_restore"], params),
            Statement(t["forget_utterances"], {**params, **targets}),
        ])
        rows = facts.dicts()
        return {
            "utterances": int(turns.scalar() or 0),
            "anchors": int(anchors.scalar() or 0),
            "retracted": [{"id": r["id"], "fact": r["fact"]} for r in rows if r["retracted"] == stamp],
            "kept": [{"id": r["id"], "fact": r["fact"], "evidence": int(r["evidence"])} for r in rows
                     if int(r["evidence"]) > 0],
            "restored": restored.dicts(),
        }

    # -- entity identity -------------------------------------------------------------------

    def _alias_index(self):
        if self._aliases is None:
            from .entities import AliasIndex

            self._aliases = AliasIndex.load(self.store, self.namespace)
        return self._aliases

    @_one_at_a_time
    def merge_entities(self, keep: str, other: str) -> dict[str, Any]:
        """Merge entity ``other`` into ``keep`` (each an id, name or alias), recorded so it can be undone.

        ``other``'s facts and mentions move to ``keep``, which takes its names as aliases; later
        documents naming ``other`` land on ``keep``. Returns the merge record (``id``, ``kept_name``,
        ``merged_name``, ``facts``, ``mentions`` …). Raises :class:`~graphmem.errors.EntityError`.
        """
        from .entities import merge

        self._check_writable()
        try:
            return merge(self.store, self.namespace, keep, other)
        finally:
            self._aliases = None

    @_one_at_a_time
    def unmerge_entities(self, ref: str) -> dict[str, Any]:
        """Undo a merge, named by its id or the merged entity; everything it moved goes back."""
        from .entities import unmerge

        self._check_writable()
        try:
            return unmerge(self.store, self.namespace, ref)
        finally:
            self._aliases = None

    @_one_at_a_time
    def entity_merges(self) -> list[dict[str, Any]]:
        """This namespace's entity merges, oldest first (``undone`` empty while one holds)."""
        from .entities import merges

        return [{k: m[k] for k in ("id", "kept_id", "kept_name", "merged_id", "merged_name", "at", "undone")}
                for m in merges(self.store, self.namespace)]

    @_one_at_a_time
    def stats(self) -> dict[str, int]:
        """How many sources, utterances, entities and facts this namespace holds."""
        res = self.store.run(self.store.templates.stmt("stats", namespace=self.namespace))
        return {c: int(v) for c, v in zip(res.columns, res.rows[0])}

    # -- lifetime --------------------------------------------------------------------------

    @_one_at_a_time
    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Memory({self.config.store_location!r}, namespace={self.namespace!r})"

