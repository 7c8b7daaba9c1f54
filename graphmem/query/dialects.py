"""Cypher generators: one base, one subclass per dialect (the sqlglot way).

The base dispatches on node kind to ``<kind>_cypher`` methods. A dialect overrides,
in this order: flags and name maps (``LOWER``), then methods for what it spells
differently (vector and full-text candidates). Nothing outside this module knows
which dialect it is writing for.

Safety: values only ever enter through :meth:`_Builder.p`, which makes a parameter;
labels, relationship types and property names only through :func:`ident`, which
admits the fixed vocabulary below and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ..errors import QuerySemanticError
from ..store.base import Statement
from . import ast as A
from .cue import content_words
from .compile import DEFAULT_LIMIT, DEFAULT_WEIGHTS, Compiled, FusionSpec, predicate_key, resolve_when

__all__ = ["CypherGenerator", "Neo4jGenerator", "KuzuGenerator", "generator_for", "ident"]

_VOCABULARY = frozenset({
    # labels
    "Fact", "Utterance", "Entity", "Source",
    # relationship types
    "SUBJECT", "OBJECT", "ANCHORED_IN", "MENTIONED_IN", "DISCOURSE", "PART_OF", "NEXT", "RELATED", "SUPERSEDES",
    "TURN_DISCOURSE",
    # properties
    "id", "namespace", "predicate", "polarity", "modality", "mood", "tense", "confidence", "attribution", "subject",
    "object", "speaker", "session", "time", "text", "name", "aliases", "valid_from", "superseded", "retracted",
    "embedding", "relation", "connective", "char_start", "char_end", "external_id", "uri", "position", "act",
    "evidence",
})

#: WHERE field → (which node, property). f = the fact, u = its anchor utterance.
_FIELD = {
    "predicate": ("f", "predicate"), "polarity": ("f", "polarity"), "modality": ("f", "modality"),
    "mood": ("f", "mood"), "tense": ("f", "tense"), "confidence": ("f", "confidence"),
    "attribution": ("f", "attribution"), "subject": ("f", "subject"), "object": ("f", "object"),
    "speaker": ("u", "speaker"), "session": ("u", "session"), "act": ("u", "act"),
    "evidence": ("f", "evidence"),
}
_CASELESS = {"subject", "object", "speaker", "session", "attribution", "act"}
_OPS = {"=": "=", "!=": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
#: Discourse relations that answer WHY: the target of a Reason edge is why its source holds;
#: the source of a Result edge is why its target holds.
REASONS = ["Contingency.Cause.Reason", "Contingency.Cause+Belief.Reason", "cause", "reason"]
RESULTS = ["Contingency.Cause.Result", "Contingency.Cause+Belief.Result", "result"]


def ident(name: str) -> str:
    """A label, relationship type or property name from graphmem's fixed vocabulary."""
    if name not in _VOCABULARY:
        raise ValueError(f"{name!r} is not in the compiler's vocabulary")
    return name


class _Builder:
    """Collects the parameters of one statement."""

    def __init__(self, base: dict[str, Any]) -> None:
        self.params = dict(base)
        self._n = 0

    def p(self, value: Any) -> str:
        self._n += 1
        name = f"p{self._n}"
        self.params[name] = value
        return f"${name}"


