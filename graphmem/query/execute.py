"""Run a :class:`Compiled` query on a store: the only place queries meet I/O.

RECALL: each candidate statement is one signal, and so is the utterance vector list's share
said by a speaker the cue names (``speaker``); the lists are fused by reciprocal rank (Cormack
et al., SIGIR 2009; k = :data:`~graphmem.query.compile.RRF_K`) with a recency signal, then per
turn, where a turn next to a well-scored one gets a share of its score (``neighbour``, or
``answer`` after a question), then hydrated into
:class:`~graphmem.recall.RecallHit`s whose ``signals`` explain every score.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import Any

from ..recall import Provenance, RecalledFact, RecallHit
from ..store.base import Statement, Store
from .compile import Compiled
from .cue import name_candidates

__all__ = ["run_recall", "run_rows", "SIGNAL_OF"]

#: Share of the vector weight the fact vector list takes in a RECALL of facts and utterances
#: (RECALL FACTS keeps it whole); LoCoMo dev R@5 / R@10 at 1, 0.5, 0.25, 0: 56.6 / 65.9,
#: 57.6 / 67.5, 57.8 / 68.2, 58.1 / 68.2 — a quarter keeps the facts' own similarity as a tie-break.
FACT_VECTOR_SHARE = 0.25
#: Share of its signal's weight each of a turn's own lists takes where turns are recalled: since
#: the cue is embedded in its speakers' first person (graphmem.recall.embedding_text) the turn's
#: own vector is the best single list (LoCoMo dev R@5 / R@10 at 1, 1.5, 2, 3, 4: 61.3 / 71.3,
#: 61.9 / 73.1, 63.3 / 73.8, 63.4 / 74.6, 63.3 / 74.4 — RRF k 60 then), and with the answer signal
#: its own words too (utterance_text at 1, 1.25, 1.5, 2, 2.5, 3: 69.9 / 79.2, 70.8 / 79.9,
#: 70.8 / 79.9, 70.7 / 80.3, 70.8 / 80.2, 70.6 / 79.8): both weigh twice, the middle of the plateau.
UTTERANCE_SHARE = 2.0
#: The shares by RECALL target: a list not named keeps its signal's weight.
_TURN_SHARES = {"utterance_vector": UTTERANCE_SHARE, "utterance_text": UTTERANCE_SHARE}
LIST_SHARES: dict[str, dict[str, float]] = {
    "any": {**_TURN_SHARES, "fact_vector": FACT_VECTOR_SHARE},
    "utterances": dict(_TURN_SHARES),
    "facts": {},
}

#: Candidate list → the signal whose weight it takes (RANK BY vector=…, text=…, entity=…).
SIGNAL_OF = {
    "fact_vector": "vector", "utterance_vector": "vector",
    "fact_text": "text", "utterance_text": "text", "utterance_speaker": "speaker",
    "fact_entity": "entity", "fact_about": "entity", "fact_related": "related",
    "fact_symbolic": "symbolic", "utterance_symbolic": "symbolic",
}


def _bind(st: Statement, extra: Mapping[str, Any]) -> Statement:
    params = dict(st.params)
    for key, value in extra.items():
        if f"${key}" in st.text:
            params[key] = value
    return Statement(st.text, params, read_only=st.read_only)


def run_rows(store: Store, compiled: Compiled) -> list[dict[str, Any]]:
    """Rows of a MATCH / WHY / TIMELINE / SOURCE OF / FORGET as dicts."""
    rows: list[dict[str, Any]] = []
    for st in compiled.statements.values():
        rows += store.run(st).dicts()
    if compiled.kind == "why" and compiled.action:
        rows = rows[: compiled.action["limit"]]
    return rows


def run_recall(store: Store, compiled: Compiled, vector: Sequence[float] | None, *,
               view: Any = None) -> list[RecallHit]:
    """Fuse and hydrate the candidates of a compiled RECALL.

    ``view``: the namespace's recall view the caller already holds (:class:`graphmem.Memory`
    reads it once to embed the cue, so one RECALL reads the store's counters once); by
    default the store is asked for it.
    """
    spec = compiled.fusion
    assert spec is not None
    # Headroom for the filters after the ANN and full-text indexes; *_exact statements catch the
    # rest. 3× the pool, not 10×: Neo4j's HNSW search time grows with k (100k facts: k = 100
    # ≈ 30% faster than k = 300, bench/README.md).
    extra = {"vector": list(vector) if vector is not None else None, "fetch": max(3 * spec.pool, 100)}
    view, fast = _view(store, compiled, vector, view)
    extra.update(_nearest(store, compiled, vector, extra["fetch"], fast))
    lists: dict[str, list[tuple[str, str]]] = {}
    for name, st in compiled.statements.items():
        if name.startswith("hydrate") or name.endswith("_exact"):
            continue
        kind = "fact" if name.startswith("fact") else "utterance"
        if name in fast:
            ids = _from_view(store, view, name, st, extra)
            if len(ids) >= spec.pool or name in VIEW_COMPLETE or f"{name}_exact" not in compiled.statements:
                lists[name] = [(kind, i) for i in ids]
                continue
        exact = compiled.statements.get(f"{name}_exact")
        if exact is not None and name in _VECTOR_LISTS and _small(store, name, st):
            lists[name] = [(kind, r[0]) for r in store.run(_bind(exact, extra)).rows]
            continue
        rows = store.run(_bind(st, extra)).rows
        if exact is not None and len(rows) < spec.pool:  # the ANN index's answers did not survive the filters
            rows = store.run(_bind(exact, extra)).rows
        lists[name] = [(kind, r[0]) for r in rows]

    fact_ids = sorted({i for name, ids in lists.items() for k, i in ids if k == "fact"})
    utt_ids = sorted({i for name, ids in lists.items() for k, i in ids if k == "utterance"})
    if "hydrate_facts" in fast and spec.as_of is None:  # the view holds each fact's latest anchor
        facts = {i: view.facts[i] for i in fact_ids if i in view.facts}
    else:
        facts = _hydrate(store, compiled.statements["hydrate_facts"], fact_ids, "id", said_by=spec.as_of)
    if "hydrate_utterances" in fast:
        utts = {i: view.utterances[i] for i in utt_ids if i in view.utterances}
    else:
        utts = _hydrate(store, compiled.statements["hydrate_utterances"], utt_ids, "utterance_id")

    weight = _weights(spec.weights, LIST_SHARES.get(spec.target, {}))
    _speaker_list(lists, utts, spec.cue, weight)
    fused: dict[tuple[str, str], dict[str, float]] = {}
    for name, keys in lists.items():
        w = weight(name)
        if w <= 0:
            continue
        for rank, key in enumerate(keys, start=1):
            fused.setdefault(key, {})[name] = w / (spec.rrf_k + rank)
    w_recent = weight("recency")
    if w_recent > 0 and fused:
        def when(key: tuple[str, str]) -> str:
            row = facts.get(key[1]) if key[0] == "fact" else utts.get(key[1])
            return (row or {}).get("time") or ""

        for rank, key in enumerate(sorted(fused, key=when, reverse=True), start=1):
            if when(key):
                fused[key]["recency"] = w_recent / (spec.rrf_k + rank)

    _time_signals(fused, facts, weight, spec.rrf_k, spec.cue)
    ranked = _per_turn(lists, fused, facts, utts, weight, spec.rrf_k)
    out: list[RecallHit] = []
    covered: set[str] = set()  # utterances already shown through one of their facts
    for (kind, node_id), signals in ranked:
        if len(out) >= spec.limit:
            break
        score = sum(signals.values())
        if kind == "fact" and node_id in facts:
            r = facts[node_id]
            covered.add(r["utterance_id"])
            fact = RecalledFact(r["subject"], r["predicate"], r["relation"], r["object"], bool(r["polarity"]),
                                r["modality"], r["tense"], float(r["confidence"]), r["mood"] or "asserted",
                                r["attribution"], r.get("event_start"), r.get("event_end"),
                                int(r.get("evidence") or 1))
            out.append(RecallHit("fact", node_id, r["text"], score, _provenance(r, r["char_start"], r["char_end"]),
                                 fact, signals))
        elif kind == "utterance" and node_id in utts and node_id not in covered:
            r = utts[node_id]
            covered.add(node_id)
            out.append(RecallHit("utterance", node_id, r["utterance"], score, _provenance(r, 0, None), None, signals))
    return out


def _speaker_list(lists: dict[str, list[tuple[str, str]]], utts: Mapping[str, Mapping[str, Any]],
                  cue: str | None, weight: Callable[[str], float]) -> None:
    """``utterance_speaker`` (signal ``speaker``): the utterance vector list's turns said by someone
    the cue names ("What did Caroline research?"), in that list's order — a list of its own, so a
    named speaker's turns gain a vote. Built from hydrated rows, the same on every store and path."""
    if not cue or weight("utterance_speaker") <= 0 or not lists.get("utterance_vector"):
        return
    names = set(name_candidates(cue))
    said = [key for key in lists["utterance_vector"]
            if ((utts.get(key[1]) or {}).get("speaker") or "").lower() in names]
    if said:
        lists["utterance_speaker"] = said


