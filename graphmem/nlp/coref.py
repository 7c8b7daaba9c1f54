"""Coreference over UD parses, by rules: speakers, pronouns, names and definite descriptions.

A :class:`Resolver` follows one discourse — a document, or a dialogue session — across its
utterances, in order. For each :class:`ParsedDoc` it finds mentions (names, nouns, pronouns,
locative *there*), links each to a discourse entity, and returns a :class:`Coref`: the
clusters seen in that document and, for every resolved pronoun, its referent. The result is
also left on ``doc.coref``.

* First and second person come from the dialogue: *I/me/my* → the speaker, *you/your* → the
  addressee (the other participant of a two-party session; with more, one named as a
  vocative, else the previous speaker), *we/our* → a group entity of the speaker (type
  ``GROUP``).
* Names join the entity with the same name, or the one entity whose name contains it or is
  contained in it ("Alice Smith" … "Smith"); appositions join their noun ("my brother Bob").
  Definite descriptions join an earlier noun with the same head, or the most salient
  organization / place ("the company", "the city").
* Third-person pronouns take the most salient compatible entity, in the manner of Lappin and
  Leass (1994): each mention adds weight for recency, grammatical role and prominence, halved
  per sentence since; a candidate must agree in number, gender and animacy, and must not be
  a co-argument of the same predicate (unless the pronoun is reflexive, which must be).
  Gender comes from the text first (a resolved *he/she*, an honorific, a gendered noun such
  as *mother*), and from a first-name prior (:func:`~graphmem.nlp._lexicon.female_share`)
  only as a soft preference.

>>> from graphmem.nlp.parse import ParsedDoc, Token
>>> toks = [Token(0, "Alice", 0, "Alice", "PROPN", "NNP", "nsubj", 1, "PERSON"),
...         Token(1, "left", 6, "leave", "VERB", "VBD", "root", 1), Token(2, ".", 10, ".", "PUNCT", ".", "punct", 1),
...         Token(3, "She", 12, "she", "PRON", "PRP", "nsubj", 4, "", 1),
...         Token(4, "smiled", 16, "smile", "VERB", "VBD", "root", 4, "", 1)]
>>> from graphmem.nlp.parse import EntitySpan
>>> doc = ParsedDoc("Alice left. She smiled", toks, [(0, 3), (3, 5)], [EntitySpan(0, 1, "PERSON", "Alice", 0, 5)])
>>> Resolver().resolve(doc).referents[3].name
'Alice'
"""

from __future__ import annotations

import math
import re
import weakref
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ._lexicon import (ANIMAL_NOUNS, GENDERED_NOUNS, HONORIFICS, MOTION_VERBS, ORG_NOUNS, PERSON_NOUNS, PLACE_NOUNS,
                       PRONOUNS, REFLEXIVE, female_share, is_surname)
from ..model import Utterance
from .parse import EntitySpan, ParsedDoc, Token

__all__ = ["Resolver", "Coref", "CorefCluster", "CorefMention", "resolve", "session_resolver"]

_NAMED = {"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW", "LANGUAGE"}
_INANIMATE = _NAMED - {"PERSON"}
_PLACES = {"GPE", "LOC", "FAC"}
_SUBJ = {"nsubj", "nsubj:pass", "csubj"}
_OBJ = {"obj", "iobj"}
_OBL = {"obl", "obl:agent", "obl:npmod", "obl:tmod"}
_ARGS = _SUBJ | _OBJ | _OBL
_NOUN_DEPS = _ARGS | {"nmod", "appos", "conj", "root", "attr", "nmod:poss", "dep"}
_TITLES = {w.rstrip(".") for w in HONORIFICS} | {"dr", "prof", "st", "rev", "gen", "col", "capt", "sgt", "lt"}
_WINDOW = 6  # sentences a third-person pronoun looks back
_REPEAT = 0.25  # weight of an entity's other recent mentions beside its most salient one
_DECAY = 0.6  # salience kept per sentence of distance (Lappin and Leass halve it)
_PLEONASTIC_HEADS = {"seem", "appear", "happen", "matter", "take", "turn", "occur", "follow"}
_PLACE_PREPS = {"to", "in", "from", "near", "at", "into", "around", "across", "through"}
_EDGE = {".", "!", "?", ";", ":", "-", "--", "—"}
_DEFINITE = {"the", "this", "that", "these", "those"}
_SUBORDINATE = {"advcl", "ccomp", "acl", "acl:relcl", "csubj", "parataxis"}
_RELATIVE = {"who", "that", "which"}
_FRONTED = {"obl", "advcl", "obl:npmod", "obl:tmod", "advmod", "nmod", "prep"}  # "prep": the parser's "According to …", "based on …"
_ALIAS_VERBS = {"know", "call", "name", "nickname", "dub", "bear", "rename", "title"}
_CLASS_OF = {"PERSON": "person", "GPE": "place", "LOC": "place", "FAC": "place", "ORG": "org", "ENTITY": "unknown",
             "NORP": "unknown"}
# Salience weights beyond Lappin and Leass's own (tuned on GAP development, checked on validation).
_EMBEDDED = 40  # per clause a mention sits below the main clause
_PARALLEL = 50  # the candidate's last mention had the pronoun's role
_OWN_SUBJECT = 0  # "Bob sold his car": the possessor is the subject of the possessed noun's clause
_BARE_CHAIN = 0  # an entity known only through pronouns
_PRIOR = 75  # the first name's usual gender disagrees (scaled by how strongly)
_PRIOR_HARD = 0  # … and more when it nearly always disagrees
_QUOTE = 400  # across a quotation's edge
_UNKNOWN = 60  # a name not known to be a person's
_ANIMAL = 60  # a pet, where a person would also do
_SPECIFIC_ROLES: set[str] = set()  # roles in which "a doctor" may later be "he"
_INDEFINITE_OK = False  # may "he" be "a doctor" (not only "the doctor", "my doctor")?
_SYNTAX = 400  # same sentence: up to this much for a short path in the dependency tree
_TOPIC = 20  # × log(1 + name mentions so far): the person the text is about stays salient beyond the window's decay


