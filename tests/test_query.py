"""The query language: grammar, AST, formatter, compiler (both dialects), errors, safety."""

from __future__ import annotations

from datetime import datetime

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphmem.errors import QuerySemanticError, QuerySyntaxError, ReadOnlyError
from graphmem.query import ast as A
from graphmem.query import compile_query, format_query, parse

NOW = datetime(2024, 3, 15, 12, 0)

#: Queries in canonical form: parse → format gives the same text back, and each compiles.
IDENTITY = [
    'RECALL "where does Alice work?"',
    'RECALL "where does Alice work?" LIMIT 5',
    "RECALL FACTS ABOUT Alice WHERE predicate IN (work_at, live_in)",
    'RECALL UTTERANCES "jazz" WHERE speaker = Caroline SINCE 2023-05-01',
    'RECALL "x" ABOUT "Alice Smith", Bob WHERE polarity = false AND confidence >= 0.5 HISTORY',
    'RECALL "x" AS OF 2023-06-01 RANK BY vector=1.0, text=0.5, recency=0.0 WITH SOURCES LIMIT 3',
    'RECALL "x" BETWEEN 2023-01-01 AND 2023-12-31',
    'RECALL "x" SINCE 3 WEEKS AGO',
    'RECALL "x" SINCE YESTERDAY',
    'RECALL FACTS "x" WHERE modality NOT IN (want, can)',
    'MATCH (?p, work_at, Airbus)',
    "MATCH (Alice, brother, ?b), (?b, live_in, ?city) RETURN ?b, ?city",
    "MATCH (?a, knows, ?b) RETURN ?b LIMIT 3",
    "MATCH (_, ?rel, Toulouse) LIMIT 10",
    "MATCH (?p, live_in, ?c) WHERE speaker = Bob BEFORE 2024-01-01",
    "WHY (Alice, move_to, Paris)",
    "WHY (?who, quit, ?job) LIMIT 3",
    "TIMELINE Alice",
    "TIMELINE Alice SINCE 2023-01-01 CURRENT LIMIT 20",
    'SOURCE OF FACT "fact_0123"',
    'EXPLAIN RECALL "x"',
    "EXPLAIN MATCH (?a, ?b, ?c)",
    'REMEMBER "Alice now works at Google" AS Alice AT 2024-03-01',
    'REMEMBER "hi" IN SESSION s2',
    "FORGET FACTS ABOUT Bob BEFORE 2023-01-01",
    'FORGET FACT "fact_0123"',
]


@pytest.mark.parametrize("text", IDENTITY)
def test_identity_round_trip(text):
    node = parse(text)
    assert format_query(node) == text
    assert parse(format_query(node)) == node


@pytest.mark.parametrize("text", IDENTITY)
@pytest.mark.parametrize("dialect", ["neo4j", "kuzu"])
def test_identity_corpus_compiles(text, dialect):
    compiled = compile_query(text, dialect, namespace="ns1", now=NOW)
    for st in compiled.statements.values():
        assert st.params.get("ns", st.params.get("namespace")) == "ns1"


def test_messy_text_formats_to_canonical():
    messy = "  recall\n 'where does Alice work?'  -- the cue\n  about alice  limit 5 ;"
    assert format_query(parse(messy)) == 'RECALL "where does Alice work?" ABOUT alice LIMIT 5'


def test_builders_make_the_same_ast_as_text():
    built = A.Recall(cue=A.Literal("jazz"), about=(A.Entity(A.Literal("Bob")),), limit=A.Literal(3))
    assert parse('RECALL "jazz" ABOUT Bob LIMIT 3') == built
    match = A.Match((A.Pattern(A.Var("p"), A.Entity(A.Literal("work_at")), A.Entity(A.Literal("Airbus"))),))
    assert parse('MATCH (?p, work_at, "Airbus")') == match


def test_spans_point_into_the_text():
    text = 'RECALL "jazz" WHERE speaker = Bob'
    node = parse(text)
    cond = node.where[0]
    assert text[slice(*cond.span)] == "speaker = Bob"
    assert text[slice(*node.cue.span)] == '"jazz"'


# -- per-dialect checks of the compiled Cypher -------------------------------------------------


def compiled_text(q, dialect, **kw):
    return "\n".join(st.text for st in compile_query(q, dialect, namespace="ns", now=NOW, **kw).statements.values())