def _per_turn(lists: Mapping[str, Sequence[tuple[str, str]]], fused: Mapping[tuple[str, str], Mapping[str, float]],
              facts: Mapping[str, Mapping[str, Any]], utts: Mapping[str, Mapping[str, Any]],
              weight: Callable[[str], float], rrf_k: int) -> list[tuple[tuple[str, str], dict[str, float]]]:
    """One (node, signals) per utterance, best first: RRF over turns, not over nodes.

    A fact votes for the utterance it is anchored in. Each candidate list keeps its first
    node per utterance and is ranked again, so five facts of one turn count once, as the
    turn's best rank, instead of pushing five other turns down; a turn found through its
    facts and through its own text adds both votes. Signals that are not candidate lists
    (recency, time) take the best value among the turn's nodes. A turn is shown by its
    candidate facts, best node-level score first, or by the utterance itself when none of
    its facts is a candidate; every node of a turn carries the turn's score and signals.

    ``neighbour``: a turn adjacent to another candidate turn of the same source (position ± 1)
    adds the weight times that turn's score, the better of its two neighbours (scores before
    this signal, so it does not spread further): evidence often spans a question and its answer.
    ``answer``: the turn right after a question (its dialogue act, :mod:`graphmem.nlp.dialogue`)
    takes this larger share of the question's score instead — a cue that matches a question
    ("How long have you been married?") asks for what was said back ("5 years already!").
    """

    def turn_of(kind: str, node_id: str) -> str | None:
        if kind == "utterance":
            return node_id if node_id in utts else None
        row = facts.get(node_id)
        return row["utterance_id"] if row else None

    turns: dict[str, dict[str, float]] = {}
    members: dict[str, list[tuple[tuple[float, str], tuple[str, str]]]] = {}
    for name, keys in lists.items():
        w = weight(name)
        if w <= 0:
            continue
        rank = 0
        for kind, node_id in keys:
            turn = turn_of(kind, node_id)
            if turn is None or name in turns.setdefault(turn, {}):
                continue
            rank += 1
            turns[turn][name] = w / (rrf_k + rank)
    for (kind, node_id), signals in fused.items():
        turn = turn_of(kind, node_id)
        if turn is None:
            continue
        into = turns.setdefault(turn, {})
        for name, value in signals.items():
            if name not in lists:
                into[name] = max(into.get(name, 0.0), value)
        members.setdefault(turn, []).append(((-sum(signals.values()), node_id), (kind, node_id)))
    _neighbours(turns, members, facts, utts, weight("neighbour"), weight("answer"))
    out: list[tuple[tuple[str, str], dict[str, float]]] = []
    for turn in sorted(members, key=lambda t: (-sum(turns[t].values()), t)):
        nodes = [key for _, key in sorted(members[turn])]
        shown = [key for key in nodes if key[0] == "fact"] or nodes[:1]
        out += [(key, turns[turn]) for key in shown]
    return out