class CypherGenerator:
    dialect = "base"
    LOWER = "lower"

    def __init__(self, *, namespace: str, now: datetime, embedding_dim: int) -> None:
        self.namespace, self.now, self.dim = namespace, now, embedding_dim

    # -- entry ------------------------------------------------------------------------------

    def generate(self, node: A.Statement) -> Compiled:
        kind = {A.Recall: "recall", A.Match: "match", A.Why: "why", A.Timeline: "timeline", A.SourceOf: "source",
                A.Remember: "remember", A.ForgetAbout: "forget_about", A.ForgetFact: "forget_fact"}[type(node)]
        return getattr(self, f"{kind}_cypher")(node)

    def unsupported(self, what: str) -> None:
        raise QuerySemanticError(f"{what} is not supported by the {self.dialect} dialect")

    def builder(self) -> _Builder:
        return _Builder({"ns": self.namespace})

    # -- shared pieces --------------------------------------------------------------------------

    def lower(self, expr: str) -> str:
        return f"{self.LOWER}({expr})"

    def entity_match(self, b: _Builder, alias: str, entity: A.Entity) -> str:
        name = str(entity.name.value)  # bound by now
        p = b.p(name)
        return (f"({alias}.{ident('namespace')} = $ns AND ({self.lower(f'{alias}.name')} = {self.lower(p)} "
                f"OR {p} IN {alias}.{ident('aliases')}))")

    def condition(self, b: _Builder, c: A.Condition, aliases: dict[str, str]) -> str:
        node, prop = _FIELD[c.field]
        expr = f"{aliases[node]}.{ident(prop)}"
        values = [v.value for v in c.values]
        if c.field == "predicate":
            values = [predicate_key(str(v)) for v in values]
        if c.field in _CASELESS:
            expr, values = self.lower(expr), [str(v).lower() for v in values]
        if c.op == "in":
            return f"{expr} IN {b.p(values)}"
        if c.op == "notin":
            return f"NOT ({expr} IN {b.p(values)})"
        return f"{expr} {_OPS[c.op]} {b.p(values[0])}"

    def fact_time(self, b: _Builder, t: A.TimeFilter, f: str, u: str) -> list[str]:
        out = [f"{f}.{ident('retracted')} IS NULL"]
        if t.as_of is not None:
            at = b.p(resolve_when(t.as_of, self.now))
            out.append(f"({f}.valid_from IS NULL OR {f}.valid_from <= {at})")
            out.append(f"({f}.superseded IS NULL OR {f}.superseded > {at})")
            out.append(f"{u}.time <= {at}")
        elif not t.history:
            out.append(f"{f}.{ident('superseded')} IS NULL")
        out += self.said_time(b, t, u)
        return out

    def said_time(self, b: _Builder, t: A.TimeFilter, u: str) -> list[str]:
        out = []
        if t.since is not None:
            out.append(f"{u}.time >= {b.p(resolve_when(t.since, self.now))}")
        if t.before is not None:
            out.append(f"{u}.time < {b.p(resolve_when(t.before, self.now))}")
        return out

    def about(self, b: _Builder, entities: tuple[A.Entity, ...], f: str) -> list[str]:
        if not entities:
            return []
        any_of = " OR ".join(self.entity_match(b, "e", e) for e in entities)
        return [f"EXISTS {{ MATCH ({f})-[:SUBJECT|OBJECT]->(e:Entity) WHERE {any_of} }}"]

    def mentions(self, b: _Builder, entities: tuple[A.Entity, ...], u: str) -> list[str]:
        if not entities:
            return []
        any_of = " OR ".join(self.entity_match(b, "e", e) for e in entities)
        return [f"EXISTS {{ MATCH (e:Entity)-[:MENTIONED_IN]->({u}) WHERE {any_of} }}"]

    # -- dialect hooks: what each dialect spells its own way ------------------------------------

    EXACT_VECTOR = False  # True when the dialect's vector candidates are already an exact scan

    def fact_vector(self, b: _Builder) -> str:
        """Rows of ``f, score``: facts by similarity to ``$vector`` (filters follow)."""
        self.unsupported("vector search over facts")
        return ""

    def utterance_vector(self, b: _Builder) -> str:
        self.unsupported("vector search over utterances")
        return ""

    def fulltext(self, b: _Builder, label: str, index: str, cue: str, alias: str, *, top: bool = False) -> str:
        """Rows of ``<alias>, score``: full-text matches of ``cue`` in ``index`` — with ``top``, only
        the index's best ``$fetch`` (headroom for the namespace and filters that follow; the
        executor falls back to all matches, the ``*_exact`` statement, when too few survive)."""
        self.unsupported("full-text search")
        return ""

    def cosine(self, expr: str) -> str:
        self.unsupported("cosine similarity")
        return ""

    # -- RECALL -------------------------------------------------------------------------------

    def recall_cypher(self, node: A.Recall) -> Compiled:
        limit = int(node.limit.value) if node.limit is not None else DEFAULT_LIMIT
        pool = max(3 * limit, 20)
        weights = dict(DEFAULT_WEIGHTS)
        weights.update(dict(node.weights))
        cue = " ".join(str(node.cue.value).split()) if node.cue is not None else None  # one line for every index
        st: dict[str, Statement] = {}
        if node.target in ("any", "facts"):
            st.update(self.fact_candidates(node, cue, pool))
        if node.target in ("any", "utterances"):
            st.update(self.utterance_candidates(node, cue, pool))
        from ..resources import cypher_text

        st["hydrate_facts"] = Statement(cypher_text(self.dialect, "fact_details"), {"namespace": self.namespace},
                                        read_only=True)
        st["hydrate_utterances"] = Statement(cypher_text(self.dialect, "utterance_details"),
                                             {"namespace": self.namespace}, read_only=True)
        as_of = resolve_when(node.time.as_of, self.now) if node.time.as_of is not None else None
        fusion = FusionSpec(weights, limit, pool, node.target, node.with_sources, cue=cue, as_of=as_of)
        return Compiled("recall", self.dialect, st, fusion)

    @staticmethod
    def _needs_anchor(node: A.Recall) -> bool:
        """Whether a RECALL's fact filters read the anchor utterance (time, speaker, session …).

        Without such a filter the candidates skip the ANCHORED_IN join: the fact's own
        namespace scopes it, and hydration joins the anchor anyway. On Kùzu that join is
        planned over the whole edge table and was most of a candidate statement's time.
        """
        t = node.time
        return (t.as_of is not None or t.since is not None or t.before is not None
                or any(_FIELD[c.field][0] == "u" for c in node.where))

    def _fact_filters(self, b: _Builder, node: A.Recall, f: str = "f", u: str = "u", *,
                      anchored: bool = True) -> list[str]:
        conds = [f"{f}.namespace = $ns", f"{u}.namespace = $ns", f"{f}.{ident('mood')} <> 'question'"]
        if not anchored:  # no utterance in the pattern (see _needs_anchor)
            conds.remove(f"{u}.namespace = $ns")
        conds += self.fact_time(b, node.time, f, u)
        conds += [self.condition(b, c, {"f": f, "u": u}) for c in node.where]
        conds += self.about(b, node.about, f)
        return conds

    def fact_candidates(self, node: A.Recall, cue: str | None, pool: int) -> dict[str, Statement]:
        out: dict[str, Statement] = {}

        anchored = self._needs_anchor(node)
        anchor = "\nMATCH (f)-[a:ANCHORED_IN]->(u:Utterance)" if anchored else ""

        def stmt(source: str, score: str, b: _Builder) -> Statement:
            where = " AND ".join(self._fact_filters(b, node, anchored=anchored))
            text = (f"{source}{anchor}\nWHERE {where}\n"
                    f"WITH DISTINCT f, {score} AS score\nRETURN f.id AS id, score ORDER BY score DESC, id LIMIT $k")
            return Statement(text, {**b.params, "k": pool}, read_only=True)

        if cue is None:
            b = self.builder()
            text = ("MATCH (f:Fact)-[a:ANCHORED_IN]->(u:Utterance)\nWHERE " + " AND ".join(self._fact_filters(b, node))
                    + "\nRETURN DISTINCT f.id AS id, u.time AS score ORDER BY score DESC, id LIMIT $k")
            out["fact_symbolic"] = Statement(text, {**b.params, "k": pool}, read_only=True)
            return out
        b = self.builder()
        out["fact_vector"] = stmt(self.fact_vector(b), "score", b)
        if not self.EXACT_VECTOR:
            exact = self.builder()
            out["fact_vector_exact"] = stmt("MATCH (f:Fact) WHERE f.namespace = $ns\nWITH f",
                                            self.cosine("f.embedding"), exact)
        for name, top in (("fact_text", True), ("fact_text_exact", False)):  # headroom, then all matches
            b = self.builder()
            out[name] = stmt(self.fulltext(b, "Fact", "fact_text", content_words(cue), "f", top=top), "score", b)
        b = self.builder()
        # An entity counts by how rare it is (IDF over the namespace's utterances that anchor facts
        # about it): the two speakers of a conversation are in most turns and pick out nothing.
        # Speakers are hubs with thousands of facts: rank by similarity and keep $fetch before
        # joining anchors and applying the filters.
        entities = (self.fulltext(b, "Entity", "entity_name", content_words(cue), "e")
                    + "\nWITH e, score AS es WHERE e.namespace = $ns WITH e ORDER BY es DESC LIMIT 5"
                    + "\nMATCH (g:Fact)-[:SUBJECT|OBJECT]->(e), (g)-[:ANCHORED_IN]->(m:Utterance)"
                    + "\nWITH e, count(DISTINCT m) AS df"
                    + "\nMATCH (x:Utterance) WHERE x.namespace = $ns WITH e, df, count(x) AS n"
                    + "\nWITH e, log((n + 1.0) / (df + 0.5)) AS idf"
                    + "\nMATCH (f:Fact)-[:SUBJECT|OBJECT]->(e)"
                    + f"\nWITH f, idf * {self.cosine('f.embedding')} AS score ORDER BY score DESC LIMIT $fetch")
        out["fact_entity"] = stmt(entities, "score", b)
        if dict(node.weights).get("related", 0) > 0:
            # Two hops (RANK BY related=w, off by default): facts about the entities one RELATED
            # edge from the cue's (the ten most related to them), closest in meaning first.
            # Opt-in: Kùzu 0.11 plans it over whole tables, seconds at 100k facts (bench/README.md).
            b = self.builder()
            related = (self.fulltext(b, "Entity", "entity_name", cue, "e")
                       + "\nWITH e, score AS es WHERE e.namespace = $ns WITH e ORDER BY es DESC, e.id LIMIT 5"
                       + "\nWITH collect(e.id) AS cue_ids, collect(e) AS cue_entities UNWIND cue_entities AS e"
                       + "\nMATCH (e)-[r:RELATED]-(n:Entity)"
                       + "\nWHERE r.namespace = $ns AND n.namespace = $ns AND NOT (n.id IN cue_ids)"
                       + "\nWITH n, count(*) AS strength ORDER BY strength DESC, n.id LIMIT 10"
                       + "\nMATCH (f:Fact)-[:SUBJECT|OBJECT]->(n)"
                       + f"\nWITH DISTINCT f\nWITH f, {self.cosine('f.embedding')} AS score ORDER BY score DESC LIMIT $fetch")
            out["fact_related"] = stmt(related, "score", b)
        if node.about:
            b = self.builder()
            out["fact_about"] = stmt("MATCH (f:Fact) WHERE f.namespace = $ns\nWITH f", self.cosine("f.embedding"), b)
        return out

    def _utterance_filters(self, b: _Builder, node: A.Recall, u: str = "u") -> list[str]:
        conds = [f"{u}.namespace = $ns", f"{u}.{ident('retracted')} IS NULL"] + self.said_time(b, node.time, u)
        if node.time.as_of is not None:  # AS OF: only what had been said by then
            conds.append(f"{u}.time <= {b.p(resolve_when(node.time.as_of, self.now))}")
        conds += [self.condition(b, c, {"u": u, "f": "f"}) for c in node.where if c.field in A.UTTERANCE_FIELDS]
        conds += self.mentions(b, node.about, u)
        return conds

    def utterance_candidates(self, node: A.Recall, cue: str | None, pool: int) -> dict[str, Statement]:
        out: dict[str, Statement] = {}

        def stmt(source: str, score: str, b: _Builder) -> Statement:
            where = " AND ".join(self._utterance_filters(b, node))
            text = f"{source}\nWITH u, {score} AS score\nWHERE {where}\nRETURN u.id AS id, score ORDER BY score DESC, id LIMIT $k"
            return Statement(text, {**b.params, "k": pool}, read_only=True)

        if cue is None:
            b = self.builder()
            out["utterance_symbolic"] = stmt("MATCH (u:Utterance)", "u.time", b)
            return out
        b = self.builder()
        out["utterance_vector"] = stmt(self.utterance_vector(b), "score", b)
        if not self.EXACT_VECTOR:
            exact = self.builder()
            out["utterance_vector_exact"] = stmt(
                f"MATCH (u:Utterance) WHERE u.namespace = $ns\nWITH u, {self.cosine('u.embedding')} AS score", "score",
                exact)
        for name, top in (("utterance_text", True), ("utterance_text_exact", False)):  # headroom, then all matches
            b = self.builder()
            out[name] = stmt(self.fulltext(b, "Utterance", "utterance_text", content_words(cue), "u", top=top),
                             "score", b)
        return out

    # -- MATCH / WHY ----------------------------------------------------------------------------

    def _patterns(self, b: _Builder, patterns: tuple[A.Pattern, ...], where: tuple[A.Condition, ...],
                  time: A.TimeFilter) -> tuple[list[str], list[str], dict[str, str]]:
        """MATCH lines, WHERE conditions, and what each ?variable means."""
        subject_vars = {p.subject.name for p in patterns if isinstance(p.subject, A.Var)}
        for p in patterns:
            if isinstance(p.predicate, A.Var) and (p.predicate.name in subject_vars or any(
                    isinstance(q.object, A.Var) and q.object.name == p.predicate.name for q in patterns)):
                raise QuerySemanticError(f"?{p.predicate.name} stands for a predicate and a thing at once",
                                         span=p.predicate.span)
        lines: list[str] = []
        conds: list[str] = []
        binds: dict[str, str] = {}
        for i, p in enumerate(patterns):
            f, u = f"f{i}", f"u{i}"
            s = f"v_{p.subject.name}" if isinstance(p.subject, A.Var) else f"s{i}"
            lines.append(f"MATCH ({f}:Fact)-[:SUBJECT]->({s}:Entity)")
            lines.append(f"MATCH ({f})-[:ANCHORED_IN]->({u}:Utterance)")
            conds += [f"{f}.namespace = $ns", f"{u}.namespace = $ns", f"{f}.{ident('mood')} <> 'question'",
                      f"{s}.namespace = $ns"]
            conds += self.fact_time(b, time, f, u)
            conds += [self.condition(b, c, {"f": f, "u": u}) for c in where]
            if isinstance(p.subject, A.Entity):
                conds.append(self.entity_match(b, s, p.subject))
            else:
                binds.setdefault(p.subject.name, f"{s}.name") if isinstance(p.subject, A.Var) else None
            if isinstance(p.predicate, A.Entity):
                conds.append(f"{f}.predicate = {b.p(predicate_key(str(p.predicate.name.value)))}")
            elif isinstance(p.predicate, A.Var):
                expr = f"{f}.predicate"
                if p.predicate.name in binds:
                    conds.append(f"{expr} = {binds[p.predicate.name]}")
                else:
                    binds[p.predicate.name] = expr
            o = p.object
            if isinstance(o, A.Entity):
                x = f"x{i}"
                conds.append(f"({self.lower(f'{f}.object')} = {self.lower(b.p(str(o.name.value)))} OR EXISTS "
                             f"{{ MATCH ({f})-[:OBJECT]->({x}:Entity) WHERE {self.entity_match(b, x, o)} }})")
            elif isinstance(o, A.Var) and o.name in subject_vars:
                lines.append(f"MATCH ({f})-[:OBJECT]->(v_{o.name}:Entity)")
                conds.append(f"v_{o.name}.namespace = $ns")
                binds.setdefault(o.name, f"v_{o.name}.name")
            elif isinstance(o, A.Var):
                expr = f"{f}.object"
                if o.name in binds:
                    conds.append(f"{self.lower(expr)} = {self.lower(binds[o.name])}")
                else:
                    binds[o.name] = expr
        return lines, conds, binds

    def match_cypher(self, node: A.Match) -> Compiled:
        b = self.builder()
        lines, conds, binds = self._patterns(b, node.patterns, node.where, node.time)
        names = [v.name for v in node.returns] or list(binds)
        if names:
            cols = [f"{binds[n]} AS {n}" for n in names]
        else:
            names, cols = ["fact", "id"], ["f0.text AS fact", "f0.id AS id"]
        limit = int(node.limit.value) if node.limit is not None else 100
        text = "\n".join(lines) + "\nWHERE " + " AND ".join(conds) + "\nRETURN DISTINCT " + ", ".join(cols)
        text += "\nORDER BY " + ", ".join(names) + "\nLIMIT $k"
        return Compiled("match", self.dialect, {"match": Statement(text, {**b.params, "k": limit}, read_only=True)},
                        columns=tuple(names))

    def why_cypher(self, node: A.Why) -> Compiled:
        limit = int(node.limit.value) if node.limit is not None else DEFAULT_LIMIT
        parts = []
        b = self.builder()
        for direction, rels in (("->", REASONS), ("<-", RESULTS)):
            lines, conds, _ = self._patterns(b, (node.pattern,), (), A.TimeFilter())
            edge = "-[d:DISCOURSE]->(c:Fact)" if direction == "->" else "<-[d:DISCOURSE]-(c:Fact)"
            parts.append("\n".join(lines) + f"\nMATCH (f0){edge}\nWHERE " + " AND ".join(
                conds + ["c.namespace = $ns", f"d.relation IN {b.p(rels)}", f"c.{ident('retracted')} IS NULL"])
                + "\nRETURN f0.id AS fact_id, f0.text AS fact, c.id AS reason_id, c.text AS reason, "
                  "d.relation AS relation, d.connective AS connective")
        text = "\nUNION\n".join(parts)
        return Compiled("why", self.dialect, {"why": Statement(text, b.params, read_only=True)},
                        columns=("fact_id", "fact", "reason_id", "reason", "relation", "connective"),
                        fusion=None, action={"limit": limit})

    # -- TIMELINE, SOURCE OF -------------------------------------------------------------------

    def timeline_cypher(self, node: A.Timeline) -> Compiled:
        b = self.builder()
        conds = ["f.namespace = $ns", "u.namespace = $ns", self.entity_match(b, "e", node.entity)]
        conds += self.fact_time(b, node.time, "f", "u")
        limit = int(node.limit.value) if node.limit is not None else 100
        text = ("MATCH (f:Fact)-[:SUBJECT|OBJECT]->(e:Entity)\nMATCH (f)-[a:ANCHORED_IN]->(u:Utterance)\nWHERE "
                + " AND ".join(conds)
                + "\nRETURN DISTINCT f.id AS id, u.time AS time, f.text AS fact, f.predicate AS predicate, "
                  "f.polarity AS polarity, f.superseded AS superseded, u.speaker AS speaker, u.session AS session, "
                  "u.text AS utterance, a.char_start AS char_start, a.char_end AS char_end, u.position AS position"
                  "\nORDER BY time, session, position, id\nLIMIT $k")
        cols = ("id", "time", "fact", "predicate", "polarity", "superseded", "speaker", "session", "utterance",
                "char_start", "char_end", "position")
        return Compiled("timeline", self.dialect, {"timeline": Statement(text, {**b.params, "k": limit},
                                                                        read_only=True)}, columns=cols)

    def source_cypher(self, node: A.SourceOf) -> Compiled:
        b = self.builder()
        text = (f"MATCH (f:Fact)-[a:ANCHORED_IN]->(u:Utterance)-[:PART_OF]->(s:Source)\nWHERE f.id = {b.p(str(node.fact.value))}"
                " AND f.namespace = $ns AND u.namespace = $ns AND s.namespace = $ns"
                f" AND a.{ident('retracted')} IS NULL\nRETURN f.id AS id, f.text AS fact, u.id AS utterance_id, u.text AS utterance, "
                "a.char_start AS char_start, a.char_end AS char_end, u.speaker AS speaker, u.session AS session, "
                "u.time AS time, u.external_id AS external_id, s.uri AS source")
        cols = ("id", "fact", "utterance_id", "utterance", "char_start", "char_end", "speaker", "session", "time",
                "external_id", "source")
        return Compiled("source", self.dialect, {"source": Statement(text, b.params, read_only=True)}, columns=cols)

    # -- writes -----------------------------------------------------------------------------------

    def remember_cypher(self, node: A.Remember) -> Compiled:
        action = {
            "text": str(node.text.value),
            "speaker": None if node.speaker is None else str(node.speaker.name.value),
            "at": None if node.at is None else resolve_when(node.at, self.now),
            "session": None if node.session is None else str(node.session.value),
        }
        return Compiled("remember", self.dialect, write=True, action=action)

    def forget_about_cypher(self, node: A.ForgetAbout) -> Compiled:
        b = self.builder()
        conds = ["f.namespace = $ns", "u.namespace = $ns", self.entity_match(b, "e", node.entity),
                 f"f.{ident('retracted')} IS NULL"]
        conds += self.said_time(b, node.time, "u")
        stamp = b.p(self.now.replace(microsecond=0).isoformat())
        text = ("MATCH (f:Fact)-[:SUBJECT|OBJECT]->(e:Entity)\nMATCH (f)-[:ANCHORED_IN]->(u:Utterance)\nWHERE "
                + " AND ".join(conds) + f"\nWITH DISTINCT f\nSET f.{ident('retracted')} = {stamp}\nRETURN count(f) AS forgotten")
        return Compiled("forget", self.dialect, {"forget": Statement(text, b.params)}, columns=("forgotten",),
                        write=True)

    def forget_fact_cypher(self, node: A.ForgetFact) -> Compiled:
        b = self.builder()
        stamp = b.p(self.now.replace(microsecond=0).isoformat())
        text = (f"MATCH (f:Fact)\nWHERE f.id = {b.p(str(node.fact.value))} AND f.namespace = $ns "
                f"AND f.{ident('retracted')} IS NULL\nSET f.{ident('retracted')} = {stamp}\nRETURN count(f) AS forgotten")
        return Compiled("forget", self.dialect, {"forget": Statement(text, b.params)}, columns=("forgotten",),
                        write=True)


