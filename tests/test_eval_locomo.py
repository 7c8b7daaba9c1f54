"""The LoCoMo harness (graphmem/eval): reading the data, the metric arithmetic, the command."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from graphmem.eval.baselines import rrf
from graphmem.eval.locomo import (
    GROUPS,
    hit_turns,
    load,
    parse_evidence,
    parse_session_time,
    resolve_data,
    score,
    turn_text,
    write_sessions,
)
from graphmem.eval.metrics import contains_answer, evidence_recall, first_occurrences, reciprocal_rank, token_count

TINY = Path(__file__).resolve().parent / "data" / "locomo_tiny.json"


# --- reading LoCoMo ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1:56 pm on 8 May, 2023", datetime(2023, 5, 8, 13, 56)),
        ("10:04 am on 21 June, 2023", datetime(2023, 6, 21, 10, 4)),
        ("12:09 am on 13 September, 2023", datetime(2023, 9, 13, 0, 9)),
        ("12:30 pm on 1 January, 2024", datetime(2024, 1, 1, 12, 30)),
        ("  7:05 PM on 3 Aug 2022 ", datetime(2022, 8, 3, 19, 5)),
    ],
)
def test_session_time_is_parsed(text, expected):
    assert parse_session_time(text) == expected


@pytest.mark.parametrize("text", ["", "8 May, 2023", "13:56 pm on 8 May, 2023", "1:56 pm on 31 June, 2023",
                                  "1:56 pm on 8 Mai, 2023", "1:75 pm on 8 May, 2023"])
def test_bad_session_time_is_refused(text):
    with pytest.raises(ValueError):
        parse_session_time(text)


def test_caption_is_appended_to_the_turn():
    assert turn_text({"text": "Look! ", "blip_caption": "a photo of a dog"}) == "Look! [image: a photo of a dog]"
    assert turn_text({"text": "No image here."}) == "No image here."


def test_evidence_strings_are_split_and_checked():
    known = {"D8:6", "D9:17", "D1:2"}
    assert parse_evidence(["D8:6; D9:17"], known) == (("D8:6", "D9:17"), 0, 0)
    assert parse_evidence(["D1:2", "D", "D:11:26", "D4:4", "D1:2"], known) == (("D1:2",), 2, 1)
    assert parse_evidence([], known) == ((), 0, 0)


def test_fixture_is_read_with_sessions_times_captions_and_ids():
    (conv,) = load(TINY)
    assert resolve_data(TINY.parent) == [TINY]  # no locomo_dev.json there: every *.json
    assert conv.sample_id == "conv-tiny"
    assert conv.sessions == ["session_1", "session_2"]  # session_3 has a date but no turns
    assert [t.dia_id for t in conv.turns] == [f"D1:{i}" for i in range(1, 6)] + [f"D2:{i}" for i in range(1, 6)]
    by_id = {t.dia_id: t for t in conv.turns}
    assert by_id["D1:4"].text == "I went hiking in the Pyrenees yesterday. [image: a photo of a snowy mountain ridge]"
    assert by_id["D1:1"].time == datetime(2023, 5, 8, 13, 56) and by_id["D2:5"].time == datetime(2023, 6, 21, 10, 4)
    assert by_id["D2:3"].speaker == "Bob" and by_id["D2:3"].session == "session_2"
    q1, q2, q3, q5 = conv.questions
    assert [q.category for q in conv.questions] == [1, 2, 4, 5]
    assert q1.evidence == ("D1:1", "D2:2") and q3.evidence == ("D2:3",)
    assert q2.answer == "7 May 2023" and q5.answer is None  # code 5 has only an adversarial answer
    assert conv.dropped == {"malformed_ids": 1, "unknown_ids": 0, "questions_without_evidence": 0}


def test_sessions_become_jsonl_that_graphmem_reads_back_with_dia_ids(tmp_path):
    from graphmem.readers import read_file

    (conv,) = load(TINY)
    files = write_sessions(conv, tmp_path)
    assert [f.name for f in files] == ["session_001.jsonl", "session_002.jsonl"]
    docs = [d for f in files for d in read_file(f)]
    assert [d.session for d in docs] == ["session_1", "session_2"]
    turns = [t for d in docs for t in d.turns]
    assert [t.external_id for t in turns] == [t.dia_id for t in conv.turns]
    assert turns[3].text.endswith("[image: a photo of a snowy mountain ridge]")
    assert turns[0].speaker == "Alice" and turns[0].time == "2023-05-08T13:56:00"
    assert docs[1].time == "2023-06-21T10:04:00"


def test_hits_map_to_turns_first_occurrence_kept():
    def hit(ext):
        return SimpleNamespace(provenance=SimpleNamespace(external_id=ext))

    # two facts of D1:3, then its utterance, then a turn without an id, then D2:1
    hits = [hit("D1:3"), hit("D1:3"), hit("D1:1"), hit("D1:3"), hit(None), hit("D2:1")]
    assert hit_turns(hits) == ["D1:3", "D1:1", "D2:1"]
    assert first_occurrences(["a", "b", "a"]) == ["a", "b"]


# --- the metric arithmetic, by hand --------------------------------------------------------------


def test_recall_at_k_is_the_share_of_evidence_found():
    ranked = ["D1:1", "D1:2", "D1:3", "D1:4"]
    assert evidence_recall(ranked, ["D1:2"], 1) == 0.0
    assert evidence_recall(ranked, ["D1:2"], 2) == 1.0
    assert evidence_recall(ranked, ["D1:2", "D1:4", "D9:9"], 4) == pytest.approx(2 / 3)
    assert evidence_recall(ranked, ["D1:2", "D1:4"], 3) == 0.5
    with pytest.raises(ValueError):
        evidence_recall(ranked, [], 5)


def test_mrr_is_the_first_evidence_rank():
    assert reciprocal_rank(["a", "b", "c"], ["c", "b"]) == 0.5
    assert reciprocal_rank(["a", "b", "c"], ["a"]) == 1.0
    assert reciprocal_rank(["a", "b", "c"], ["z"]) == 0.0


def test_answer_containment_and_tokens():
    texts = ["I adopted a cat named Pixel.", "She sleeps on my  violin case."]
    assert contains_answer("pixel", texts)
    assert contains_answer("Violin   Case", texts)  # case and runs of spaces do not matter
    assert not contains_answer("7 May 2023", texts)
    assert not contains_answer("  ", texts)
    assert token_count(texts) == 6 + 6


def test_score_averages_per_question_and_per_group():
    texts = {("c", f"D1:{i}"): f"turn {i} " + ("Pixel" if i == 3 else "x") for i in range(1, 6)}
    rec = [
        # code 1: two evidence turns, found at ranks 2 and 4
        {"conversation": "c", "category": 1, "evidence": ["D1:2", "D1:4"], "answer": None,
         "ranked": {"s": ["D1:1", "D1:2", "D1:3", "D1:4"]}},
        # code 4: found at rank 1; the answer "pixel" is in D1:3 (rank 3)
        {"conversation": "c", "category": 4, "evidence": ["D1:5"], "answer": "pixel",
         "ranked": {"s": ["D1:5", "D1:1", "D1:3"]}},
        # code 5: never found; no gold answer
        {"conversation": "c", "category": 5, "evidence": ["D1:5"], "answer": None,
         "ranked": {"s": ["D1:1"]}},
        # no evidence: not scored for recall, still counted for tokens
        {"conversation": "c", "category": 4, "evidence": [], "answer": None, "ranked": {"s": ["D1:1"]}},
    ]
    m = score(rec, texts, [1, 2, 4], ["s"])["s"]
    assert set(m) == set(GROUPS)
    allq = m["all"]
    assert (allq["n"], allq["n_unscored"], allq["n_with_answer"]) == (3, 1, 1)
    # recall@2: q1 1/2, q4 1, q5 0 → 0.5; recall@4: 1, 1, 0 → 2/3
    assert allq["recall@2"] == pytest.approx(0.5)
    assert allq["recall@4"] == pytest.approx(2 / 3)
    assert allq["mrr"] == pytest.approx((1 / 2 + 1 + 0) / 3)
    assert (allq["answer@2"], allq["answer@4"]) == (0.0, 1.0)
    assert allq["tokens@1"] == 3.0  # every top turn is "turn N x" or "turn 3 Pixel"
    assert allq["turns"] == pytest.approx((4 + 3 + 1 + 1) / 4)
    assert m["no-adversarial"]["recall@4"] == 1.0 and m["no-adversarial"]["n"] == 2
    assert m["1"]["recall@2"] == 0.5 and m["5"]["recall@4"] == 0.0
    assert m["3"]["n"] == 0 and m["3"]["recall@2"] is None


def test_rrf_fuses_by_rank():
    # 0: 1/61 + 1/62; 2: 1/63 + 1/61; 1: 1/62
    assert rrf([0, 1, 2], [2, 0]) == [0, 2, 1]


# --- the command, end to end --------------------------------------------------------------------


@pytest.mark.slow
def test_cli_runs_end_to_end_on_the_fixture(tmp_path):
    pytest.importorskip("bm25s")
    from graphmem.cli import main

    chart = tmp_path / "recall.png"
    args = ["eval", "locomo", "--data", str(TINY), "--k", "5,50", "--json"]
    try:
        import matplotlib  # noqa: F401

        args += ["--plot", str(chart)]
    except ImportError:
        chart = None
    res = CliRunner().invoke(main, args, env={"HF_HUB_OFFLINE": "1"})
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["data"]["questions"] == 4 and report["data"]["turns"] == 10
    assert report["data"]["by_category"] == {"1": 1, "2": 1, "3": 0, "4": 1, "5": 1}
    assert report["ingest"]["stored"]["utterances"] == 10
    assert set(report["systems"]) == {"graphmem", "gm-vector", "gm-vector-text", "gm-entities", "gm-time",
                                      "gm-speaker", "gm-neighbour", "gm-no-fact-vector", "gm-fact-vector-full",
                                      "gm-as-asked", "bm25", "dense", "bm25+dense"}
    assert report["not_yet_available"]
    for key, system in report["systems"].items():
        allq = system["metrics"]["all"]
        assert allq["n"] == 4 and 0.0 <= allq["recall@5"] <= allq["recall@50"] <= 1.0, key
        assert system["latency_ms"]["p50"] > 0
    # Ten turns, k = 50: every system that returns every turn finds all evidence, so every
    # graphmem hit was mapped back to a dia_id.
    for key in ("graphmem", "dense", "bm25+dense"):
        assert report["systems"][key]["metrics"]["all"]["recall@50"] == 1.0, key
    if chart:
        assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.slow
@pytest.mark.neo4j
def test_the_harness_runs_on_neo4j_in_namespaces_of_its_own(neo4j_server, namespace):
    pytest.importorskip("bm25s")
    from graphmem.cli import main
    from graphmem.store.neo4j import Neo4jStore

    uri, user, password = neo4j_server
    args = ["eval", "locomo", "--data", str(TINY), "--k", "5,50", "--json", "--store", uri,
            "--namespace-prefix", f"{namespace}/"]
    env = {"HF_HUB_OFFLINE": "1", "GRAPHMEM_NEO4J_USER": user, "GRAPHMEM_NEO4J_PASSWORD": password or ""}
    res = CliRunner().invoke(main, args, env=env)
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["params"]["store"] == "neo4j" and report["ingest"]["stored"]["utterances"] == 10
    assert report["systems"]["graphmem"]["metrics"]["all"]["recall@50"] == 1.0
    store = Neo4jStore(uri, user=user, password=password)
    try:  # the turns are in the server, under the prefix
        store.ensure_schema(embedding_dim=384)
        conv = report["params"]["conversations"][0]
        counts = store.run(store.templates.stmt("stats", namespace=f"{namespace}/{conv}")).rows[0]
        assert counts[1] == 10, counts
    finally:
        store.close()


def test_comma_separated_integer_options():
    from graphmem.eval.args import int_list

    assert int_list("25,5,10,5", minimum=1, what="k") == [5, 10, 25]
    assert int_list("3,0,3", minimum=0, what="indices", keep_order=True) == [3, 0]
    assert int_list("100_000", minimum=1, what="sizes") == [100000]
    for bad in ("", "5,x", "0,5"):
        with pytest.raises(ValueError, match="k"):
            int_list(bad, minimum=1, what="k")


@pytest.mark.slow
def test_ingest_ablations_ask_stores_built_without_coreference_or_discourse(tmp_path):
    pytest.importorskip("bm25s")
    from graphmem import Memory
    from graphmem.eval.locomo import run
    from graphmem.store.base import Statement

    report = run(TINY, ks=[5, 50], workdir=tmp_path, ingest_ablations=True, show_progress=False)
    assert {"gm-no-coref", "gm-no-discourse"} <= set(report["systems"]) and not report["not_yet_available"]
    for key in ("gm-no-coref", "gm-no-discourse"):
        assert report["systems"][key]["metrics"]["all"]["n"] == 4 and report["systems"][key]["latency_ms"]["p50"] > 0
    assert report["timing_s"]["ingest_ablations"] > 0
    # The ablated namespaces really were built differently: "She sleeps on my violin case" is
    # Pixel's only with coreference; discourse links (of facts, or of a question and its answer)
    # exist only with discourse.
    conv = json.loads(TINY.read_text())[0]["sample_id"]
    counts = {}
    for ns in (conv, f"{conv}~gm-no-coref", f"{conv}~gm-no-discourse"):
        with Memory(tmp_path / "store", namespace=ns) as mem:
            facts = mem.store.run(Statement("MATCH (f:Fact) WHERE f.namespace = $ns RETURN f.subject AS subject, "
                                            "f.predicate AS predicate", {"ns": ns})).dicts()
            links = sum(mem.store.run(Statement(f"MATCH (a:{label})-[r:{rel}]->() WHERE a.namespace = $ns "
                                                "RETURN count(r)", {"ns": ns})).scalar()
                        for label, rel in (("Fact", "DISCOURSE"), ("Utterance", "TURN_DISCOURSE")))
            counts[ns] = (any(f["subject"] == "Pixel" and f["predicate"].startswith("sleep") for f in facts), links)
    assert counts[conv][0] and not counts[f"{conv}~gm-no-coref"][0]
    assert counts[conv][1] > 0 and counts[f"{conv}~gm-no-discourse"][1] == 0