@pytest.mark.parametrize(
    ("query", "neo4j", "kuzu"),
    [
        ('RECALL "jazz"', "db.index.vector.queryNodes('fact_embedding'", "array_cosine_similarity(f.embedding"),
        ('RECALL "jazz"', "db.index.fulltext.queryNodes('fact_text'", "QUERY_FTS_INDEX('Fact', 'fact_text'"),
        ('RECALL "x" WHERE speaker = Bob', "toLower(u.speaker) = $", "lower(u.speaker) = $"),
        ("TIMELINE Alice", "toLower(e.name) = toLower($", "lower(e.name) = lower($"),
        ('RECALL "x" AS OF 2023-06-01', "f.superseded > $", "f.superseded > $"),
        ('RECALL "x"', "f.superseded IS NULL", "f.superseded IS NULL"),
        ('RECALL "x" HISTORY', "f.retracted IS NULL", "f.retracted IS NULL"),
        ("MATCH (?p, work_at, ?o)", "f0.predicate = $", "f0.predicate = $"),
        ("FORGET FACT $id", "SET f.retracted = $", "SET f.retracted = $"),
    ],
)
def test_dialects(query, neo4j, kuzu):
    params = {"id": "fact_1"}
    assert neo4j in compiled_text(query, "neo4j", params=params)
    assert kuzu in compiled_text(query, "kuzu", params=params)


def test_history_drops_the_current_filter():
    assert "f.superseded IS NULL" not in compiled_text('RECALL "x" HISTORY', "kuzu")


def test_vector_candidates_take_headroom_then_fall_back_to_an_exact_scan():
    for dialect in ("neo4j", "kuzu"):
        compiled = compile_query('RECALL "x"', dialect)
        vector = compiled.statements["fact_vector"].text  # Kùzu: its side index's $fetch nearest
        assert "$fetch" in vector if dialect == "neo4j" else "$fact_ann" in vector
        assert "$fetch" not in compiled.statements["fact_vector_exact"].text


def test_relative_times_resolve_against_now():
    compiled = compile_query('RECALL "x" SINCE 2 WEEKS AGO', "kuzu", now=NOW)
    assert "2024-03-01T00:00:00" in compiled.statements["fact_vector"].params.values()


def test_predicates_are_normalized():
    compiled = compile_query('MATCH (?p, "works at", ?o)', "kuzu")
    assert "works_at" in compiled.statements["match"].params.values()


def test_parameters_are_bound_and_missing_ones_named():
    compiled = compile_query("RECALL $cue LIMIT $n", "kuzu", params={"cue": "jazz", "n": 2})
    assert compiled.fusion.cue == "jazz" and compiled.fusion.limit == 2
    with pytest.raises(QuerySemanticError, match=r"\$cue"):
        compile_query("RECALL $cue", "kuzu")


# -- errors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "column", "hint"),
    [
        ("RECALL where does Alice work", 1, 14, "cue to recall by meaning is quoted"),
        ("RECALL what is it", 1, 13, "unquoted cue"),
        ('RECALL "x" WHERE speakr = Bob', 1, 18, "'speakr' is not a field; did you mean speaker?"),
        ('RECAL "x"', 1, 1, "did you mean RECALL?"),
        ('RECALL "x" LIMT 5', 1, 12, "did you mean LIMIT?"),
        ("MATCH Alice, work_at, ?x", 1, 7, "parentheses"),
        ("MATCH (Alice, work_at)", 1, 22, "three parts"),
        ('RECALL "x" LIMIT five', 1, 18, "whole number"),
        ('RECALL "x" LIMIT 5 6', 1, 20, "LIMIT takes one whole number"),
        ('RECALL "x" LIMIT 5 WERE speaker = Bob', 1, 20, "did you mean WHERE?"),
        ('\nRECALL "x" SINCE 05/01/2023', 2, 20, "YYYY-MM-DD"),
    ],
)
def test_syntax_errors_say_where_what_and_why(text, line, column, hint):
    with pytest.raises(QuerySyntaxError) as info:
        parse(text)
    err = info.value
    assert (err.line, err.column) == (line, column)
    assert hint in str(err) and err.expected
    assert err.context.splitlines()[-1].index("^") == column - 1
    assert err.code == "GM500"


def test_expected_tokens_read_as_words():
    with pytest.raises(QuerySyntaxError) as info:
        parse("SOURCE OF FACT")
    assert any("quoted string" in w for w in info.value.expected)
    assert "the end of the query" not in info.value.expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('RECALL UTTERANCES "x" WHERE predicate = work_at', "property of facts"),
        ('RECALL "x" WHERE polarity = maybe', "true or false"),
        ('RECALL "x" WHERE speaker > Bob', "compared with = or !="),
        ('RECALL "x" LIMIT 0', "LIMIT"),
        ("MATCH (?a, knows, ?b) RETURN ?c", "no pattern binds"),
        ('RECALL "   "', "non-empty"),
    ],
)
def test_semantic_errors_are_their_own_class(text, message):
    with pytest.raises(QuerySemanticError, match=message) as info:
        compile_query(text, "kuzu")
    assert info.value.code == "GM501"