class Neo4jGenerator(CypherGenerator):
    """Neo4j 5: HNSW vector indexes and Lucene full-text indexes, called as procedures."""

    dialect = "neo4j"
    LOWER = "toLower"

    def fact_vector(self, b: _Builder) -> str:
        # Headroom for the namespace/constraint filter that follows; the executor falls back
        # to fact_vector_exact when the filter leaves too few rows.
        return "CALL db.index.vector.queryNodes('fact_embedding', $fetch, $vector) YIELD node AS f, score"

    def utterance_vector(self, b: _Builder) -> str:
        return "CALL db.index.vector.queryNodes('utterance_embedding', $fetch, $vector) YIELD node AS u, score"

    def fulltext(self, b: _Builder, label: str, index: str, cue: str, alias: str, *, top: bool = False) -> str:
        from ..store.neo4j import lucene_escape  # Lucene syntax is this dialect's business

        query = lucene_escape(cue).strip() or '""'
        limit = ", {limit: $fetch}" if top else ""
        return f"CALL db.index.fulltext.queryNodes('{index}', {b.p(query)}{limit}) YIELD node AS {alias}, score"

    def cosine(self, expr: str) -> str:
        # Neo4j reports (1 + cos) / 2: mapped back to plain cosine, which fact_entity multiplies
        # by an entity's idf (a scaled, shifted cosine would rank two entities' facts otherwise).
        return f"(2.0 * vector.similarity.cosine({expr}, $vector) - 1.0)"