def _neighbours(turns: dict[str, dict[str, float]], members: Mapping[str, Sequence[tuple[Any, tuple[str, str]]]],
                facts: Mapping[str, Mapping[str, Any]], utts: Mapping[str, Mapping[str, Any]], w: float,
                w_answer: float = 0.0) -> None:
    """Add the ``neighbour`` or ``answer`` signal to ``turns`` (see :func:`_per_turn`), in place."""
    w_answer = max(w, w_answer)  # RANK BY answer = 0 leaves a question's next turn a plain neighbour
    if w_answer <= 0:
        return
    place: dict[str, tuple[Any, int]] = {}  # turn → (source, position), from any hydrated row of it
    asks: set[str] = set()  # turns whose dialogue act is a question
    for turn, nodes in members.items():
        for _, (kind, node_id) in nodes:
            row = utts.get(node_id) if kind == "utterance" else facts.get(node_id)
            if row and row.get("source_id") is not None and row.get("position") is not None:
                place[turn] = (row["source_id"], int(row["position"]))
                if row.get("act") == "question":
                    asks.add(turn)
                break
    at = {where: turn for turn, where in place.items()}
    base = {turn: sum(signals.values()) for turn, signals in turns.items()}
    for turn, (source, position) in place.items():
        before, after = at.get((source, position - 1)), at.get((source, position + 1))
        near = [(w * base[after], "neighbour")] if after is not None else []
        if before is not None:
            near.append((w_answer * base[before], "answer") if before in asks else (w * base[before], "neighbour"))
        value, signal = max(near, default=(0.0, ""))
        if value > 0:
            turns[turn][signal] = value