@dataclass(slots=True)
class CorefMention:
    """One mention in one document: token range ``[start, end)`` and character span."""

    start: int
    end: int
    start_char: int
    end_char: int
    text: str
    kind: str  # name | noun | pronoun | there | description (a definite noun phrase that names an entity met
    # before) | coordination ("Alice and Bob", the mention of their group)


@dataclass(slots=True)
class CorefCluster:
    """A discourse entity as seen from one document: its name, type and mentions there."""

    id: int
    name: str
    type: str  # an NER label, PERSON for speakers, GROUP for "we" and coordinations, CONCEPT for nouns
    mentions: list[CorefMention] = field(default_factory=list)
    group: bool = False
    members: tuple[str, ...] = ()  # names of the people of a coordinated group ("Alice and Bob")


@dataclass(slots=True)
class Coref:
    """The coreference of one document: clusters with a mention here, and each pronoun's referent."""

    clusters: list[CorefCluster]
    # head token of each resolved pronoun, locative "there" or definite description ("the company") → its entity
    referents: dict[int, CorefCluster]


# -- discourse state -------------------------------------------------------------------------------


@dataclass(slots=True, eq=False)
class _Entity:
    id: int
    name: str = ""
    type: str = "CONCEPT"
    cls: str = "thing"  # person | org | place | thing | group | unknown
    number: str = ""  # sg | pl | "" (either)
    gender: str = ""  # m | f | n | "" — from the text
    prior: float | None = None  # share of women for the first name, when the text says nothing
    speaker: str | None = None  # a dialogue participant
    group: bool = False
    words: frozenset[str] = frozenset()  # name words, titles left out
    named: bool = False
    head_lemmas: set[str] = field(default_factory=set)
    specific: bool = False  # a definite or possessed noun ("the doctor", "my sister"), not "a doctor"
    bare: bool = False  # known only through pronouns so far ("He was born in Oslo.")
    alt: str = ""  # the class the NER gave, where a person's name words made it "unknown"
    located: bool = False  # used as a place ("moved to Lyon"), whatever the NER said
    mentions: list[_Mention] = field(default_factory=list)
    noun_at: tuple[int, int] | None = None  # (document, token) of the noun that introduced it
    members: tuple[_Entity, ...] = ()  # the people of a coordination ("Alice and Bob")
    names: int = 0  # mentions by name so far


@dataclass(slots=True, eq=False)
class _Mention:
    doc: int
    sent: int  # sentence number in the discourse
    head: int
    start: int
    end: int
    kind: str
    role: str
    pred: int  # governing predicate token (arguments only), else -1
    weight: float
    label: str = ""  # NER label of a name
    specific: bool = False
    quote: int = 0  # which quotation it sits in (0: none)
    entity: _Entity | None = None