class KuzuGenerator(CypherGenerator):
    """Kùzu 0.11: exact cosine over stored embeddings, the fts extension's BM25."""

    dialect = "kuzu"
    LOWER = "lower"

    # No ANN index inside the embedded store (PERF-NOTES.md): the executor asks the store's
    # side index (store/vindex.py) for the $fetch nearest ids ($fact_ann, $utterance_ann) and
    # their cosine (…_score), so the filters after see few rows and no embedding is read.
    # UNWIND of plain strings: Kùzu 0.11 evaluates `id IN $list` row by row over the whole
    # table, and joins on a struct field by a cross product (≈ 15-70× slower at 100k facts).
    # The executor falls back to the *_exact statements when the filters leave too few.
    def fact_vector(self, b: _Builder) -> str:
        return self._nearest("Fact", "f", "$fact_ann")

    def utterance_vector(self, b: _Builder) -> str:
        return self._nearest("Utterance", "u", "$utterance_ann")

    @staticmethod
    def _nearest(label: str, alias: str, ids: str) -> str:
        # The casts type an empty list (nothing stored yet), which Kùzu cannot infer.
        return (f"UNWIND CAST({ids} AS STRING[]) AS i\n"
                f"MATCH ({alias}:{ident(label)}) WHERE {alias}.id = i AND {alias}.namespace = $ns\n"
                f"WITH {alias}, list_extract(CAST({ids}_score AS DOUBLE[]), "
                f"list_position(CAST({ids} AS STRING[]), {alias}.id)) AS score")

    def fulltext(self, b: _Builder, label: str, index: str, cue: str, alias: str, *, top: bool = False) -> str:
        top_k = ", top := $fetch" if top else ""
        return f"CALL QUERY_FTS_INDEX('{ident(label)}', '{index}', {b.p(cue)}{top_k}) WITH node AS {alias}, score"

    def cosine(self, expr: str) -> str:
        return f"array_cosine_similarity({expr}, CAST($vector AS FLOAT[{int(self.dim)}]))"


_GENERATORS = {"neo4j": Neo4jGenerator, "kuzu": KuzuGenerator}


def generator_for(dialect: str, **kw: Any) -> CypherGenerator:
    try:
        return _GENERATORS[dialect](**kw)
    except KeyError:
        raise QuerySemanticError(f"unknown dialect {dialect!r}; dialects: {', '.join(_GENERATORS)}") from None