def test_asts_built_in_python_are_checked_too():
    with pytest.raises(QuerySemanticError, match="≥ 0"):
        compile_query(A.Recall(cue=A.Literal("x"), weights=(("vector", -1.0),)), "kuzu")
    with pytest.raises(QuerySemanticError, match="unknown field"):
        compile_query(A.Recall(cue=A.Literal("x"), where=(A.Condition("colour", "=", (A.Literal("red"),)),)), "kuzu")


@pytest.mark.parametrize("text", ['REMEMBER "x"', "FORGET FACTS ABOUT Bob", 'FORGET FACT "f1"'])
def test_writes_are_refused_when_read_only(text):
    with pytest.raises(ReadOnlyError):
        compile_query(text, "neo4j", read_only=True)
    assert compile_query(text, "neo4j").write


# -- safety: hostile input never reaches Cypher text ----------------------------------------------

_PIECES = list("abc XYZ'\"`\\;{}()[]$?-_:é漢😀\n\t") + ["MATCH", "DETACH DELETE", "RETURN", "//", "/*", "*/",
                                                             "`Fact`", "} RETURN 1 //"]
HOSTILE = st.lists(st.sampled_from(_PIECES), min_size=1, max_size=20).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=HOSTILE, dialect=st.sampled_from(["neo4j", "kuzu"]))
def test_hostile_values_only_ever_travel_as_parameters(value, dialect):
    queries = [
        ("RECALL $v", {"v": value}),
        ('RECALL "q" ABOUT $v WHERE speaker = $v', {"v": value}),
        ("MATCH (?a, $v, $v) RETURN ?a", {"v": value}),
        ("TIMELINE $v", {"v": value}),
        ("SOURCE OF FACT $v", {"v": value}),
        ("FORGET FACTS ABOUT $v", {"v": value}),
    ]
    for text, params in queries:
        try:
            compiled = compile_query(text, dialect, namespace="tenant_a", params=params)
        except QuerySemanticError:
            continue
        # The value changes the parameters, never the Cypher: the text is the one an innocent
        # value compiles to.
        innocent = compile_query(text, dialect, namespace="tenant_a", params={"v": "zzqq"})
        assert [s.text for s in compiled.statements.values()] == [s.text for s in innocent.statements.values()]
        for st_ in compiled.statements.values():
            assert st_.params.get("ns", st_.params.get("namespace")) == "tenant_a"


@settings(max_examples=150, deadline=None)
@given(text=st.text(max_size=120))
def test_random_text_parses_or_raises_the_syntax_error(text):
    try:
        node = parse(text)
    except QuerySyntaxError:
        return
    for dialect in ("neo4j", "kuzu"):
        try:
            compile_query(node, dialect)
        except (QuerySemanticError, ReadOnlyError):
            pass


def test_huge_inputs_are_handled():
    cue = "x" * 200_000
    compiled = compile_query(f'RECALL "{cue}"', "kuzu")
    assert all(cue not in s.text for s in compiled.statements.values())
    with pytest.raises(QuerySyntaxError):
        parse("RECALL " + "(" * 10_000)


def test_every_node_pattern_is_scoped_to_the_namespace():
    for text in IDENTITY:
        for st_ in compile_query(text, "neo4j", namespace="ns", now=NOW).statements.values():
            for alias in ("f", "u", "e", "s", "f0", "s0", "u0", "f1", "s1", "u1", "c", "v_b", "x0"):
                if f"({alias}:" in st_.text and "hydrate" not in st_.text:
                    assert f"{alias}.namespace = $ns" in st_.text or f"{alias}.namespace = $namespace" in st_.text, (
                        text, alias)


# -- the shell-less surface ----------------------------------------------------------------------


def test_cli_reports_syntax_errors_without_a_store(tmp_path):
    from graphmem.cli import main

    res = CliRunner().invoke(main, ["query", "RECALL where", "--store", str(tmp_path / "never")])
    assert res.exit_code == 1 and "GM500" in res.output and "^" in res.output
    assert not (tmp_path / "never").exists()


def test_evidence_is_a_where_field_and_time_signals_are_weighed():
    for dialect in ("neo4j", "kuzu"):
        c = compile_query("RECALL FACTS ABOUT Bob WHERE evidence >= 2 RANK BY evidence = 1, event_recency = 0.5",
                          dialect)
        st = c.statements["fact_symbolic"]
        assert "f.evidence >= $p1" in st.text and st.params["p1"] == 2
        assert c.fusion.weights["evidence"] == 1.0 and c.fusion.weights["event_recency"] == 0.5
        assert c.fusion.weights["mention_recency"] > 0  # on by default, as a tie-breaker
    with pytest.raises(QuerySemanticError, match="whole number"):
        compile_query('MATCH (Bob, play, ?x) WHERE evidence = "many"', "kuzu")
    with pytest.raises(QuerySyntaxError, match="event_recency, mention_recency, evidence"):
        compile_query('RECALL "x" RANK BY freshness = 1', "kuzu")
