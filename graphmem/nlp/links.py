"""Discourse relations and dialogue frames into a :class:`MemoryBatch`: fact → fact and turn → turn links.

Called by :meth:`graphmem.nlp.Pipeline.build` once the facts of every utterance are known:

1. **Dialogue frames.** A short answer to another speaker's question becomes a fact in the
   question's frame, anchored to the answer ("Where do you live?" — "Berlin." → (B,
   ``live_in``, Berlin)); a why-question's presupposition becomes a fact anchored to the
   question ("Why did you move to Paris?" asked of Alice → (Alice, ``move_to``, Paris)).
2. **Relations.** :func:`graphmem.nlp.discourse.find_relations` over each utterance; the
   facts whose predicate lies in Arg1 are linked to those in Arg2 by a
   :class:`DiscourseLink` (PDTB-3 sense, connective, confidence), from Arg1 to Arg2. When
   Arg1 is the previous turn — "Because I got a job." — it is the turn before in the batch,
   or in the :class:`DialogueContext` (turns added one by one through ``Memory.add``);
   a bare "Why?" passes the question back to the turn it asks about.

3. **Turns.** Each new utterance gets its dialogue act (question / answer / statement); a
   relation whose Arg1 is another turn, and an answer to the question before it, also link
   the two utterances (:class:`TurnLink`) — so turns that yielded no fact stay related.

No database code: the links travel in ``batch.links`` / ``batch.turn_links`` and the stores
write them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from ..model import DiscourseLink, Entity, Fact, FactAnchor, MemoryBatch, Mention, TurnLink, Utterance, make_id
from .dialogue import Frame, answer_frames, dialogue_act, presupposed
from .discourse import Relation, arg_tokens, clause_head, find_relations
from .parse import ParsedDoc

__all__ = ["DialogueContext", "Turn", "link_batch", "stored_turns"]

#: Facts linked on each side of one relation, at most (the clause's own facts first).
MAX_PER_SIDE = 3
_NOMINAL = {"NOUN", "PROPN", "PRON", "NUM"}


class EntityTable(Protocol):
    def get(self, name: str, type_: str) -> Entity: ...


@dataclass(slots=True)
class Turn:
    """One utterance as discourse sees it: its parse and its facts."""

    utterance: Utterance
    doc: ParsedDoc
    facts: list[Fact] = field(default_factory=list)


class DialogueContext:
    """The last turns of each recent source, so a turn added alone can answer the one before."""

    def __init__(self, *, sources: int = 256, keep: int = 2) -> None:
        self._turns: OrderedDict[tuple[str, str], list[Turn]] = OrderedDict()
        self.sources, self.keep = sources, keep

    def before(self, batch: MemoryBatch) -> list[Turn]:
        """The stored turns that directly precede ``batch`` (empty unless they are known here)."""
        turns = self._turns.get((batch.namespace, batch.source.id), [])
        if not turns or batch.previous_utterance_id != turns[-1].utterance.id:
            return []
        return list(turns)

    def knows(self, namespace: str, source_id: str, utterance_id: str) -> bool:
        """Whether the turn ``utterance_id`` is the last one held for the source."""
        turns = self._turns.get((namespace, source_id), [])
        return bool(turns) and turns[-1].utterance.id == utterance_id

    def restore(self, namespace: str, source_id: str, turns: list[Turn]) -> None:
        """Hold ``turns`` (read back from a store) as the source's last turns."""
        key = (namespace, source_id)
        self._turns[key] = list(turns)[-self.keep :]
        self._turns.move_to_end(key)
        while len(self._turns) > self.sources:
            self._turns.popitem(last=False)

    def remember(self, batch: MemoryBatch, turns: list[Turn]) -> None:
        key = (batch.namespace, batch.source.id)
        self._turns[key] = (self.before(batch) + turns)[-self.keep :]
        self._turns.move_to_end(key)
        while len(self._turns) > self.sources:
            self._turns.popitem(last=False)


def stored_turns(namespace: str, rows: Sequence[dict], parse) -> list[Turn]:
    """Turns read back from a store (``cypher/common/turn_context.cypher`` rows, by position).

    ``parse`` maps texts to :class:`ParsedDoc` s. A fact's spans are kept only where the fact
    was first stated in that turn; elsewhere they would point into another utterance's text.
    """
    utts: dict[str, Utterance] = {}
    facts: dict[str, list[Fact]] = {}
    for r in rows:
        if r["id"] not in utts:
            utts[r["id"]] = Utterance(r["id"], namespace, "", r["text"], r["position"], r["speaker"], r["session"],
                                      r["time"], r["external_id"], r["act"])
            facts[r["id"]] = []
        if r["fact_id"] is None:
            continue
        own = r["fact_utterance"] == r["id"]

        def span(a: str, b: str) -> tuple[int, int] | None:
            return (r[a], r[b]) if own and r[a] is not None and r[b] is not None else None

        facts[r["id"]].append(Fact(
            r["fact_id"], namespace, "", r["subject"] or "", r["predicate"] or "", r["relation"] or "",
            r["object"] or "", r["fact_text"] or "", polarity=bool(r["polarity"]), mood=r["mood"] or "asserted",
            confidence=float(r["confidence"] if r["confidence"] is not None else 1.0),
            subject_span=span("subject_start", "subject_end"), relation_span=span("relation_start", "relation_end"),
            object_span=span("object_start", "object_end")))
    docs = list(parse([u.text for u in utts.values()]))
    return [Turn(u, d, facts[u.id]) for u, d in zip(utts.values(), docs)]


