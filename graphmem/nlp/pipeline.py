"""Text → :class:`MemoryBatch`: parse, extract facts, anchor entities. No database code."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Protocol

from ..model import Entity, Fact, FactAnchor, MemoryBatch, Mention, Source, Utterance, make_id
from .links import DialogueContext, link_batch
from .parse import ParsedDoc, SpacyParser
from .triples import Phrase, extract

if TYPE_CHECKING:
    from .coref_models import ClusterModel

__all__ = ["Pipeline", "KnownEntities", "entity_key"]

#: NER labels that name values, not things the memory tracks as entities.
_VALUE_LABELS = {"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY"}
_LEADING = re.compile(r"^(the|a|an|my|our|your|his|her|their|its)\s+", re.IGNORECASE)


def entity_key(name: str) -> str:
    """The canonical key of an entity name within a namespace.

    >>> entity_key("The  Airbus's")
    'airbus'
    """
    key = re.sub(r"\s+", " ", name.strip())
    key = re.sub(r"['’]s$", "", key)
    key = _LEADING.sub("", key)
    return key.lower()


_TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "madam", "mr.", "mrs.", "ms.", "dr.", "prof."}
_NAMED = {"PERSON", "ORG", "ENTITY", "GPE", "NORP", "FAC", "LOC"}


def _name_tokens(name: str) -> tuple[str, ...]:
    return tuple(w for w in entity_key(name).split() if w not in _TITLES)


class KnownEntities(Protocol):
    """The namespace's stored entities, as the pipeline sees them (:class:`graphmem.entities.AliasIndex`)."""

    def find(self, name: str, type_: str) -> tuple[str, str] | None:
        """The id and name of the one stored entity ``name`` (of type ``type_``) refers to, else ``None``."""

    def note(self, entities: Iterable[Entity]) -> None:
        """Remember the entities of a batch about to be written."""


class _Entities:
    """The entities of one batch, merged by key and by obvious name variants.

    "Alice Smith", "Alice" and "Ms. Smith" in one document are one entity when the
    shorter names pick out exactly one longer name; the longest form is its name.
    """

    def __init__(self, namespace: str, known: KnownEntities | None = None) -> None:
        self.namespace = namespace
        self.known = known
        self.by_id: dict[str, Entity] = {}
        self.by_key: dict[str, str] = {}

    def get(self, name: str, type_: str) -> Entity:
        key = entity_key(name)
        eid = self.by_key.get(key) or self._variant_of(name, type_)
        stored = self.known.find(name, type_) if eid is None and self.known is not None else None
        eid = eid or (stored[0] if stored else make_id("ent", self.namespace, key))  # stored: named in an earlier document
        self.by_key[key] = eid
        ent = self.by_id.get(eid)
        if ent is None:
            ent = Entity(eid, self.namespace, (stored[1] or name) if stored else name, type_, (name,))
            self.by_id[eid] = ent
        else:
            if name not in ent.aliases:
                ent.aliases = (*ent.aliases, name)
            if len(_name_tokens(name)) > len(_name_tokens(ent.name)):
                ent.name = name  # the fullest form names it
            if ent.type == "ENTITY" and type_ != "ENTITY":
                ent.type = type_
        return ent

    def _variant_of(self, name: str, type_: str) -> str | None:
        if type_ not in _NAMED:
            return None
        words = set(_name_tokens(name))
        if not words:
            return None
        matches = {
            e.id
            for e in self.by_id.values()
            if e.type in _NAMED and (words < set(_name_tokens(e.name)) or set(_name_tokens(e.name)) < words)
        }
        return matches.pop() if len(matches) == 1 else None


