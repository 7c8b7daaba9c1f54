"""RDF out and in, through rdflib: Turtle, JSON-LD and N-Triples, provenance in PROV-O.

Export, for one namespace:

* every entity is an IRI (``gm:Entity``, ``rdfs:label``, ``skos:altLabel`` for aliases);
* every fact is a reified ``rdf:Statement`` (also ``gm:Fact``) carrying its properties
  (polarity, modality, tense, mood, confidence, verbalized text) and, in PROV-O terms,
  ``prov:wasDerivedFrom`` the utterance it was read from, with the character span of
  the anchor; current, asserted, positive facts are also stated directly as
  ``<subject> <predicate> <object>`` so plain RDF tools see them;
* every utterance is a ``prov:Entity`` ``prov:wasDerivedFrom`` its source document or
  session, with ``prov:generatedAtTime`` when it was said.

Import reads any RDF file: graphmem's own reified facts when present, otherwise every
triple whose predicate is not RDF/RDFS/OWL/PROV/SKOS vocabulary. Each becomes a fact
anchored to a generated utterance of the import's source, so it stays traceable.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from .errors import InputError

if TYPE_CHECKING:
    from rdflib import Graph

    from .store.base import Store

__all__ = ["FORMATS", "export_graph", "triples_from_rdf", "BASE"]

BASE = "https://graphmem.dev/"
FORMATS = {"turtle": "ttl", "json-ld": "jsonld", "nt": "nt"}
_SKIP_PREFIXES = (
    "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://www.w3.org/2000/01/rdf-schema#",
    "http://www.w3.org/2002/07/owl#", "http://www.w3.org/ns/prov#", "http://www.w3.org/2004/02/skos/core#",
)


def _ns():
    from rdflib import Namespace

    return Namespace(BASE + "ns#")


def _iri(namespace: str, kind: str, ident: str):
    from rdflib import URIRef

    return URIRef(f"{BASE}{quote(namespace, safe='')}/{kind}/{quote(ident, safe='')}")


def export_graph(store: Store, namespace: str) -> Graph:
    """The namespace's memory as an rdflib Graph."""
    from rdflib import RDF, RDFS, XSD, Graph, Literal, Namespace
    from rdflib.namespace import PROV, SKOS

    gm = _ns()
    pred = Namespace(BASE + "predicate/")
    g = Graph()
    g.bind("gm", gm)
    g.bind("gmp", pred)
    g.bind("prov", PROV)
    g.bind("skos", SKOS)
    t = store.templates

    def rows(name: str) -> list[dict[str, Any]]:
        return store.run(t.stmt(name, namespace=namespace)).dicts()

    for e in rows("export_entities"):
        node = _iri(namespace, "entity", e["id"])
        g.add((node, RDF.type, gm.Entity))
        g.add((node, RDFS.label, Literal(e["name"])))
        if e["type"]:
            g.add((node, gm.entityType, Literal(e["type"])))
        for alias in e["aliases"] or []:
            if alias != e["name"]:
                g.add((node, SKOS.altLabel, Literal(alias)))
    sources = {}
    for u in rows("export_utterances"):
        node = _iri(namespace, "utterance", u["id"])
        src = _iri(namespace, "source", u["source_id"])
        sources[src] = u
        g.add((node, RDF.type, gm.Utterance))
        g.add((node, RDF.type, PROV.Entity))
        g.add((node, gm.text, Literal(u["text"])))
        g.add((node, PROV.wasDerivedFrom, src))
        if u["speaker"]:
            g.add((node, gm.speaker, Literal(u["speaker"])))
        if u["session"]:
            g.add((node, gm.session, Literal(u["session"])))
        if u["time"]:
            g.add((node, PROV.generatedAtTime, Literal(u["time"], datatype=XSD.dateTime)))
        if u["position"] is not None:
            g.add((node, gm.position, Literal(int(u["position"]))))
    for src, u in sources.items():
        g.add((src, RDF.type, gm.Source))
        g.add((src, RDF.type, PROV.Entity))
        g.add((src, gm.uri, Literal(u["source_uri"])))
        g.add((src, gm.kind, Literal(u["source_kind"])))
        if u["source_title"]:
            g.add((src, RDFS.label, Literal(u["source_title"])))
    for f in rows("export_facts"):
        node = _iri(namespace, "fact", f["id"])
        subj = _iri(namespace, "entity", f["subject_id"])
        obj = _iri(namespace, "entity", f["object_id"]) if f["object_id"] else Literal(f["object"] or "")
        p = pred[quote(f["predicate"], safe="")]
        g.add((node, RDF.type, RDF.Statement))
        g.add((node, RDF.type, gm.Fact))
        g.add((node, RDF.subject, subj))
        g.add((node, RDF.predicate, p))
        g.add((node, RDF.object, obj))
        g.add((node, gm.text, Literal(f["text"])))
        g.add((node, gm.relation, Literal(f["relation"])))
        g.add((node, gm.polarity, Literal(bool(f["polarity"]))))
        g.add((node, gm.confidence, Literal(float(f["confidence"]))))
        g.add((node, gm.mood, Literal(f["mood"] or "asserted")))
        for key in ("modality", "tense", "attribution", "superseded"):
            if f[key]:
                g.add((node, gm[key], Literal(f[key])))
        if f.get("event_start"):  # when it happened, apart from when it was said
            g.add((node, gm.eventStart, Literal(f["event_start"], datatype=XSD.date)))
            g.add((node, gm.eventEnd, Literal(f["event_end"] or f["event_start"], datatype=XSD.date)))
            g.add((node, gm.eventText, Literal(f["event_text"] or "")))
        anchor = _iri(namespace, "utterance", f["utterance_id"])
        g.add((node, PROV.wasDerivedFrom, anchor))
        g.add((node, gm.charStart, Literal(int(f["char_start"]))))
        g.add((node, gm.charEnd, Literal(int(f["char_end"]))))
        if f["polarity"] and (f["mood"] or "asserted") == "asserted" and not f["superseded"]:
            g.add((subj, p, obj))
    return g


