"""Neural coreference beside the rules, where a model is installed (``GRAPHMEM_COREF``).

The rule resolver (:mod:`.coref`) is the default and needs nothing but the parse. A
*cluster model* is any callable that takes the texts of one batch (a document's paragraphs,
or a session's turns, in order) and returns coreference clusters over them, each a list of
``(text index, start char, end char)``. graphmem maps every cluster onto its own parse: the
cluster's longest mention that is not a pronoun names it, and each single-pronoun mention of
the cluster then refers to that name, either where the rules found nothing
(``GRAPHMEM_COREF_MODE=complement``, the default) or in place of the rules (``replace``).

Built in, each imported only when chosen, never downloading a model at run time:

* ``stanza`` — stanza's ``coref`` processor (stanza ≥ 1.7); its English model must be in
  stanza's resources folder already (``stanza.download("en", processors="tokenize,coref")``
  once, on a machine with network).
* ``fastcoref`` — ``fastcoref.FCoref`` (its model must be in the Hugging Face cache).
* ``module:attribute`` — any importable cluster model (a callable, or a class or factory
  called with no arguments that returns one).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any

from ..errors import ConfigError, ModelError

__all__ = ["ClusterModel", "load_cluster_model", "external_referents", "COREF_CHOICES", "COREF_MODES"]

#: Clusters of ``(text index, start char, end char)`` over the texts given.
Clusters = list[list[tuple[int, int, int]]]
ClusterModel = Callable[[Sequence[str]], Clusters]

COREF_CHOICES = ("rules", "stanza", "fastcoref")  # or "module:attribute"
COREF_MODES = ("complement", "replace")
_SEP = "\n\n"


def load_cluster_model(spec: str) -> ClusterModel | None:
    """The cluster model ``spec`` names; ``None`` for the rules alone."""
    if spec == "rules":
        return None
    if spec == "stanza":
        return StanzaClusters()
    if spec == "fastcoref":
        return FastcorefClusters()
    if ":" not in spec:
        raise ConfigError(f"GRAPHMEM_COREF must be one of {', '.join(COREF_CHOICES)} or 'module:attribute', "
                          f"got {spec!r}")
    module, _, attr = spec.partition(":")
    try:
        obj: Any = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise ConfigError(f"GRAPHMEM_COREF={spec!r}: cannot import {attr!r} from {module!r}: {exc}") from exc
    if isinstance(obj, type) or not _takes_texts(obj):
        obj = obj()
    if not callable(obj):
        raise ConfigError(f"GRAPHMEM_COREF={spec!r} is not a cluster model (a callable taking a list of texts)")
    return obj


def _takes_texts(fn: Any) -> bool:
    import inspect

    try:
        return bool(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return True


def _joined(texts: Sequence[str]) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + len(_SEP)
    return _SEP.join(texts), starts


def _locate(starts: list[int], lengths: list[int], start: int, end: int) -> tuple[int, int, int] | None:
    """A span of the joined text as ``(text index, start, end)`` within one text (else None)."""
    for i in range(len(starts) - 1, -1, -1):
        if start >= starts[i]:
            s, e = start - starts[i], end - starts[i]
            return (i, s, e) if e <= lengths[i] else None
    return None


class StanzaClusters:
    """stanza's neural coreference (``processors="tokenize,coref"``), with an installed model."""

    def __init__(self, lang: str = "en") -> None:
        try:
            import stanza
        except ImportError as exc:
            raise ModelError("GRAPHMEM_COREF=stanza needs stanza: pip install 'graphmem[stanza]'") from exc
        try:  # never download: a missing model is an error that says how to install it
            self.nlp = stanza.Pipeline(lang, processors="tokenize,coref", download_method=None, verbose=False)
        except Exception as exc:  # stanza raises several kinds for a missing resource
            raise ModelError(f"stanza's {lang} coref model is not installed ({type(exc).__name__}: {exc}); run "
                             f"python -c \"import stanza; stanza.download('{lang}', processors='tokenize,coref')\" "
                             "once where the network is reachable") from exc

    def __call__(self, texts: Sequence[str]) -> Clusters:
        joined, starts = _joined(texts)
        doc = self.nlp(joined)
        lengths = [len(t) for t in texts]
        out: Clusters = []
        for chain in getattr(doc, "coref", None) or []:
            cluster = []
            for m in chain.mentions:
                if not isinstance(m.start_word, int):
                    continue  # a dropped pronoun has no span
                words = doc.sentences[m.sentence].words[m.start_word : m.end_word]
                first, last = words[0], words[-1]
                s = first.start_char if first.start_char is not None else first.parent.start_char
                e = last.end_char if last.end_char is not None else last.parent.end_char
                span = _locate(starts, lengths, s, e)
                if span is not None:
                    cluster.append(span)
            if len(cluster) > 1:
                out.append(cluster)
        return out


class FastcorefClusters:
    """fastcoref's ``FCoref`` (its model must be in the Hugging Face cache already)."""

    def __init__(self) -> None:
        try:
            from fastcoref import FCoref
        except ImportError as exc:
            raise ModelError("GRAPHMEM_COREF=fastcoref needs fastcoref: pip install fastcoref") from exc
        try:
            self.model = FCoref(device="cpu")
        except Exception as exc:  # a missing model under HF_HUB_OFFLINE, among others
            raise ModelError(f"fastcoref's model could not be loaded ({type(exc).__name__}: {exc})") from exc

    def __call__(self, texts: Sequence[str]) -> Clusters:
        joined, starts = _joined(texts)
        lengths = [len(t) for t in texts]
        result = self.model.predict(texts=[joined])[0]
        out: Clusters = []
        for cluster in result.get_clusters(as_strings=False):
            spans = [sp for s, e in cluster if (sp := _locate(starts, lengths, s, e)) is not None]
            if len(spans) > 1:
                out.append(spans)
        return out


def external_referents(clusters: Clusters, docs: Sequence[Any]) -> list[dict[int, tuple[str, str]]]:
    """Per text, pronoun head token → ``(name, type)`` from ``clusters`` over the parsed ``docs``.

    A cluster is named by its longest mention that is not a lone pronoun (no name, no
    referent); a first- or second-person pronoun is left to the speaker rules.
    """
    out: list[dict[int, tuple[str, str]]] = [{} for _ in docs]
    for cluster in clusters:
        named: list[tuple[int, str, str]] = []
        pronouns: list[tuple[int, int]] = []
        for i, start, end in cluster:
            if i >= len(docs):
                continue
            doc = docs[i]
            toks = [t for t in doc.tokens if t.idx < end and t.end > start]
            if len(toks) == 1 and toks[0].upos == "PRON":
                if toks[0].text.lower() not in _SPEAKER_PRONOUNS:
                    pronouns.append((i, toks[0].i))
                continue
            if toks:
                label = next((e.label for e in doc.ents if e.start_char < end and e.end_char > start), "ENTITY")
                named.append((end - start, doc.text[start:end], label))
        if not named:
            continue
        _, name, label = max(named, key=lambda n: n[0])
        for i, tok in pronouns:
            out[i][tok] = (name, label)
    return out


_SPEAKER_PRONOUNS = frozenset("i me my mine myself you your yours yourself yourselves we us our ours ourselves".split())