class Pipeline:
    """The linguistic pipeline. The parser loads lazily, on the first text."""

    def __init__(self, parser: SpacyParser, *, coref_model: ClusterModel | None = None,
                 coref_mode: str = "complement", coreference: bool = True, discourse: bool = True) -> None:
        self.parser = parser
        self.coref_model = coref_model  # a neural cluster model beside the rules (coref_models.py)
        self.coref_mode = coref_mode
        # Off only to measure what they bring (graphmem eval locomo --ingest-ablations):
        self.coreference = coreference  # third-person pronouns and descriptions resolved
        self.discourse = discourse  # connective links, question/answer pairs, short answers as facts
        self.dialogue = DialogueContext()  # the last turns per source, for turns added one at a time

    def build(
        self,
        namespace: str,
        source: Source,
        utterances: Sequence[Utterance],
        *,
        previous_utterance_id: str | None = None,
        known: KnownEntities | None = None,
    ) -> MemoryBatch:
        """The batch of ``utterances``; names stored before resolve through ``known`` (the alias index)."""
        batch = MemoryBatch(namespace, source, list(utterances), previous_utterance_id=previous_utterance_id)
        ents = _Entities(namespace, known)
        docs = list(self.parser.parse_many([u.text for u in utterances]))
        from .coref import session_resolver  # coreference follows the session across batches

        coref = session_resolver(self, namespace, source.id, utterances, previous_utterance_id)
        external: list[dict[int, tuple[str, str]]] = [{} for _ in docs]
        if self.coref_model is not None and docs:
            from .coref_models import external_referents

            external = external_referents(self.coref_model([u.text for u in utterances]), docs)
        for utt, doc, ext in zip(utterances, docs, external):
            self._annotate(batch, ents, utt, doc, coref, ext)
        # Discourse: connectives link the facts of their two arguments; short answers become facts.
        if self.discourse:
            link_batch(batch, docs, ents, context=self.dialogue)
        batch.entities = list(ents.by_id.values())
        if known is not None:
            known.note(batch.entities)
        from .evidence import merge_restated

        return merge_restated(batch)  # one fact per claim: a restatement is another anchor

    def _annotate(self, batch: MemoryBatch, ents: _Entities, utt: Utterance, doc: ParsedDoc,
                  coref: object | None = None, external: dict[int, tuple[str, str]] | None = None) -> None:
        speaker = ents.get(utt.speaker, "PERSON") if utt.speaker else None
        named: dict[int, Entity] = {}  # token index → entity
        for span in doc.ents:
            if span.label in _VALUE_LABELS:
                continue
            ent = ents.get(span.text, span.label)
            batch.mentions.append(Mention(ent.id, utt.id, span.start_char, span.end_char, span.text))
            for i in range(span.start, span.end):
                named[i] = ent
        # Proper nouns the NER missed still name something.
        i = 0
        toks = doc.tokens
        while i < len(toks):
            if toks[i].upos == "PROPN" and i not in named and not toks[i].ent_type:
                j = i
                while j + 1 < len(toks) and toks[j + 1].upos == "PROPN" and j + 1 not in named:
                    j += 1
                start, end = toks[i].idx, toks[j].end
                text = doc.text[start:end]
                ent = ents.get(text, "ENTITY")
                batch.mentions.append(Mention(ent.id, utt.id, start, end, text))
                for k in range(i, j + 1):
                    named[k] = ent
                i = j + 1
            else:
                i += 1
        # Coreference: "she" → Alice, "you" → the addressee, "the company" → Airbus. A resolved pronoun
        # stands for its entity (and is a mention of it), so facts about it land there, anchored on it.
        from .coref import CorefCluster, Resolver
        from .triples import FIRST_PERSON

        resolver = coref if isinstance(coref, Resolver) else Resolver([utt.speaker] if utt.speaker else ())
        referents = dict(resolver.resolve(doc, speaker=utt.speaker).referents) if self.coreference else {}
        for i, (name, type_) in (external or {}).items():  # a neural model's answer, where configured
            if self.coref_mode == "replace" or i not in referents:
                referents[i] = CorefCluster(-1, name, type_)
        for i, ref in referents.items():
            tok = toks[i]
            if i in named or (tok.text.lower() in FIRST_PERSON and utt.speaker):
                continue  # first person: the speaker, below
            named[i] = ents.get(ref.name, ref.type)
            batch.mentions.append(Mention(named[i].id, utt.id, tok.idx, tok.end, tok.text))
        names = {i: ref.name for i, ref in referents.items()}

        def entity_of(p: Phrase, *, literal_ok: bool) -> Entity | None:
            if p.speaker:
                assert speaker is not None
                batch.mentions.append(Mention(speaker.id, utt.id, p.start, p.end, doc.text[p.start : p.end]))
                return speaker
            if p.head in named:
                return named[p.head]
            return None if literal_ok else ents.get(p.text, "CONCEPT")

        seen: set[str] = {f.id for f in batch.facts}
        first_fact = len(batch.facts)
        for raw in extract(doc, speaker=utt.speaker, referents=names):
            if not raw.subject.resolved or (raw.object is not None and raw.object.kind == "pronoun"):
                continue  # "she", "it", "each": nothing to anchor until coreference resolves it
            subj = entity_of(raw.subject, literal_ok=False)
            assert subj is not None
            obj = entity_of(raw.object, literal_ok=True) if raw.object is not None else None
            subj_name = subj.name if raw.subject.speaker or raw.subject.head in named else raw.subject.text
            if raw.object is None:
                obj_name = ""
            else:
                obj_name = obj.name if obj is not None else raw.object.text  # the entity's canonical name
            spans = [(raw.subject.start, raw.subject.end)]
            if raw.relation_span is not None:
                spans.append(raw.relation_span)
            if raw.object is not None:
                spans.append((raw.object.start, raw.object.end))
            fid = make_id("fact", batch.namespace, utt.id, subj.id, raw.predicate, entity_key(obj_name),
                          min(s for s, _ in spans))
            if fid in seen:
                continue  # the same statement twice in one utterance
            seen.add(fid)
            words = (obj_name, raw.relation, subj_name) if raw.passive else (subj_name, raw.relation, obj_name)
            batch.facts.append(
                Fact(
                    id=fid,
                    namespace=batch.namespace,
                    subject_id=subj.id,
                    subject=subj_name,
                    predicate=raw.predicate,
                    relation=raw.relation,
                    object=obj_name,
                    object_id=obj.id if obj is not None else None,
                    text=" ".join(w for w in words if w),
                    polarity=raw.polarity,
                    modality=raw.modality,
                    tense=raw.tense,
                    mood=raw.mood,
                    attribution=raw.attribution,
                    confidence=raw.confidence,
                    subject_span=spans[0],
                    relation_span=raw.relation_span,
                    object_span=None if raw.object is None else (raw.object.start, raw.object.end),
                    valid_from=utt.time,
                )
            )
            batch.anchors.append(FactAnchor(fid, utt.id, min(s for s, _ in spans), max(e for _, e in spans)))
        _date_facts(batch.facts[first_fact:], utt, doc)