def _anchor_token(doc: ParsedDoc, fact: Fact) -> int | None:
    """The token that carries a fact's predicate: the highest one in its relation span."""
    span = fact.relation_span or fact.subject_span
    if span is None:
        return None
    toks = [t for t in doc.tokens if t.idx < span[1] and t.end > span[0]]
    if not toks:
        return None

    def depth(i: int) -> int:
        n, t = 0, doc.tokens[i]
        while t.head != t.i and n < 64:
            t, n = doc.tokens[t.head], n + 1
        return n

    return min(toks, key=lambda t: depth(t.i)).i


def _pick(doc: ParsedDoc, facts: list[Fact], tokens: set[int], head: int | None) -> list[Fact]:
    """The facts of an argument: those whose predicate lies in it, the head clause's own first."""
    inside = []
    for f in facts:
        tok = _anchor_token(doc, f)
        if tok is not None and tok in tokens:
            inside.append((f, tok))
    # Facts stated by a predicate, before those implied by a noun phrase ("my boss" → (I, have, boss)).
    verbal = [(f, tok) for f, tok in inside if doc.tokens[tok].upos not in _NOMINAL] or inside
    core = [f for f, tok in verbal if head is not None and clause_head(doc, tok) == head]
    chosen = core or [f for f, _ in verbal]
    return sorted(chosen, key=lambda f: -f.confidence)[:MAX_PER_SIDE]


def _tail(turn: Turn) -> list[Fact]:
    """The facts a following turn relates to: those of the last sentence that has any."""
    doc = turn.doc
    by_sent: dict[int, list[tuple[Fact, bool]]] = {}  # sentence → (fact, stated by a predicate)
    for f in turn.facts:
        tok = _anchor_token(doc, f)
        if tok is not None:
            by_sent.setdefault(doc.tokens[tok].sent, []).append((f, doc.tokens[tok].upos not in _NOMINAL))
        elif f.relation_span is None and f.subject_span is None:
            by_sent.setdefault(len(doc.sents) - 1, []).append((f, True))  # a frame fact: the turn's own
    if not by_sent:
        return []
    last = by_sent[max(by_sent)]
    chosen = [f for f, verbal in last if verbal] or [f for f, _ in last]
    return sorted(chosen, key=lambda f: -f.confidence)[:MAX_PER_SIDE]


def _bare_question(turn: Turn) -> bool:
    """ "Why?", "How come?", "Really?": a question with no content of its own."""
    words = [t for t in turn.doc.tokens if t.upos != "PUNCT"]
    return dialogue_act(turn.doc) == "question" and len(words) <= 3 and not turn.facts


def _previous_turn(turns: list[Turn], k: int) -> int | None:
    """The turn a turn-initial connective of turn ``k`` relates to: the one before, past a bare "Why?"."""
    for j in range(k - 1, max(-1, k - 3), -1):
        if _bare_question(turns[j]):
            continue  # "I moved." — "Why?" — "Because …": the reason is for the move
        return j
    return None


def _previous_facts(turns: list[Turn], k: int) -> list[Fact]:
    """Arg1 for a turn-initial connective of turn ``k``: the previous turn's last facts."""
    j = _previous_turn(turns, k)
    return [] if j is None else _tail(turns[j])


def _frame_fact(batch: MemoryBatch, ents: EntityTable, utt: Utterance, frame: Frame, *,
                span: tuple[int, int] | None, mentions: bool) -> Fact:
    subj = ents.get(frame.subject, "PERSON" if frame.subject_is_answerer or frame.subject_is_asker else "CONCEPT")
    obj = None
    if frame.object and frame.object_label:
        obj = ents.get(frame.object, frame.object_label)
        if mentions and frame.object_span is not None:
            batch.mentions.append(Mention(obj.id, utt.id, *frame.object_span,
                                          utt.text[frame.object_span[0] : frame.object_span[1]]))
    obj_name = obj.name if obj is not None else (frame.object or "")
    start = span[0] if span else 0
    fid = make_id("fact", batch.namespace, utt.id, subj.id, frame.predicate, obj_name.lower(), start, frame.kind)
    relation = frame.predicate.replace("_", " ")
    return Fact(
        id=fid, namespace=batch.namespace, subject_id=subj.id, subject=subj.name, predicate=frame.predicate,
        relation=relation, object=obj_name, object_id=obj.id if obj is not None else None,
        text=" ".join(w for w in (subj.name, relation if frame.polarity else f"not {relation}", obj_name) if w),
        polarity=frame.polarity, confidence=frame.confidence, subject_span=None, relation_span=None,
        object_span=frame.object_span if mentions else None, valid_from=utt.time,
    )


