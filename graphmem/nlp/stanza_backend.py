"""The stanza parser backend (optional extra ``graphmem[stanza]``).

stanza already speaks Universal Dependencies, so this backend only copies its
Document into a :class:`~graphmem.nlp.parse.ParsedDoc`; every later stage is the
same as with spaCy. :func:`from_conllu` builds the same from CoNLL-U text (via
``stanza.utils.conll``), which is how the backend is tested without downloading
models, and how gold treebank parses can be fed to the extractor.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..errors import ModelError
from .parse import EntitySpan, ParsedDoc, Token

__all__ = ["StanzaParser", "from_conllu", "from_stanza"]


def from_stanza(doc) -> ParsedDoc:  # doc: stanza.Document
    """A ParsedDoc from a stanza Document (character offsets rebuilt when absent)."""
    tokens: list[Token] = []
    sents: list[tuple[int, int]] = []
    pieces: list[str] = []
    pos = 0
    has_offsets = all(tok.start_char is not None for s in doc.sentences for tok in s.tokens)
    text = doc.text if has_offsets and doc.text else None
    for n, sent in enumerate(doc.sentences):
        base = len(tokens)
        first = len(tokens)
        for tok in sent.tokens:
            if has_offsets and text is not None:
                start = tok.start_char
            else:
                start = pos
                pieces.append(tok.text)
                pos += len(tok.text)
                space = "" if "SpaceAfter=No" in (tok.misc or "") else " "
                pieces.append(space)
                pos += len(space)
            # Multi-word tokens ("don't" → do + n't) share their token's span; words carry the syntax.
            offset = start
            for w in tok.words:
                tokens.append(Token(
                    i=base + w.id - 1,
                    text=w.text,
                    idx=offset,
                    lemma=w.lemma or w.text,
                    upos=w.upos or "X",
                    tag=w.xpos or "",
                    dep=w.deprel or "dep",
                    head=(base + w.head - 1) if w.head else base + w.id - 1,
                    ent_type="",
                    sent=n,
                ))
                if len(tok.words) > 1 and tok.text.startswith(w.text, offset - start):
                    offset += len(w.text)
        sents.append((first, len(tokens)))
    if text is None:
        text = "".join(pieces).rstrip()
    for t in tokens:
        if t.dep == "root":
            t.head = t.i
    ents: list[EntitySpan] = []
    for ent in getattr(doc, "ents", []) or []:
        lo = next(t.i for t in tokens if t.idx >= ent.start_char)
        hi = max(t.i for t in tokens if t.idx < ent.end_char) + 1
        for t in tokens[lo:hi]:
            t.ent_type = ent.type
        ents.append(EntitySpan(lo, hi, ent.type, ent.text, ent.start_char, ent.end_char))
    return ParsedDoc(text, tokens, sents, ents)


def from_conllu(conllu: str) -> ParsedDoc:
    """A ParsedDoc from CoNLL-U text (one document, any number of sentences)."""
    try:
        from stanza.utils.conll import CoNLL
    except ImportError as exc:
        raise ModelError("stanza is not installed: pip install 'graphmem[stanza]'") from exc
    return from_stanza(CoNLL.conll2doc(input_str=conllu))


class StanzaParser:
    """A stanza pipeline as parser backend. Its models are stanza's own downloads
    (``stanza.download(lang)``), so it is for machines with network access once."""

    name = "stanza"

    def __init__(self, lang: str = "en", **options: object) -> None:
        self.lang, self.options = lang, options
        self._nlp = None

    @property
    def nlp(self):
        if self._nlp is None:
            try:
                import stanza
            except ImportError as exc:
                raise ModelError("stanza is not installed: pip install 'graphmem[stanza]'") from exc
            try:
                self._nlp = stanza.Pipeline(self.lang, processors="tokenize,mwt,pos,lemma,depparse,ner",
                                            download_method=None, **self.options)
            except Exception as exc:  # stanza raises plain exceptions for missing models
                raise ModelError(f"cannot load stanza's {self.lang!r} models: {exc}") from exc
        return self._nlp

    def parse(self, text: str) -> ParsedDoc:
        return from_stanza(self.nlp(text))

    def parse_many(self, texts: Iterable[str], *, batch_size: int = 64) -> Iterator[ParsedDoc]:
        for text in texts:
            yield self.parse(text)
