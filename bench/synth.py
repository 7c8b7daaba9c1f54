"""Synthetic but shaped-like-real memory batches, for store benchmarks.

Each document is a dialogue of ~20 utterances between two speakers; each utterance
states ~2 facts (Poisson) about entities drawn Zipf-like from a pool, in text whose
other words come Zipf-like from a small pseudo-word vocabulary (so full-text search
finds many candidates to rank). Facts carry real character spans into their
utterance; entity mentions, anchors, discourse links and the utterance chain are
all there, so ``store.write_batch`` does the same work as for parsed text.
Embeddings are random unit vectors. Everything derives from one seed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from graphmem.model import Entity, Fact, FactAnchor, MemoryBatch, Mention, Source, Utterance, DiscourseLink
from graphmem.model import content_hash, make_id

__all__ = ["Synth", "Counts"]

_ONSETS = ("b", "d", "f", "g", "k", "l", "m", "n", "p", "r", "s", "t", "v", "z", "br", "st", "tr", "pl")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ou")
_PREDICATES = (
    ("work_at", "works at"), ("live_in", "lives in"), ("like", "likes"), ("visit", "visited"),
    ("move_to", "moved to"), ("study", "studies"), ("play", "plays"), ("meet", "met"),
    ("own", "owns"), ("join", "joined"), ("love", "loves"), ("read", "read"), ("build", "built"),
    ("adopt", "adopted"), ("paint", "painted"), ("teach", "teaches"), ("write", "wrote"),
    ("travel_to", "traveled to"), ("buy", "bought"), ("help", "helped"),
)


def _words(rng: np.random.Generator, n: int, syllables: tuple[int, int]) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < n:
        k = int(rng.integers(syllables[0], syllables[1] + 1))
        seen["".join(str(rng.choice(_ONSETS)) + str(rng.choice(_VOWELS)) for _ in range(k))] = None
    return list(seen)


class _Zipf:
    """Draws from ``items`` with probability ∝ 1 / rank**s (a cumulative table, so draws are cheap)."""

    def __init__(self, items: list[str], s: float) -> None:
        self.items = items
        p = 1.0 / np.arange(1, len(items) + 1) ** s
        self._cdf = np.cumsum(p / p.sum())

    def draw(self, rng: np.random.Generator, n: int) -> list[str]:
        idx = np.searchsorted(self._cdf, rng.random(n), side="right")
        return [self.items[min(int(i), len(self.items) - 1)] for i in idx]

    def one(self, rng: np.random.Generator) -> str:
        return self.draw(rng, 1)[0]


@dataclass(slots=True)
class Counts:
    """What the batches written so far hold (entities: distinct ids)."""

    documents: int = 0
    utterances: int = 0
    facts: int = 0
    mentions: int = 0
    edges: int = 0
    entity_ids: set[str] = field(default_factory=set)

    def add(self, b: MemoryBatch) -> None:
        self.documents += 1
        self.utterances += len(b.utterances)
        self.facts += len(b.facts)
        self.mentions += len(b.mentions)
        self.entity_ids.update(e.id for e in b.entities)
        objects = sum(1 for f in b.facts if f.object_id)
        # PART_OF + NEXT per utterance chain, SUBJECT + ANCHORED_IN per fact,
        # OBJECT + RELATED per entity object, MENTIONED_IN per mention, DISCOURSE per link.
        self.edges += (len(b.utterances) + max(len(b.utterances) - 1, 0) + 2 * len(b.facts) + 2 * objects
                       + len(b.mentions) + len(b.links))

    def as_dict(self) -> dict[str, int]:
        return {"documents": self.documents, "utterances": self.utterances, "facts": self.facts,
                "entities": len(self.entity_ids), "mentions": self.mentions, "edges": self.edges}


class Synth:
    """A deterministic stream of :class:`MemoryBatch` for ``namespace``.

    >>> b = Synth("ns", dim=8, seed=1).batch(0)
    >>> all(b.utterances[0].text[a.start:a.end] for a in b.anchors[:1])
    True
    """

    def __init__(self, namespace: str, *, dim: int = 384, seed: int = 7, vocabulary: int = 400,
                 entities: int = 5000, utterances_per_doc: int = 20, facts_per_utterance: float = 2.0) -> None:
        self.namespace, self.dim = namespace, dim
        self.utterances_per_doc, self.facts_per_utterance = utterances_per_doc, facts_per_utterance
        rng = np.random.default_rng(seed)
        self.vocabulary = _words(rng, vocabulary, (1, 3))
        self.entity_names = [w.capitalize() for w in _words(rng, entities, (2, 3))]
        self._words, self._entities = _Zipf(self.vocabulary, 1.0), _Zipf(self.entity_names, 0.8)
        self._seed = seed

    # -- what queries use -----------------------------------------------------------------

    def cue(self, rng: np.random.Generator) -> str:
        """A recall cue: a few vocabulary words and, half the time, an entity name."""
        words = self._words.draw(rng, int(rng.integers(3, 7)))
        if rng.random() < 0.5:
            words.insert(int(rng.integers(0, len(words) + 1)), self._entities.one(rng))
        return " ".join(words)

    def vector(self, rng: np.random.Generator) -> list[float]:
        return self._unit(rng, 1)[0].tolist()

    def _unit(self, rng: np.random.Generator, n: int) -> np.ndarray:
        v = rng.standard_normal((n, self.dim)).astype(np.float32)
        return v / np.linalg.norm(v, axis=1, keepdims=True)

    # -- batches ---------------------------------------------------------------------------

    def batch(self, index: int) -> MemoryBatch:
        """Document ``index`` (the same index always yields the same batch)."""
        rng = np.random.default_rng((self._seed, index))
        ns = self.namespace
        n_utts = max(1, int(rng.integers(self.utterances_per_doc * 3 // 4, self.utterances_per_doc * 5 // 4 + 1)))
        speakers = [str(s) for s in rng.choice(self.entity_names[:300], size=2, replace=False)]
        texts, utts_facts = [], []
        for i in range(n_utts):
            text, facts = self._utterance(rng, speakers[i % 2])
            texts.append(text)
            utts_facts.append(facts)
        session = f"bench-{index}"
        src = Source(make_id("src", ns, "session", session), ns, f"bench:{index}", "dialogue",
                     content_hash(*texts), session, "2024-01-01T00:00:00")
        batch = MemoryBatch(ns, src)
        vecs = iter(self._unit(rng, n_utts + sum(len(f) for f in utts_facts)).tolist())
        entities: dict[str, Entity] = {}

        def entity(name: str) -> Entity:
            eid = make_id("ent", ns, name.lower())
            return entities.setdefault(eid, Entity(eid, ns, name, "PERSON", (name,)))

        for pos, (text, facts) in enumerate(zip(texts, utts_facts)):
            uid = make_id("utt", ns, src.id, pos)
            speaker = speakers[pos % 2]
            batch.utterances.append(Utterance(uid, ns, src.id, text, pos, speaker, session,
                                              f"2024-01-01T00:{pos // 60:02d}:{pos % 60:02d}", f"D{index}:{pos}",
                                              embedding=next(vecs)))  # a turn is embedded, as ingest does
            for subj, (rel, pred), obj, obj_is_entity, (s0, r0, o0, o1) in facts:
                se = entity(subj)
                oe = entity(obj) if obj_is_entity else None
                fid = make_id("fact", ns, uid, se.id, pred, obj.lower(), r0)
                batch.mentions.append(Mention(se.id, uid, s0, s0 + len(subj), subj))
                if oe is not None:
                    batch.mentions.append(Mention(oe.id, uid, o0, o1, obj))
                batch.facts.append(Fact(
                    fid, ns, se.id, subj, pred, rel, obj, f"{subj} {rel} {obj}", oe.id if oe else None,
                    subject_span=(s0, s0 + len(subj)), relation_span=(r0, r0 + len(rel)), object_span=(o0, o1),
                    valid_from=batch.utterances[-1].time, embedding=next(vecs),
                ))
                batch.anchors.append(FactAnchor(fid, uid, s0, o1))
                if len(batch.facts) > 1 and rng.random() < 0.1:
                    batch.links.append(DiscourseLink(batch.facts[-2].id, fid, "cause", "because"))
        batch.entities = list(entities.values())
        return batch

    def _utterance(self, rng: np.random.Generator, speaker: str) -> tuple[str, list]:
        """Filler words around ``subject relation object`` clauses, with each clause's offsets."""
        parts: list[str] = []
        facts = []
        pos = 0

        def put(word: str) -> int:
            nonlocal pos
            start = pos + (1 if parts else 0)
            parts.append(word)
            pos = start + len(word)
            return start

        def filler(lo: int, hi: int) -> None:
            for w in self._words.draw(rng, int(rng.integers(lo, hi))):
                put(w)

        filler(2, 7)
        for _ in range(int(rng.poisson(self.facts_per_utterance))):
            subj = speaker if rng.random() < 0.5 else self._entities.one(rng)
            rel_pred = _PREDICATES[int(rng.integers(len(_PREDICATES)))]
            pred, rel = rel_pred
            obj_is_entity = rng.random() < 0.7
            obj = self._entities.one(rng) if obj_is_entity else " ".join(self._words.draw(rng, 2))
            s0 = put(subj)
            r0 = put(rel)
            o0 = put(obj)
            facts.append((subj, (rel, pred), obj, obj_is_entity, (s0, r0, o0, o0 + len(obj))))
            filler(1, 5)
        return " ".join(parts), facts