def _add_frames(batch: MemoryBatch, ents: EntityTable, turns: list[Turn], first_new: int) -> None:
    """Short answers as facts in their question's frame; why-questions' presuppositions.

    Reads each new turn's dialogue act, already set by :func:`link_batch`.
    """
    seen = {f.id for f in batch.facts}

    def add(turn: Turn, frame: Frame, *, mentions: bool) -> None:
        span = (0, len(turn.utterance.text))  # a frame fact is stated by its whole turn
        fact = _frame_fact(batch, ents, turn.utterance, frame, span=span, mentions=mentions)
        if fact.id not in seen:
            seen.add(fact.id)
            batch.facts.append(fact)
            batch.anchors.append(FactAnchor(fact.id, turn.utterance.id, *span))
            turn.facts.append(fact)

    for k in range(max(first_new, 1), len(turns)):
        q, a = turns[k - 1], turns[k]
        if a.utterance.act != "answer":
            continue
        asker, answerer = q.utterance.speaker, a.utterance.speaker
        for frame in answer_frames(q.doc, a.doc, asker=asker, answerer=answerer):
            add(a, frame, mentions=True)
        for frame in presupposed(q.doc, asker=asker, answerer=answerer):
            add(q, frame, mentions=False)


def _links_for(turns: list[Turn], k: int, rel: Relation) -> list[DiscourseLink]:
    turn = turns[k]
    arg1_toks, arg2_toks = arg_tokens(turn.doc, rel)
    targets = _pick(turn.doc, turn.facts, arg2_toks, rel.arg2)
    if rel.arg1 is not None:
        sources = _pick(turn.doc, turn.facts, arg1_toks, rel.arg1)
        if not sources and rel.inter:
            sources = _pick(turn.doc, turn.facts, arg1_toks, None)
    elif k > 0:
        sources = _previous_facts(turns, k)
    else:
        sources = []
    return [DiscourseLink(a.id, b.id, rel.sense, rel.connective, rel.confidence)
            for a in sources for b in targets if a.id != b.id]


def link_batch(batch: MemoryBatch, docs: Sequence[ParsedDoc], ents: EntityTable, *,
               context: DialogueContext | None = None) -> None:
    """Add dialogue-frame facts and discourse links to ``batch`` (built from ``docs``, in order).

    Args:
        batch: a batch whose facts and anchors are already extracted.
        docs: the parse of each of ``batch.utterances``.
        ents: the batch's entity table (``get(name, type)``).
        context: earlier turns of the same sources, for turns added one at a time.
    """
    by_utt: dict[str, list[Fact]] = {}
    facts = {f.id: f for f in batch.facts}
    for a in batch.anchors:
        if a.fact_id in facts:
            by_utt.setdefault(a.utterance_id, []).append(facts[a.fact_id])
    new = [Turn(u, d, by_utt.get(u.id, [])) for u, d in zip(batch.utterances, docs)]
    old = context.before(batch) if context is not None else []
    turns = old + new
    for k in range(len(old), len(turns)):  # each new turn's act, once: the frames below read it
        prev = turns[k - 1] if k > 0 else None
        turns[k].utterance.act = dialogue_act(turns[k].doc, previous=prev.doc if prev else None,
                                              same_speaker=prev is not None
                                              and prev.utterance.speaker == turns[k].utterance.speaker)
    _add_frames(batch, ents, turns, len(old))
    seen = {(lk.source_fact_id, lk.target_fact_id, lk.relation) for lk in batch.links}
    seen_turns: set[tuple[str, str, str]] = set()

    def link_turns(a: Utterance, b: Utterance, relation: str, connective: str | None, confidence: float) -> None:
        if (a.id, b.id, relation) not in seen_turns:
            seen_turns.add((a.id, b.id, relation))
            batch.turn_links.append(TurnLink(a.id, b.id, relation, connective, confidence))

    for k in range(len(old), len(turns)):
        turn = turns[k]
        if turn.utterance.act == "answer":  # an answer always follows its question
            link_turns(turns[k - 1].utterance, turn.utterance, "answer", None, 1.0)
        for rel in find_relations(turn.doc):
            for link in _links_for(turns, k, rel):
                key = (link.source_fact_id, link.target_fact_id, link.relation)
                if key not in seen:
                    seen.add(key)
                    batch.links.append(link)
            # Arg1 in another turn: the turns are related whether or not either stated a fact.
            j = _previous_turn(turns, k) if rel.arg1 is None else None
            if j is not None:
                link_turns(turns[j].utterance, turn.utterance, rel.sense, rel.connective, rel.confidence)
    if context is not None:
        context.remember(batch, new)
