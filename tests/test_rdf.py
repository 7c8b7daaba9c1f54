"""RDF out and back in: Turtle, JSON-LD and N-Triples describe the same graph; import restores the facts."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import PROV

from graphmem.errors import InputError

pytestmark = pytest.mark.slow

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "data"
GM = "https://graphmem.dev/ns#"


@pytest.fixture
def loaded(memory):
    memory.ingest([EXAMPLES])
    return memory


def test_formats_describe_the_same_graph(loaded):
    graphs = {fmt: Graph().parse(data=loaded.export_rdf(fmt), format=fmt) for fmt in ("turtle", "json-ld", "nt")}
    assert len(graphs["turtle"]) > 100
    assert isomorphic(graphs["turtle"], graphs["json-ld"]) and isomorphic(graphs["turtle"], graphs["nt"])


def test_facts_carry_provenance(loaded):
    g = Graph().parse(data=loaded.export_rdf("turtle"), format="turtle")
    facts = list(g.subjects(RDF.type, URIRef(GM + "Fact")))
    assert len(facts) == loaded.stats()["facts"]
    work = next(f for f in facts if str(g.value(f, RDF.predicate)).endswith("/work_at"))
    utterance = g.value(work, PROV.wasDerivedFrom)
    text = str(g.value(utterance, URIRef(GM + "text")))
    start, end = int(g.value(work, URIRef(GM + "charStart"))), int(g.value(work, URIRef(GM + "charEnd")))
    assert text[start:end] == "I just started working at Airbus"
    source = g.value(utterance, PROV.wasDerivedFrom)
    assert str(g.value(source, URIRef(GM + "uri"))).endswith("chat.jsonl#s1")
    assert str(g.value(utterance, PROV.generatedAtTime)) == "2023-05-08T13:56:00"


def test_import_restores_the_facts(loaded, tmp_path):
    from graphmem import Memory

    path = tmp_path / "memory.ttl"
    path.write_text(loaded.export_rdf("turtle"), encoding="utf-8")
    asserted = {(r["s"], r["p"], r["o"]) for r in loaded.query("MATCH (?s, ?p, ?o)")}
    location = str(tmp_path / "copy")
    with Memory(location, namespace="copy") as copy:
        report = copy.import_rdf(path)
        assert report.written and report.facts == len(asserted)
        assert {(r["s"], r["p"], r["o"]) for r in copy.query("MATCH (?s, ?p, ?o)")} == asserted
        assert not copy.import_rdf(path).written  # idempotent
        hits = copy.recall("where does Alice work?", k=3)
        assert any(h.fact and h.fact.object == "Airbus" and h.provenance.source == str(path) for h in hits)


def test_plain_rdf_becomes_facts(tmp_path):
    from graphmem import Memory

    path = tmp_path / "people.nt"
    path.write_text(
        '<http://ex.org/Alice> <http://ex.org/worksAt> <http://ex.org/Airbus> .\n'
        '<http://ex.org/Alice> <http://www.w3.org/2000/01/rdf-schema#label> "Alice" .\n'
        '<http://ex.org/Bob> <http://ex.org/age> "42" .\n', encoding="utf-8")
    with Memory(tmp_path / "s", namespace="plain") as mem:
        assert mem.import_rdf(path).facts == 2
        assert mem.query("MATCH (?s, worksat, ?o)") == [{"s": "Alice", "o": "Airbus"}]


def test_bad_rdf_is_a_clear_error(tmp_path):
    from graphmem import Memory

    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .", encoding="utf-8")
    with Memory(tmp_path / "s") as mem:
        with pytest.raises(InputError, match="bad.ttl"):
            mem.import_rdf(bad)
        assert mem.stats()["facts"] == 0


def test_cli_export_import(tmp_path):
    from click.testing import CliRunner

    from graphmem.cli import main

    runner = CliRunner()
    store = ["--store", str(tmp_path / "s")]
    assert runner.invoke(main, ["ingest", str(EXAMPLES / "chat.jsonl"), *store]).exit_code == 0
    out = tmp_path / "m.jsonld"
    res = runner.invoke(main, ["export", "-f", "json-ld", "-o", str(out), *store, "--json"])
    assert res.exit_code == 0 and out.stat().st_size > 1000
    res = runner.invoke(main, ["import", str(out), *store, "--namespace", "copy", "--json"])
    assert res.exit_code == 0, res.output
    assert '"written": true' in res.stdout