#: The statements a store's recall view answers, when their text is a plain RECALL's (no
#: ABOUT / WHERE / time filter changed them); everything else runs as Cypher. The text lists
#: only where the view ranks full text itself (``view.text``: BM25 over the view, rview.py).
VIEW_ANSWERS = ("fact_vector", "utterance_vector", "fact_entity", "hydrate_facts", "hydrate_utterances")
VIEW_TEXT = ("fact_text", "utterance_text")
#: Lists the view answers over every node, so an ``_exact`` statement has nothing to add.
VIEW_COMPLETE = frozenset(VIEW_TEXT)
_PLAIN: dict[tuple[str, int], dict[str, str]] = {}


def _view(store: Store, compiled: Compiled, vector: Sequence[float] | None,
          given: Any = None) -> tuple[Any, set[str]]:
    """The store's recall view (``given``, or asked of the store) and the names of the
    statements it answers here (none when the store has no view or the query is not one it
    can answer exactly)."""
    recall_view = getattr(store, "recall_view", None)
    if recall_view is None or vector is None or compiled.fusion is None:
        return None, set()
    dim = len(vector)
    key = (store.dialect, dim)
    plain = _PLAIN.get(key)
    if plain is None:
        from .compile import compile_query

        ref = compile_query('RECALL "x"', store.dialect, namespace="x", embedding_dim=dim)
        plain = _PLAIN[key] = {name: st.text for name, st in ref.statements.items()}
    fast = {name for name in (*VIEW_ANSWERS, *VIEW_TEXT)
            if name in compiled.statements and compiled.statements[name].text == plain.get(name)}
    if not fast:
        return None, set()
    ns = next(iter(compiled.statements.values())).params
    namespace = ns.get("ns", ns.get("namespace"))
    if not isinstance(namespace, str):
        return None, set()
    view = given if given is not None and given.namespace == namespace else recall_view(namespace)
    if view is None:
        return None, set()
    return view, fast if getattr(view, "text", False) else fast - set(VIEW_TEXT)


def _from_view(store: Store, view: Any, name: str, st: Statement, extra: Mapping[str, Any]) -> list[str]:
    """One candidate list answered by the recall view: the same ids, in the same order, as the
    statement ``st`` would return."""
    k = int(st.params["k"])
    if name == "fact_vector":
        return view.filtered(extra.get("fact_ann") or [], extra.get("fact_ann_score") or [], view.fact_ok, k)
    if name == "utterance_vector":
        return view.filtered(extra.get("utterance_ann") or [], extra.get("utterance_ann_score") or [],
                             view.utterance_ok, k)
    if name == "fact_text":
        return view.fact_text.search(st.params["p1"], view.fact_ok, k)
    if name == "utterance_text":
        return view.utterance_text.search(st.params["p1"], view.utterance_ok, k)
    if view.text:
        entities = view.entity_search(st.params["p1"])
    else:
        from ..store.rview import ENTITY_SEARCH

        entities = [r[0] for r in store.run(Statement(ENTITY_SEARCH[store.dialect],
                                                      {"ns": st.params["ns"], "p1": st.params["p1"]},
                                                      read_only=True)).rows]
    return view.entity_candidates(entities, extra["vector"], int(extra["fetch"]), k)


_VECTOR_LISTS = {"fact_vector": "Fact", "utterance_vector": "Utterance"}


def _small(store: Store, name: str, st: Statement) -> bool:
    """Whether the store would rather scan this vector list's namespace exactly than ask its
    shared ANN index (Neo4j: :meth:`~graphmem.store.neo4j.Neo4jStore.prefers_exact`)."""
    prefers = getattr(store, "prefers_exact", None)
    ns = st.params.get("ns")
    return prefers is not None and isinstance(ns, str) and bool(prefers(_VECTOR_LISTS[name], ns))