def _governor(doc: ParsedDoc, char: int) -> int | None:
    """The verb governing the token at character ``char`` (the token itself when it is one)."""
    tok = next((t for t in doc.tokens if t.idx <= char < t.end), None)
    for _ in range(len(doc.tokens)):
        if tok is None or tok.upos in ("VERB", "AUX") or tok.head == tok.i:
            break
        tok = doc.tokens[tok.head]
    return None if tok is None else tok.i


def _date_facts(facts: list[Fact], utt: Utterance, doc: ParsedDoc) -> None:
    """Event times and change cues: each fact takes the temporal expression of its sentence that
    modifies its verb (else the one nearest its predicate; else, for a past or future event, the
    turn's only date), resolved against when the utterance was said (future tense looks ahead)."""
    if not facts:
        return
    from .evidence import apply_cues
    from .temporal import find_times, nearest

    times = {prefer: find_times(utt.text, utt.time, prefer=prefer) for prefer in ("past", "future")}
    governs = {(t.char_start, t.char_end): _governor(doc, t.char_end - 1) for t in times["past"]}
    for lo_tok, hi_tok in doc.sents:
        lo = doc.tokens[lo_tok].idx if lo_tok < len(doc.tokens) else len(utt.text)
        hi = doc.tokens[hi_tok - 1].end if hi_tok > lo_tok else lo
        inside = [f for f in facts if lo <= (f.relation_span or f.subject_span or (lo, lo))[0] < max(hi, lo + 1)]
        apply_cues(inside, utt.text[lo:hi])
        for f in inside:
            at = (f.relation_span or f.subject_span or (lo, lo))[0]
            candidates = times["future" if f.tense == "future" else "past"]
            verb = _governor(doc, at)
            own = [t for t in candidates if verb is not None and governs.get((t.char_start, t.char_end)) == verb]
            span = nearest(own or candidates, lo, hi, at)
            if span is None and len({(t.start, t.end) for t in candidates}) == 1 and f.tense in ("past", "future"):
                # "Guess what I did this week? I applied to adoption agencies!": a turn with one
                # date in it tells of one time; its past (or future) events took place then.
                span = candidates[0]
            if span is not None:
                f.event_start, f.event_end, f.event_text = span.start.isoformat(), span.end.isoformat(), span.text