def triples_from_rdf(path: str | Path) -> list[tuple[str, str, str, bool]]:
    """(subject, predicate, object, object is a thing) from an RDF file (format from its suffix).

    Raises:
        InputError: the file is missing or not parseable RDF.
    """
    from rdflib import RDF, RDFS, Graph, Literal
    from rdflib.util import guess_format

    path = Path(path)
    if not path.is_file():
        raise InputError("no such file", path=path)
    fmt = guess_format(str(path)) or ("json-ld" if path.suffix in (".jsonld", ".json") else "turtle")
    g = Graph()
    try:
        g.parse(str(path), format=fmt)
    except Exception as exc:  # rdflib raises many parser-specific types
        raise InputError(f"not readable as {fmt}: {exc}", path=path) from exc
    gm = _ns()

    def label(node) -> str:
        if isinstance(node, Literal):
            return str(node)
        name = g.value(node, RDFS.label)
        if name is not None:
            return str(name)
        text = str(node)
        return text.rstrip("/#").rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    def pred_name(node) -> str:
        text = str(node).rstrip("/#")
        return text.rsplit("/", 1)[-1].rsplit("#", 1)[-1]

    out: list[tuple[str, str, str, bool]] = []
    reified = list(g.subjects(RDF.type, gm.Fact))
    if reified:
        for f in reified:
            if str(g.value(f, gm.mood) or "asserted") != "asserted":
                continue
            s, p, o = g.value(f, RDF.subject), g.value(f, RDF.predicate), g.value(f, RDF.object)
            if s is not None and p is not None and o is not None:
                out.append((label(s), pred_name(p), label(o), not isinstance(o, Literal)))
    else:
        for s, p, o in g:
            if str(p).startswith(_SKIP_PREFIXES):
                continue
            out.append((label(s), pred_name(p), label(o), not isinstance(o, Literal)))
    return sorted(set(out))