def _nearest(store: Store, compiled: Compiled, vector: Sequence[float] | None, fetch: int,
             fast: Collection[str] = ()) -> dict[str, Any]:
    """``$fact_ann`` / ``$utterance_ann`` (and ``…_score``): the ids a store's vector side index
    finds nearest and their cosine, for the statements that take them (the embedded store's)
    and for the vector lists the recall view answers (on any store)."""
    out: dict[str, Any] = {}
    if vector is None:
        return out
    for name, st in compiled.statements.items():
        for label in ("Fact", "Utterance"):
            key = f"{label.lower()}_ann"
            if key not in out and (f"${key}" in st.text or name == f"{label.lower()}_vector" and name in fast):
                hits = store.vector_search(label, st.params["ns"], vector, fetch)
                out[key], out[f"{key}_score"] = [h.id for h in hits], [h.score for h in hits]
    return out


#: Fact signals ranked by a hydrated column, highest first: when the event was, when the fact
#: was last said, and how many utterances support it.
TIME_SIGNALS = {"event_recency": "event_end", "mention_recency": "last_mentioned", "evidence": "evidence"}


#: A cue asking when: dated facts answer it.
WHEN = re.compile(r"\b(when|what (date|day|year|month|time)|how long ago|which (year|month|day))\b", re.I)


def _time_signals(fused: dict[tuple[str, str], dict[str, float]], facts: Mapping[str, Mapping[str, Any]],
                  weight: Callable[[str], float], rrf_k: int, cue: str | None = None) -> None:
    """Add each time signal's reciprocal rank to the fused candidates that are facts having it
    (ties share a rank, so a signal never reorders candidates it cannot tell apart). For a cue
    that asks when, ``dated`` ranks the facts with an event time, in their fused order."""
    w = weight("dated")
    if cue and w > 0 and WHEN.search(cue):
        dated = [key for key in fused if key[0] == "fact" and (facts.get(key[1]) or {}).get("event_start")]
        dated.sort(key=lambda key: (-sum(fused[key].values()), key))
        for rank, key in enumerate(dated, start=1):
            fused[key]["dated"] = w / (rrf_k + rank)
    for signal, column in TIME_SIGNALS.items():
        w = weight(signal)
        keyed = [(facts[i][column], (kind, i)) for kind, i in fused
                 if kind == "fact" and i in facts and facts[i].get(column) is not None]
        if w <= 0 or not keyed:
            continue
        ranks = {v: r for r, v in enumerate(sorted({v for v, _ in keyed}, reverse=True), start=1)}
        for value, key in keyed:
            fused[key][signal] = w / (rrf_k + ranks[value])


def _weights(weights: Mapping[str, float], shares: Mapping[str, float] | None = None) -> Callable[[str], float]:
    """A list's weight: set for the list itself (``fact_text``), else for its signal (``text``)
    times the list's share of it (:data:`LIST_SHARES`: where turns are recalled, each turn's own
    vector carries what its facts' vectors say, so the fact vector list weighs a quarter and
    the turn's own vector and text lists twice their signal's weight; ``RANK BY vector`` scales
    both vector lists, ``RANK BY text`` both text lists)."""

    def weight(name: str) -> float:
        if name in weights:
            return float(weights[name])
        return float(weights.get(SIGNAL_OF.get(name, name), 1.0)) * (shares or {}).get(name, 1.0)

    return weight


def _hydrate(store: Store, st: Statement, ids: list[str], key: str, *,
             said_by: str | None = None) -> dict[str, dict[str, Any]]:
    """One row per id: the last the statement returns (the latest anchor), or under AS OF the
    last said by then — a fact restated later still shows the words it had been said in."""
    if not ids:
        return {}
    rows = store.run(Statement(st.text, {**st.params, "ids": ids}, read_only=True)).dicts()
    return {r[key]: r for r in rows if said_by is None or r.get("time") is None or r["time"] <= said_by}


def _provenance(r: Mapping[str, Any], start: int | None, end: int | None) -> Provenance:
    return Provenance(
        utterance_id=r["utterance_id"],
        utterance=r["utterance"],
        speaker=r["speaker"],
        session=r["session"],
        time=r["time"],
        source=r["source"],
        external_id=r["external_id"],
        start=start or 0,
        end=end if end is not None else len(r["utterance"]),
    )