class Resolver:
    """Coreference for one discourse (a document or a dialogue session), one utterance at a time.

    Args:
        participants: the speakers of the session, if known in advance (the addressee of a
            two-party session is then known from the first turn).
    """

    def __init__(self, participants: Iterable[str] = ()) -> None:
        self.entities: list[_Entity] = []
        self.mentions: list[_Mention] = []  # recent mentions, oldest first
        self.by_key: dict[str, _Entity] = {}
        self.participants: list[str] = list(dict.fromkeys(p for p in participants if p))
        self.turns: list[str | None] = []  # speaker of each document so far
        self.sent_base = 0
        self.name_gender: dict[str, str] = {}  # first name → gender the text showed

    # -- public -----------------------------------------------------------------------------------

    def resolve(self, doc: ParsedDoc, *, speaker: str | None = None) -> Coref:
        """Resolve the mentions of ``doc`` (the next utterance of the discourse) and return its clusters."""
        if speaker and speaker not in self.participants:
            self.participants.append(speaker)
        self.turns.append(speaker)
        self.doc, self.n, self.speaker = doc, len(self.turns) - 1, speaker
        resolved: list[_Mention] = []
        pending: list[tuple[_Mention, int]] = []
        for m in sorted(self._detect(doc), key=lambda m: (m.head, m.start)):
            ent = self._link(m, pending)
            if ent is not None:
                self._add(m, ent)
                if m.kind in ("pronoun", "there", "description"):
                    resolved.append(m)
                elif m.kind == "name" and doc.tokens[m.head].dep == "conj":
                    self._coordination(m)
        for p, subj in pending:  # cataphora: "In his youth, Bob …"; else the usual way, looking back
            ent = self._cataphor(p, subj)
            if ent is not None:
                self._add(p, ent)
                resolved.append(p)
        self._name_nouns(doc, resolved)
        self.sent_base += max(len(doc.sents), 1)
        out = self._result(doc, resolved)
        self._trim()
        doc.coref = out
        return out

    def _result(self, doc: ParsedDoc, resolved: list[_Mention]) -> Coref:
        here: dict[int, list[_Mention]] = {}
        for m in self.mentions:
            if m.doc == self.n and m.entity is not None:
                here.setdefault(m.entity.id, []).append(m)
        clusters = {}
        toks = doc.tokens
        for eid, ms in sorted(here.items()):
            ent = self.entities[eid]
            clusters[eid] = CorefCluster(ent.id, ent.name, ent.type, [
                CorefMention(m.start, m.end, toks[m.start].idx, toks[m.end - 1].end,
                             doc.text[toks[m.start].idx:toks[m.end - 1].end], m.kind)
                for m in sorted(ms, key=lambda x: x.start)], ent.group, tuple(e.name for e in ent.members))
        return Coref(list(clusters.values()), {m.head: clusters[m.entity.id] for m in resolved
                                               if m.entity and not m.entity.bare})

    # -- mentions -----------------------------------------------------------------------------------

    def _detect(self, doc: ParsedDoc) -> list[_Mention]:
        toks, out, taken = doc.tokens, [], set()
        self.quotes, q, n = [0] * len(toks), 0, 0
        for t in toks:  # quoted speech is its own little discourse
            if t.text in ("''", "”") or t.text == '"' and q:
                q = 0
            elif t.text in ("``", "“", '"', "`"):
                if not (t.text == "`" and t.i > 0 and toks[t.i - 1].text == "`"):
                    n += 1
                    q = n
            else:
                self.quotes[t.i] = q
        for span in self._split_lists(doc.ents):
            if span.label not in _NAMED and not (span.label == "NORP" and toks[span.end - 1].upos == "PROPN"):
                continue
            start = span.start
            while start > 0 and toks[start - 1].text.lower().rstrip(".") in _TITLES and toks[start - 1].upos == "PROPN":
                start -= 1  # "Mr. Smith": the title belongs to the name (and tells its gender)
            head = next((t for t in toks[span.start:span.end] if not span.start <= t.head < span.end or t.head == t.i),
                        toks[span.end - 1])
            out.append(self._mention(head, start, span.end, "name", label=span.label))
            taken.update(range(start, span.end))
        i = 0
        while i < len(toks):  # proper nouns the NER missed
            t = toks[i]
            if t.upos == "PROPN" and i not in taken and not t.ent_type:
                j = i
                while j + 1 < len(toks) and toks[j + 1].upos == "PROPN" and j + 1 not in taken:
                    j += 1
                if any(x.text.lower().rstrip(".") not in _TITLES for x in toks[i:j + 1]):
                    head = next((x for x in toks[i:j + 1] if not i <= x.head <= j or x.head == x.i), toks[j])
                    out.append(self._mention(head, i, j + 1, "name", label="ENTITY"))
                taken.update(range(i, j + 1))
                i = j + 1
                continue
            low = t.text.lower()
            if i in taken:
                pass
            elif low in PRONOUNS and t.upos == "PRON" and t.dep != "expl" and not self._pleonastic(t):
                out.append(self._mention(t, i, i + 1, "pronoun"))
            elif low == "there" and t.dep == "advmod":
                out.append(self._mention(t, i, i + 1, "there"))
            elif t.upos == "NOUN" and t.dep in _NOUN_DEPS and not self._predicative(t):
                lo = i
                while lo > 0 and toks[lo - 1].head == i and toks[lo - 1].dep in ("compound", "amod", "det", "nummod",
                                                                                     "nmod:poss"):
                    lo -= 1
                m = self._mention(t, lo, i + 1, "noun")
                m.specific = m.role in _SPECIFIC_ROLES or any(
                    c.dep == "nmod:poss" or c.dep == "det" and c.lemma.lower() in _DEFINITE for c in doc.children(i))
                out.append(m)
            i += 1
        return out

    def _split_lists(self, ents: list[EntitySpan]) -> list[EntitySpan]:
        """ "Alice, Bob" tagged as one PERSON: a comma before a conjunct separates two names."""
        toks, out = self.doc.tokens, []
        for span in ents:
            cuts = [t.i for t in toks[span.start + 1:span.end - 1] if t.text == "," and toks[t.i + 1].dep == "conj"
                    and span.start <= toks[t.i + 1].head < t.i]
            lo = span.start
            for cut in cuts + [span.end]:
                if cut > lo:
                    out.append(span if not cuts else EntitySpan(lo, cut, span.label, "", toks[lo].idx, toks[cut - 1].end))
                lo = cut + 1
        return out

    def _predicative(self, t: Token) -> bool:
        """ "Alice is a doctor", "works as a producer": a role, not a new entity."""
        kids = self.doc.children(t.i)
        return t.dep == "attr" or any(c.dep == "cop" for c in kids) or any(
            c.dep == "case" and c.lemma.lower() == "as" for c in kids)

    def _pleonastic(self, t: Token) -> bool:
        """ "It is raining", "it seems that …", "it is hard to say": an "it" that refers to nothing."""
        if t.text.lower() != "it" or not t.dep.startswith("nsubj"):
            return False
        head = self.doc.tokens[t.head]
        if head.lemma.lower() in ("rain", "snow"):
            return True
        later = [c for c in self.doc.children(head.i) if c.i > head.i and c.dep in ("ccomp", "csubj", "xcomp")]
        cop = any(c.dep == "cop" for c in self.doc.children(head.i))
        return bool(later) and (cop or head.lemma.lower() in _PLEONASTIC_HEADS)

    def _mention(self, head: Token, start: int, end: int, kind: str, *, label: str = "") -> _Mention:
        toks = self.doc.tokens
        gov = head
        while gov.dep == "conj" and gov.head != gov.i:  # "Alice and Bob moved": a conjunct plays the first's role
            gov = toks[gov.head]
        dep = gov.dep
        role = ("subj" if dep in _SUBJ else "obj" if dep in _OBJ else "obl" if dep in _OBL else
                "poss" if dep == "nmod:poss" else "nmod" if dep in ("nmod", "compound") else "other")
        pred = gov.head if dep in _ARGS and gov.head != gov.i else -1
        w = 100.0 + {"subj": 80, "obj": 50, "obl": 40, "poss": 0, "nmod": 0, "other": 20}[role]
        if role not in ("poss", "nmod"):
            w += 80  # head-noun emphasis: not embedded in another noun phrase
        if role != "obl" and not (role == "nmod" and toks[gov.head].dep in _OBL):
            w += 50  # non-adverbial emphasis
        w -= _EMBEDDED * self._depth(gov)
        return _Mention(self.n, self.sent_base + head.sent, head.i, start, end, kind, role, pred, max(w, 20.0), label,
                        quote=self.quotes[head.i])

    def _depth(self, t: Token) -> int:
        """How many clauses down from the main clause ``t`` sits (subordinate mentions are less salient)."""
        toks, d = self.doc.tokens, 0
        for _ in range(30):
            if t.head == t.i:
                break
            if t.dep in _SUBORDINATE:
                d += 1
            t = toks[t.head]
        return d

    # -- linking ------------------------------------------------------------------------------------

    def _link(self, m: _Mention, pending: list[tuple[_Mention, int]]) -> _Entity | None:
        if m.kind == "name":
            return self._name(m)
        if m.kind == "noun":
            return self._noun(m)
        if m.kind == "there":
            return self._best(m, lambda e: e.cls in ("place", "org") or e.alt == "place")
        return self._pronoun(m, pending)

    def _name(self, m: _Mention) -> _Entity:
        toks, label = self.doc.tokens, m.label or "ENTITY"
        text = self.doc.text[toks[m.start].idx:toks[m.end - 1].end]
        words = [re.sub(r"['’]s$", "", w) for w in re.findall(r"[\w\-'’.]+", text.lower())
                 if w.rstrip(".") not in _TITLES and w != "the"]
        key = " ".join(words)
        cls = _CLASS_OF.get(label, "thing")
        if cls not in ("person", "unknown") and words and all(
                female_share(w) is not None or is_surname(w) for w in words):
            cls = "unknown"  # "Rivera" tagged GPE, "Mariano Palacios Alcocer" tagged ORG: maybe a person
        tok = toks[m.head]
        if cls in ("org", "place") and m.end - m.start == 1 and tok.upos == "PROPN" and not tok.text.isupper() and (
                tok.dep in _SUBJ or tok.dep == "nmod:poss") and not self._place_by_syntax(m):
            cls = "unknown"  # "Andreev returned", "Hanbury's report": a lone name acting as someone may be a person
        if cls != "person" and tok.dep == "conj" and any(e.cls == "person" for e in self._entities_at(tok.head)):
            cls = "unknown"  # "Priya and Raj": the conjunct of a person is likely one too
        place = self._place_by_syntax(m)
        if place and cls == "person":
            cls = "unknown"  # "moved to Lyon", "visited the Louvre": the NER's PERSON is doubtful
        ent = self.by_key.get(key) or self._alias_of(m) or self._variant(words, cls) or self._unnamed(m, words, cls)
        if ent is None:
            ent = self._new(name=text, type=label, cls=cls, number="" if cls == "org" else "sg",
                            alt=_CLASS_OF.get(label, "thing") if cls == "unknown" else "")
        if cls == "person" and ent.cls != "person" or ent.cls == "unknown" and cls not in ("unknown", "org", "place"):
            ent.cls, ent.type = cls, label  # the NER's person reading wins: other labels are often wrong
        elif cls == "unknown" and ent.cls in ("org", "place") and not ent.located:
            ent.alt, ent.cls = ent.cls, "unknown"  # acting as someone now ("Andreev returned")
        if len(words) > len(ent.words):
            ent.name, ent.words = text, frozenset(words)
        ent.named, ent.bare = True, False
        if place and ent.cls != "place":
            ent.alt, ent.located = "place", True
        if key:
            self.by_key.setdefault(key, ent)
        self._gender_from_name(ent, m, words)
        for c in self.doc.children(m.head):  # "Bob, my brother", "Bob (a doctor)"
            if c.dep == "appos" and c.upos == "NOUN":
                self._noun_gender(ent, c)
        tok = toks[m.head]
        if tok.dep in ("appos", "compound", "flat") and tok.head != m.head and toks[tok.head].upos == "NOUN":
            gov = toks[tok.head]  # "my brother Bob", "actress Jane Doe", "the leader, Graziano Battistini"
            if tok.dep == "appos" and _noun_class(gov) == "person" and ent.cls in ("org", "thing", "unknown") \
                    and not ent.located:
                ent.cls, ent.type, ent.alt = "person", "PERSON", ""  # "his wife, Marinda Cecil" (read as an ORG)
            if _noun_class(gov) == ent.cls:
                self._noun_gender(ent, gov)
                owner = next(iter(self._entities_at(gov.i)), None)
                if owner is not None and owner is not ent and not owner.named:
                    self._merge(ent, owner)
        if tok.dep in _SUBJ and ent.cls in ("person", "unknown"):
            pred = toks[tok.head]  # "Layla Sarakalo is a radio host", "Mary is an actress": what the name is
            if pred.upos == "NOUN" and any(c.dep == "cop" for c in self.doc.children(pred.i)):
                for noun in [pred] + [c for c in self.doc.children(pred.i) if c.dep == "conj" and c.upos == "NOUN"]:
                    self._noun_gender(ent, noun)
        if ent.cls in ("person", "unknown"):
            ent.number = "sg"
        return ent

    def _variant(self, words: list[str], cls: str) -> _Entity | None:
        """The one named entity whose name contains these words or is contained in them ("Smith")."""
        if not words:
            return None
        ws = set(words)
        kin = {cls, "unknown"} if cls != "unknown" else {"person", "org", "place", "unknown"}
        if cls in ("person", "unknown"):
            kin |= {"org", "place"}  # the NER mislabels people as places or organizations ("Elisabet Ney" FAC)
        elif cls in ("org", "place"):
            kin |= {"person"}
        fits = {e.id: e for e in self._recent_entities() if e.named and e.cls in kin and (ws < e.words or e.words < ws)}
        return next(iter(fits.values())) if len(fits) == 1 else None

    def _place_by_syntax(self, m: _Mention) -> bool:
        """ "moved to Lyon", "lives in Porto", "visited the Louvre": the name is a place, whatever the NER says."""
        toks, t = self.doc.tokens, self.doc.tokens[m.head]
        if m.label == "PERSON" and m.end - m.start > 1:
            return False  # "Alice Smith": a full name is a person's
        kids = self.doc.children(t.i)
        if any(c.dep == "det" and c.lemma.lower() == "the" for c in kids) and t.dep != "nmod:poss" and not any(
                c.dep in ("amod", "nummod") or c.dep == "compound" and c.upos == "NOUN" for c in kids):
            return True  # "the Louvre": people's names take no article (but "the young Faulkner", "the actress Jo")
        verb = toks[t.head]
        if t.dep == "obl" and verb.lemma.lower() in MOTION_VERBS:
            return any(c.dep == "case" and c.lemma.lower() in _PLACE_PREPS for c in self.doc.children(t.i))
        return t.dep == "obj" and verb.lemma.lower() in ("visit", "reach", "tour") and m.label != "PERSON"

    def _unnamed(self, m: _Mention, words: list[str], cls: str) -> _Entity | None:
        """ "He grew up in Evanston. … MacKenzie studied …": a surname as a main-clause subject names the
        one person so far known only as "he". The NER often reads a lone surname as an organization or
        a place ("Gagnon-Tremblay gave up …"): as a main-clause subject it may still be that person."""
        misread = len(words) == 1 and m.label in ("ORG", "GPE", "NORP") and not self._place_by_syntax(m)
        if cls not in ("person", "unknown") and not misread or m.role != "subj" or self._depth(
                self.doc.tokens[m.head]) or not words or female_share(words[0]) is not None:
            return None  # a first name ("Bob") is someone new; a bare surname may be the one "he" was
        bare = {e.id: e for e in self._recent_entities(_WINDOW) if e.bare}
        return next(iter(bare.values())) if len(bare) == 1 else None

    def _alias_of(self, m: _Mention) -> _Entity | None:
        """ "Dolores Paley (Anjelica Huston)", "Shaira Roberto, known as Sanya Lopez": one person, two names."""
        toks = self.doc.tokens
        if m.start >= 2 and toks[m.start - 1].text == "(":
            prev = next((c for c in reversed(self.mentions) if c.doc == self.n and c.kind == "name"
                         and c.end == m.start - 1), None)
            if prev is not None and prev.entity is not None and prev.entity.cls in ("person", "unknown"):
                return prev.entity
        t = toks[m.head]
        if t.head != t.i and toks[t.head].lemma.lower() in _ALIAS_VERBS and toks[t.head].tag == "VBN":
            verb = toks[t.head]
            if verb.head != verb.i:
                return next(iter(self._entities_at(verb.head)), None)
        return None

    def _gender_from_name(self, ent: _Entity, m: _Mention, words: list[str]) -> None:
        toks = self.doc.tokens
        for j in (m.start - 1, m.start):
            if 0 <= j < m.head and toks[j].text.lower() in HONORIFICS:
                ent.gender = ent.gender or HONORIFICS[toks[j].text.lower()]
                ent.cls = "person" if ent.cls == "unknown" else ent.cls
        if ent.cls in ("person", "unknown") and words:
            first = words[0]
            if not ent.gender and first in self.name_gender:
                ent.gender = self.name_gender[first]
            if ent.prior is None and (len(words) > 1 or ent.cls == "person"):
                ent.prior = female_share(first)

    def _noun_gender(self, ent: _Entity, noun: Token) -> None:
        g = GENDERED_NOUNS.get(noun.lemma.lower())
        if g and not ent.gender:
            ent.gender = g
        if noun.lemma.lower() in PERSON_NOUNS and ent.cls == "unknown":
            ent.cls, ent.type = "person", "PERSON"

    def _noun(self, m: _Mention) -> _Entity:
        tok = self.doc.tokens[m.head]
        lemma = tok.lemma.lower()
        cls = _noun_class(tok)
        toks = self.doc.tokens
        named_before = m.start >= 2 and toks[m.start - 1].text == "," and toks[m.start - 2].ent_type == "PERSON"
        if tok.dep == "appos" and tok.head != tok.i or (  # "Bob, my brother": the noun is Bob
                named_before and cls == "person" and tok.dep not in _SUBJ | _OBJ
                and m.end < len(toks) and toks[m.end].text in (",", ")", ";")):  # … also where the parser missed it
            at = tok.head if tok.dep == "appos" else m.start - 2
            owner = next(iter(self._entities_at(at)), None)
            if owner is not None and owner.cls in (cls, "unknown"):
                self._noun_gender(owner, tok)
                owner.head_lemmas.add(lemma)
                return owner
        det = next((c.lemma.lower() for c in self.doc.children(m.head) if c.dep == "det"), "")
        has_poss = any(c.dep == "nmod:poss" for c in self.doc.children(m.head))
        if det in _DEFINITE and not has_poss:
            same = [e for e in self._recent_entities(10) if lemma in e.head_lemmas and e.cls == cls]
            if same:
                m.kind = "description"
                return same[0]
            if cls in ("org", "place") and tok.tag != "NNS":
                ent = self._best(m, lambda e: e.named and cls in (e.cls, e.alt), penalize=False)
                if ent is not None:  # "the company" → the most salient organization
                    ent.head_lemmas.add(lemma)
                    m.kind = "description"
                    return ent
        ent = self._new(name=tok.text, type="CONCEPT", cls=cls, specific=m.specific,
                        number="pl" if tok.tag in ("NNS", "NNPS") else "sg",
                        gender=GENDERED_NOUNS.get(lemma, "" if cls in ("person", "animal") else "n"))
        ent.head_lemmas.add(lemma)
        ent.noun_at = (self.n, m.head)
        return ent

    def _pronoun(self, m: _Mention, pending: list[tuple[_Mention, int]]) -> _Entity | None:
        low = self.doc.tokens[m.head].text.lower()
        person, number, gender = PRONOUNS[low]
        if person == 1 and number == "sg":
            return self._participant(self.speaker) if self.speaker else None
        if person == 1:
            return self._group() if self.speaker else None
        if person == 2:
            who = self._addressee()
            return self._participant(who) if who else None
        if low == "it" and any(c.dep == "advmod" and c.text.lower() == "there"
                               for c in self.doc.children(self.doc.tokens[m.head].head)):
            place = self._best(m, lambda e: "place" in (e.cls, e.alt))  # "she loves it there": the place
            if place is not None:
                return place
        if low in REFLEXIVE:
            subj = self._clause_subject(m.pred)
            if subj is not None:
                return subj
        subj = self._fronted_subject(m) if gender in ("m", "f") else None
        if subj is not None:
            pending.append((m, subj))
            return None
        return self._anaphor(m)

    def _anaphor(self, m: _Mention) -> _Entity | None:
        _, number, gender = PRONOUNS[self.doc.tokens[m.head].text.lower()]
        excluded = self._bound(m)
        own = self._poss_subject(m) if m.role == "poss" else None
        ent = self._best(m, lambda e: e.id not in excluded and self._agrees(e, number, gender), prefer=own)
        if ent is None and gender in ("m", "f"):  # no antecedent: someone the text has not named (yet)
            ent = self._new(name=self.doc.tokens[m.head].text, type="PERSON", cls="person", number="sg",
                            gender=gender, bare=True)
        return ent

    def _agrees(self, e: _Entity, number: str, gender: str) -> bool:
        if e.speaker is not None and e.speaker in (self.speaker, self._addressee()):
            return False  # a participant present is "I" or "you", not "she"
        if gender == "n":
            return e.cls not in ("person", "group") and e.number != "pl" and e.gender in ("", "n")
        if number == "pl":
            return e.number == "pl" or e.cls == "org" or e.group
        if e.number == "pl" or e.cls not in ("person", "unknown", "animal") or e.located:
            return False
        if not (e.named or e.specific or e.speaker or e.bare or e.cls == "animal" or _INDEFINITE_OK):
            return False
        return e.gender in ("", gender)

    def _best(self, m: _Mention, ok, *, penalize: bool = True, prefer: int | None = None) -> _Entity | None:
        """The most salient entity passing ``ok`` among those mentioned in the last few sentences."""
        scores: dict[int, float] = {}
        top: dict[int, float] = {}
        last: dict[int, _Mention] = {}
        for c in self.mentions:
            if c.entity is None or c.doc == m.doc and c.head >= m.start:
                continue
            age = m.sent - c.sent
            if age > _WINDOW:
                continue
            eid = c.entity.id
            w = c.weight * _DECAY ** age
            top[eid] = max(top.get(eid, 0.0), w)
            scores[eid] = scores.get(eid, 0.0) + w
            if eid not in last or (last[eid].doc, last[eid].head) < (c.doc, c.head):
                last[eid] = c
        best, best_score = None, 0.0
        _, _, gender = PRONOUNS.get(self.doc.tokens[m.head].text.lower(), (3, "", ""))
        up = self._ancestors(m.head)
        for eid, s in scores.items():
            e = self.entities[eid]
            s = top[eid] + _REPEAT * (s - top[eid])  # the best mention counts fully, repetition less
            if not ok(e):
                continue
            c = last[eid]
            if c.quote != m.quote and c.doc == m.doc:
                s -= _QUOTE  # one inside a quotation, the other outside (or in another)
            if c.doc == m.doc and c.sent == m.sent and gender in ("m", "f"):  # the same sentence: closer in the tree
                s += _SYNTAX * max(0, 6 - self._tree_distance(c.head, up)) / 6
            if c.role == m.role and m.role in ("subj", "obj"):
                s += _PARALLEL
            if eid == prefer:
                s += _OWN_SUBJECT
            if gender in ("m", "f"):
                s += _TOPIC * math.log1p(e.names)
            if penalize and gender in ("m", "f"):
                if e.bare:
                    s -= _BARE_CHAIN  # a chain of bare pronouns: a name, if any fits, is likelier
                if e.cls == "unknown":
                    s -= _UNKNOWN  # not known to be a person
                if e.cls == "animal":
                    s -= _ANIMAL  # "she" is a person more often than a pet
                if not e.gender and e.prior is not None:
                    agree = e.prior if gender == "f" else 1 - e.prior
                    s -= _PRIOR * max(0.0, 0.5 - agree) * 2  # the name's usual gender disagrees
                    s -= _PRIOR_HARD * (agree < 0.02)
            if s > best_score or s == best_score and best is not None and c.head > last[best.id].head:
                best, best_score = e, s
        return best

    def _ancestors(self, i: int) -> dict[int, int]:
        toks, out, d = self.doc.tokens, {}, 0
        while i not in out:
            out[i] = d
            d += 1
            i = toks[i].head
        return out

    def _tree_distance(self, i: int, up: dict[int, int]) -> int:
        toks, d = self.doc.tokens, 0
        while i not in up and d < 30:
            if toks[i].head == i:
                return 30
            i, d = toks[i].head, d + 1
        return d + up.get(i, 30)

    def _bound(self, m: _Mention) -> set[int]:
        """Entities a non-reflexive pronoun cannot be: co-arguments, and the noun it possesses."""
        out = set()
        toks = self.doc.tokens
        if m.role == "poss":
            owned = toks[m.head].head
            for c in self.mentions:
                if c.doc == m.doc and c.entity is not None and (
                        c.head == owned or toks[c.head].head == owned and toks[c.head].dep in ("appos", "flat")):
                    out.add(c.entity.id)
            subj = self._predicate_subject(owned)
            if subj is not None:
                out.add(subj.id)
            return out
        if m.pred >= 0 and m.role in ("obj", "obl"):
            for subj in (self._clause_subject(m.pred), self._controller(m.pred)):
                if subj is not None:
                    out.add(subj.id)
        for c in self.mentions:
            if c.doc == m.doc and c.entity is not None and c.pred == m.pred >= 0 and c.role in ("subj", "obj", "obl"):
                out.add(c.entity.id)
        return out

    def _clause_subject(self, pred: int) -> _Entity | None:
        """The entity of the subject of predicate ``pred`` (shared by coordinated verbs)."""
        toks = self.doc.tokens
        for _ in range(6):
            if pred < 0:
                return None
            kids = self.doc.children(pred)
            subj = next((c for c in kids if c.dep in _SUBJ), None)
            t = toks[pred]
            if subj is not None and subj.text.lower() in _RELATIVE and t.dep == "acl:relcl":
                subj = toks[t.head]  # "Doolittle, who confronted Lynn": the noun the clause modifies
            if subj is not None:
                return next(iter(self._entities_at(subj.i)), None)
            if t.head == t.i or not (t.dep == "conj" or t.dep == "xcomp" and not any(
                    c.dep == "obj" for c in self.doc.children(t.head))):
                return None
            pred = t.head
        return None

    def _predicate_subject(self, noun: int) -> _Entity | None:
        """For a noun that is predicated of a subject ("Edith was appointed her successor",
        "Ann is her sister"), that subject: the possessor of such a noun is someone else (unless
        the noun is the subject's *own*)."""
        toks = self.doc.tokens
        t = toks[noun]
        kids = self.doc.children(noun)
        if any(c.lemma.lower() == "own" for c in kids):
            return None
        if any(c.dep == "cop" for c in kids):
            return self._clause_subject(noun)
        if t.dep in ("xcomp", "attr") and t.head != t.i:
            return self._clause_subject(t.head)
        return None

    def _controller(self, pred: int) -> _Entity | None:
        """The understood subject of a subjectless non-finite clause that :meth:`_clause_subject`
        does not climb to: the governor's object under object control ("asked Eleanor to restore
        her": not Eleanor), the governor's subject for a participial adjunct ("confronted Lynn,
        telling her": not the one confronting)."""
        toks = self.doc.tokens
        t = toks[pred]
        if t.head == t.i or any(c.dep in _SUBJ for c in self.doc.children(pred)):
            return None
        if t.dep == "xcomp":
            obj = next((c for c in self.doc.children(t.head) if c.dep == "obj" and c.i < t.i), None)
            return next(iter(self._entities_at(obj.i)), None) if obj is not None else None
        if t.dep == "advcl" and t.tag == "VBG" and not any(c.dep == "mark" for c in self.doc.children(pred)):
            return self._clause_subject(t.head)
        return None

    def _poss_subject(self, m: _Mention) -> int | None:
        """For "his" in "Bob sold his car": the subject of the clause the possessed noun is in."""
        toks = self.doc.tokens
        t = toks[toks[m.head].head]
        if t.dep not in _ARGS or t.head == t.i:
            return None
        subj = self._clause_subject(t.head)
        return subj.id if subj is not None else None

    def _fronted_subject(self, m: _Mention) -> int | None:
        """The subject after a pronoun in a fronted phrase or clause ("In his review, Glenn Swan …",
        "Although he was cleared to race, Battistini …"), if a name."""
        toks = self.doc.tokens
        t = toks[m.head]
        for _ in range(12):
            if t.head == t.i:
                return None
            parent = toks[t.head]
            if t.dep in _FRONTED and t.i < parent.i:
                subj = next((c for c in self.doc.children(parent.i) if c.dep in _SUBJ), None)
                if subj is not None and subj.upos == "NOUN":  # "Since her death, May Wilson's work …"
                    subj = next((c for c in self.doc.children(subj.i) if c.dep == "nmod:poss"), None)
                if subj is not None and subj.i > m.head and subj.upos == "PROPN":
                    return subj.i
                return self._after_opening_phrase(m) if subj is None else None
            if (t.dep in _SUBJ or t.dep in _OBJ) and t.i != m.head and parent.head == parent.i:
                return None  # inside an argument of the main clause; the pronoun may be one of its own clause
            # (an argument of a clause inside a fronted phrase does not stop the climb: "According to a
            # passage recording her birth, Rita …")
            t = parent
        return None

    def _after_opening_phrase(self, m: _Mention) -> int | None:
        """Where the parse lost the main clause: a sentence that opens with a prepositional phrase
        holding the pronoun ("In her review of …, Nora Wright of … found"), then a comma and a
        person's name — that name."""
        toks = self.doc.tokens
        first = toks[self.doc.sents[toks[m.head].sent][0]]
        if first.upos not in ("ADP", "SCONJ") or m.head - first.i > 3:
            return None
        comma = next((t for t in toks[m.head + 1:] if t.sent == first.sent and t.text == ","), None)
        if comma is None or comma.i + 1 >= len(toks):
            return None
        j = comma.i + 1
        while j < len(toks) and toks[j].upos in ("ADJ", "DET") and toks[j].sent == first.sent:
            j += 1
        if j >= len(toks) or toks[j].upos != "PROPN" or toks[j].ent_type not in ("PERSON", ""):
            return None
        while j + 1 < len(toks) and toks[j + 1].upos == "PROPN" and toks[j + 1].ent_type == toks[j].ent_type:
            j += 1
        return j

    def _cataphor(self, p: _Mention, subj: int) -> _Entity | None:
        _, number, gender = PRONOUNS[self.doc.tokens[p.head].text.lower()]
        for e in self._entities_at(subj):
            if e.named and self._agrees(e, number, gender):
                return e
        return self._anaphor(p)

    def _coordination(self, m: _Mention) -> None:
        """ "Alice and Bob … they": once the last named conjunct is linked, the coordination is a group
        entity of its people (type ``GROUP``), mentioned by the span from the first conjunct to the last."""
        toks = self.doc.tokens
        first = toks[m.head]
        while first.dep == "conj" and first.head != first.i:
            first = toks[first.head]
        heads, stack = [first.i], [first.i]
        while stack:
            stack.extend(c.i for c in self.doc.children(stack.pop()) if c.dep == "conj")
            heads.extend(j for j in stack if j not in heads)
        if m.head != max(heads):
            return  # not the last conjunct yet
        at = {c.head: c for c in self.mentions if c.doc == self.n and c.head in heads and c.entity is not None
              and c.kind != "coordination"}
        people = [at[h] for h in sorted(heads) if h in at]
        if len(people) < 2 or len(people) < len(heads) or any(
                c.entity.cls not in ("person", "unknown") or c.entity.group or c.entity.alt == "place"
                or c.label in _PLACES for c in people):
            return  # "Alice and the others", "Paris and Rome": no group of people here
        members = tuple(dict.fromkeys(c.entity for c in people))
        if len(members) < 2:
            return
        key = "\x00and:" + ",".join(str(e.id) for e in sorted(members, key=lambda e: e.id))
        group = self.by_key.get(key)
        if group is None:
            name = ", ".join(e.name for e in members[:-1]) + " and " + members[-1].name
            group = self._new(name=name, type="GROUP", cls="group", group=True, number="pl", members=members)
            self.by_key[key] = group
        lead = people[0]
        self._add(_Mention(self.n, lead.sent, lead.head, lead.start, people[-1].end, "coordination", lead.role,
                           lead.pred, max(c.weight for c in people), quote=lead.quote), group)

    def _participant(self, name: str) -> _Entity:
        key = re.sub(r"\s+", " ", name.strip().lower())
        ent = self.by_key.get(key)
        if ent is None:
            ent = self._new(name=name, type="PERSON", cls="person", number="sg", named=True,
                            words=frozenset(key.split()))
            self.by_key[key] = ent
        ent.speaker = name
        return ent

    def _group(self) -> _Entity:
        key = f"\x00we:{self.speaker}"
        ent = self.by_key.get(key)
        if ent is None:
            ent = self._new(name=f"{self.speaker}'s group", type="GROUP", cls="group", group=True, number="pl")
            self.by_key[key] = ent
        return ent

    def _addressee(self) -> str | None:
        me = self.speaker
        others = [p for p in self.participants if p != me]
        if not me or not others:
            return None
        if len(others) == 1:
            return others[0]
        toks = self.doc.tokens
        for t in toks:  # a vocative: "Bob, did you …", "Thanks, Carol!", "…, Dan?"
            if t.text in others and t.upos == "PROPN":
                before = toks[t.i - 1].text if t.i > 0 else "."
                after = toks[t.i + 1].text if t.i + 1 < len(toks) else "."
                if before in _EDGE | {","} and after in _EDGE | {","} or t.dep in ("npadvmod", "vocative",
                                                                                      "discourse", "intj"):
                    return t.text
        for prev in reversed(self.turns[:-1]):
            if prev and prev != me:
                return prev
        return None

    # -- bookkeeping --------------------------------------------------------------------------------

    def _new(self, **kw) -> _Entity:
        ent = _Entity(len(self.entities), **kw)
        self.entities.append(ent)
        return ent

    def _add(self, m: _Mention, ent: _Entity) -> None:
        m.entity = ent
        ent.mentions.append(m)
        self.mentions.append(m)
        if m.kind == "name":
            ent.names += 1
        if m.kind == "pronoun":
            _, number, gender = PRONOUNS[self.doc.tokens[m.head].text.lower()]
            if gender in ("m", "f") and not ent.gender and ent.cls in ("person", "unknown") and not (
                    ent.prior is not None and abs(ent.prior - (gender == "f")) > 0.9):  # against a clear prior
                ent.gender, ent.cls = gender, "person"
                if ent.type == "ENTITY":
                    ent.type = "PERSON"
                first = min(ent.words, key=lambda w: ent.name.lower().find(w)) if ent.words else None
                if first and ent.named and not ent.speaker:
                    self.name_gender.setdefault(first, gender)

    def _merge(self, keep: _Entity, other: _Entity) -> None:
        for m in other.mentions:
            m.entity = keep
            keep.mentions.append(m)
        other.mentions = []
        keep.head_lemmas |= other.head_lemmas
        keep.gender = keep.gender or other.gender

    def _entities_at(self, head: int) -> list[_Entity]:
        return [m.entity for m in reversed(self.mentions) if m.doc == self.n and m.head == head and m.entity]

    def _recent_entities(self, window: int = 10_000) -> list[_Entity]:
        now = self.sent_base + len(self.doc.sents)
        seen, out = set(), []
        for m in reversed(self.mentions):
            if now - m.sent > window:
                break
            if m.entity is not None and m.entity.id not in seen:
                seen.add(m.entity.id)
                out.append(m.entity)
        return out

    def _trim(self) -> None:
        if len(self.mentions) > 400:  # salience halves per sentence: old mentions no longer count
            self.mentions = self.mentions[-200:]

    def _name_nouns(self, doc: ParsedDoc, resolved: list[_Mention]) -> None:
        """Name entities first seen as a noun the way extraction names that noun ("Alice's brother")."""
        from .triples import _Extractor

        ex = None
        for ent in self._recent_entities(len(doc.sents) + 1):
            at = ent.noun_at
            if at is None or at[0] != self.n or ent.named:
                continue
            if ex is None:
                ex = _Extractor(doc, self.speaker, {m.head: m.entity.name for m in resolved if m.entity})
            ent.name = ex.phrase(doc.tokens[at[1]]).text


def _noun_class(t: Token) -> str:
    lemma = t.lemma.lower()
    return ("person" if lemma in PERSON_NOUNS else "animal" if lemma in ANIMAL_NOUNS else
            "org" if lemma in ORG_NOUNS else "place" if lemma in PLACE_NOUNS else "thing")


def resolve(doc: ParsedDoc, *, speaker: str | None = None) -> Coref:
    """Coreference of one stand-alone document (a fresh :class:`Resolver`)."""
    return Resolver([speaker] if speaker else ()).resolve(doc, speaker=speaker)


_SESSIONS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_KEEP = 64  # discourses kept per owner, most recent last


def session_resolver(owner: object, namespace: str, source_id: str, utterances: Sequence[Utterance],
                     previous_utterance_id: str | None = None) -> Resolver:
    """The :class:`Resolver` for a batch of ``utterances`` of one source, kept by ``owner`` (a pipeline).

    A batch that continues a session (``previous_utterance_id`` is the last utterance the
    owner resolved for that source, as when turns are added one at a time) continues its
    discourse: "she" in this turn may be the Alice of the last one. Any other batch starts afresh.
    """
    kept = _SESSIONS.setdefault(owner, OrderedDict())
    key = (namespace, source_id)
    found = kept.pop(key, None)
    speakers = [u.speaker for u in utterances if u.speaker]
    if found is not None and previous_utterance_id is not None and found[1] == previous_utterance_id:
        resolver = found[0]
        resolver.participants.extend(s for s in dict.fromkeys(speakers) if s not in resolver.participants)
    else:
        resolver = Resolver(speakers)
    if utterances:
        kept[key] = (resolver, utterances[-1].id)
        while len(kept) > _KEEP:
            kept.popitem(last=False)
    return resolver
