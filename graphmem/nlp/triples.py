"""Subject–predicate–object extraction over a UD parse (any backend).

Clause level, for every predicate (a verb, or a nominal/adjective with a ``cop``):

* subjects: ``nsubj`` (coordinated subjects each get the fact); a relative pronoun
  stands for the noun the relative clause modifies; ``xcomp`` and coordinated verbs
  inherit their governor's subject; passives with a ``by`` agent are made active;
* objects: ``obj`` and prepositional obliques (``obl`` + ``case``), coordinated
  objects each get the fact; the predicate is lemma + particle + preposition
  (``work_at``, ``give_up``); copulas give ``be`` / ``be_in``;
* polarity from negators (and "no" objects), modality from modal auxiliaries,
  hedging adverbs and control verbs (``want`` in "wants to move"), attribution from
  reporting verbs ("Bob said that …" → attributed to Bob), tense from auxiliaries;
* mood: facts of questions, and of the antecedent of a conditional, are kept but
  flagged (not asserted); imperatives have no subject and give no fact.

Noun-phrase level: appositions ("Bob, my brother") give ``be`` facts and
possessives give relation facts ("my brother Bob" → (speaker, brother, Bob);
"my dog" → (speaker, have, dog)).

First-person singular pronouns resolve to the speaker here; other pronouns take the
referent coreference found for them (``referents``: token → name, see :mod:`.coref`) as a
:class:`Phrase` of kind ``"coref"`` whose span is still the pronoun's; a pronoun without
one stays an unresolved :class:`Phrase` (``kind="pronoun"``), which the memory pipeline
does not store.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .parse import ParsedDoc, Token

__all__ = ["Phrase", "RawFact", "extract", "REPORTING", "HEDGES"]

FIRST_PERSON = {"i", "me", "myself", "my", "mine"}
#: Verbs that only mark aspect: "started working at X" states working at X.
ASPECTUAL = {"start", "begin", "keep", "continue", "go", "get", "stop", "quit", "finish", "resume"}
#: Reporting verbs: what their clausal complement says is attributed to their subject.
REPORTING = {"say", "tell", "claim", "report", "announce", "state", "add", "explain", "mention", "write",
             "reply", "answer", "insist", "admit", "confirm", "deny", "argue", "warn", "note"}
#: Verbs of belief: their complement is hedged rather than attributed.
BELIEF = {"think", "believe", "guess", "suppose", "feel", "doubt", "suspect", "assume", "hope", "expect", "reckon"}
HEDGES = {"probably", "maybe", "perhaps", "possibly", "likely", "apparently", "supposedly", "allegedly"}
_NEGATORS = {"not", "n't", "never", "no"}
_WH = {"who", "what", "where", "when", "why", "how", "which", "whom", "whose"}
_RELATIVE = {"who", "whom", "which", "that", "whose"}
_WHEN = {"DATE", "TIME"}
#: Modifiers kept in a noun phrase's compact text (the entity's name).
_NP_CORE = {"compound", "flat", "amod", "nummod", "nmod:poss", "compound:prt"}
#: Dependents that end a noun phrase's full extent.
_NP_STOP = {"acl:relcl", "acl", "appos", "punct", "cc", "conj", "parataxis", "dep",
            # clause-level dependents of a predicate nominal ("Alice is a doctor"): not the nominal's
            "nsubj", "nsubj:pass", "csubj", "cop", "aux", "aux:pass", "mark", "advcl", "ccomp", "expl"}
_CONDITIONAL = {"if", "unless"}


@dataclass(slots=True)
class Phrase:
    """A noun phrase: head token, compact text (its name) and span, and its full extent."""

    head: int
    text: str
    start: int
    end: int
    extent: tuple[int, int] = (0, 0)  # determiners and prepositional modifiers included
    speaker: bool = False  # resolved to the utterance's speaker
    # name | noun | speaker | coref (a pronoun, resolved: text is its referent's name)
    # | pronoun (unresolved) | other (a determiner, a number …)
    kind: str = "noun"

    @property
    def resolved(self) -> bool:
        """Whether the phrase names something the memory can store (not an unresolved "it", not "each")."""
        return self.kind in ("name", "noun", "speaker", "coref")


@dataclass(slots=True)
class RawFact:
    subject: Phrase
    predicate: str
    relation: str
    relation_span: tuple[int, int] | None
    object: Phrase | None
    polarity: bool = True
    modality: str | None = None
    tense: str | None = None
    confidence: float = 0.8
    mood: str = "asserted"  # asserted | question | conditional
    attribution: str | None = None
    passive: bool = False  # surface order is object–relation–subject
    construction: str = "svo"
    extras: list[Phrase] = field(default_factory=list)  # other obliques (time, place) of the clause


def extract(doc: ParsedDoc, *, speaker: str | None = None,
            referents: Mapping[int, str] | None = None) -> list[RawFact]:
    """The facts stated in ``doc`` (one utterance or passage), asserted or flagged.

    ``referents`` maps the token index of a pronoun to the name of what it refers to
    (from :mod:`.coref`); without it only first-person pronouns resolve, to ``speaker``.
    """
    return _Extractor(doc, speaker, referents).run()


class _Extractor:
    def __init__(self, doc: ParsedDoc, speaker: str | None, referents: Mapping[int, str] | None = None) -> None:
        self.doc, self.speaker = doc, speaker
        self.referents = referents or {}
        self.tokens = doc.tokens

    # -- phrases ----------------------------------------------------------------------------

    def kids(self, i: int, *deps: str) -> list[Token]:
        ks = self.doc.children(i)
        return [k for k in ks if k.dep in deps] if deps else ks

    def conjuncts(self, tok: Token) -> list[Token]:
        out, stack = [tok], [tok]
        while stack:
            for c in self.kids(stack.pop().i, "conj"):
                if c.upos == tok.upos or {c.upos, tok.upos} <= {"NOUN", "PROPN", "PRON", "NUM", "ADJ"}:
                    out.append(c)
                    stack.append(c)
        return out

    def phrase(self, head: Token, *, with_owner: bool = True) -> Phrase:
        """The compact phrase of ``head``; "my brother" said by Alice is named "Alice's brother"."""
        keep = {head.i}
        frontier = [head]
        while frontier:
            t = frontier.pop()
            for c in self.kids(t.i):
                if c.dep in _NP_CORE and c.i not in keep:
                    keep.add(c.i)
                    frontier.append(c)
        lo = hi = head.i
        while lo - 1 in keep:
            lo -= 1
        while hi + 1 in keep:
            hi += 1
        if self.tokens[lo].dep == "nmod:poss" and lo < head.i:  # "my brother" is named "brother"
            while lo < head.i and self.tokens[lo].dep in ("nmod:poss", "case"):
                lo += 1
        start, end = self.tokens[lo].idx, self.tokens[hi].end
        text = self.doc.text[start:end]
        owner_tok = next(iter(self.kids(head.i, "nmod:poss")), None)
        if with_owner and owner_tok is not None and head.upos == "NOUN":
            owner = self.nominal(owner_tok)
            name = owner.text if owner is not None else owner_tok.text
            start = min(start, owner_tok.idx)
            text = f"{name}'s {text}" if not name.endswith("'s") else f"{name} {text}"
        kind = "name" if head.upos == "PROPN" or head.ent_type else "noun"
        return Phrase(head.i, text, start, end, self.extent(head, with_owner=with_owner), kind=kind)

    def extent(self, head: Token, *, with_owner: bool = True) -> tuple[int, int]:
        """Characters of the head's subtree, without relative clauses, appositions, coordination,
        clause-level dependents, a possessor's "'s" (and, on request, the possessor itself)."""
        out, stack = [head.i], [head]
        while stack:
            t = stack.pop()
            for c in self.kids(t.i):
                if c.dep in _NP_STOP or (c.dep == "case" and t is head):
                    continue  # the head's preposition belongs to the relation (or "'s" to the owner)
                if c.dep == "nmod:poss" and not with_owner and t is head:
                    continue
                out.append(c.i)
                stack.append(c)
        lo, hi = min(out), max(out)
        while hi > lo and self.tokens[hi].upos == "PUNCT":
            hi -= 1
        return self.tokens[lo].idx, self.tokens[hi].end

    def nominal(self, tok: Token, *, as_object: bool = False) -> Phrase | None:
        """The phrase a subject/object token stands for, or None when it cannot be named yet."""
        low = tok.text.lower()
        if tok.upos == "PRON":
            if low in FIRST_PERSON and self.speaker:
                return Phrase(tok.i, self.speaker, tok.idx, tok.end, (tok.idx, tok.end), speaker=True, kind="speaker")
            ref = self.referents.get(tok.i)
            if ref is not None:  # "she" → Alice: named by its referent, anchored on the pronoun
                return Phrase(tok.i, ref, tok.idx, tok.end, (tok.idx, tok.end), kind="coref")
            if low in _RELATIVE and tok.head != tok.i:
                clause = self.tokens[tok.head]
                if clause.dep == "acl:relcl" and clause.head != clause.i:
                    return self.nominal(self.tokens[clause.head], as_object=as_object)
            # Unresolved (third person, or no speaker known): coreference decides later.
            lo, hi = self.extent(tok)
            return Phrase(tok.i, tok.text, tok.idx, tok.end, (lo, hi), kind="pronoun")
        if tok.upos == "NOUN":  # "my brother Bob": the name is the better subject
            name = next((c for c in self.kids(tok.i, "appos", "flat") if c.upos == "PROPN" and c.i == tok.i + 1), None)
            if name is not None:
                return self.phrase(name)
        if tok.upos in ("NOUN", "PROPN", "NUM") or (as_object and tok.upos in ("ADJ", "X")):
            return self.phrase(tok)
        if tok.upos in ("DET", "ADJ", "NUM", "X", "SYM", "VERB") and tok.dep.startswith("nsubj"):
            lo, hi = self.extent(tok)  # "Each of these people", "The first"
            return Phrase(tok.i, self.doc.text[lo:hi], lo, hi, (lo, hi), kind="other")
        return None

    # -- clauses ----------------------------------------------------------------------------

    def run(self) -> list[RawFact]:
        facts: list[RawFact] = []
        for start, end in self.doc.sents:
            question = self.is_question(start, end)
            for tok in self.tokens[start:end]:
                if self.is_predicate(tok):
                    facts.extend(self.clause(tok, question))
                if tok.dep == "appos":
                    facts.extend(self.apposition(tok, question))
                if tok.dep == "nmod:poss":
                    facts.extend(self.possessive(tok, question))
        return facts

    def is_question(self, start: int, end: int) -> bool:
        toks = self.tokens[start:end]
        if not toks:
            return False
        if any(t.text == "?" for t in toks[-2:]):
            return True
        first = toks[0]
        return first.text.lower() in _WH and first.tag.startswith("W")

    def is_predicate(self, tok: Token) -> bool:
        if tok.upos == "VERB" and tok.dep not in ("amod", "compound", "aux", "aux:pass"):
            return True
        if tok.upos == "AUX" and tok.lemma.lower() == "be" and self.there(tok) is not None:
            return True  # "the job is there" (there: Toulouse)
        return bool(self.kids(tok.i, "cop"))

    def there(self, head: Token) -> Phrase | None:
        """Locative *there* under ``head``, where coreference found the place it stands for:
        the place, anchored on "there"."""
        for adv in self.kids(head.i, "advmod"):
            ref = self.referents.get(adv.i) if adv.text.lower() == "there" else None
            if ref is not None:
                return Phrase(adv.i, ref, adv.idx, adv.end, (adv.idx, adv.end), kind="coref")
        return None

    def subjects(self, head: Token) -> tuple[list[Token], Token | None]:
        """Subject tokens of ``head`` and the governor it inherited them from, if any."""
        own = self.kids(head.i, "nsubj")
        if own:
            return self.conjuncts(own[0]), None
        if self.kids(head.i, "nsubj:pass") or head.head == head.i:
            return [], None
        gov = self.tokens[head.head]
        if head.dep == "acl" and head.tag == "VBG":  # "people living in Oslo"
            return [gov], None
        inherits = head.dep in ("xcomp", "conj") or (
            head.dep == "advcl" and (head.tag in ("VBG", "VBN") or not self.kids(head.i, "mark")))
        if inherits:
            subs, _ = self.subjects(gov)
            if not subs:  # "X was built in 1083 and retains …": the passive's subject acts here
                subs = [c for p in self.kids(gov.i, "nsubj:pass") for c in self.conjuncts(p)]
            if subs:
                return subs, (gov if head.dep == "xcomp" else None)
        return [], None

    def mood_of(self, head: Token, question: bool) -> str:
        if question:
            return "question"
        t = head
        for _ in range(8):  # climb to the clause that carries the marker
            if any(m.text.lower() in _CONDITIONAL for m in self.kids(t.i, "mark")):
                return "conditional"
            if t.dep not in ("conj", "xcomp") or t.head == t.i:
                break
            t = self.tokens[t.head]
        return "asserted"

    def frame(self, head: Token) -> tuple[str | None, str | None, float]:
        """Attribution, extra modality and a confidence cost from the clauses above ``head``."""
        t = head
        for _ in range(8):
            if t.dep not in ("ccomp", "conj", "xcomp") or t.head == t.i:
                return None, None, 0.0
            gov = self.tokens[t.head]
            if t.dep == "ccomp":
                lemma = gov.lemma.lower()
                subs, _ = self.subjects(gov)
                who = self.nominal(subs[0]) if subs else None
                if lemma in REPORTING:
                    return (who.text if who else None), None, 0.1
                if lemma in BELIEF:
                    return None, lemma, 0.1
                return None, None, 0.15
            t = gov
        return None, None, 0.0

    def clause(self, head: Token, question: bool) -> list[RawFact]:
        copula = self.kids(head.i, "cop")
        passive_subj = self.kids(head.i, "nsubj:pass")
        if not passive_subj and head.dep == "acl" and head.tag == "VBN" and head.head != head.i:
            passive_subj = [self.tokens[head.head]]  # "the calculations called flops": a reduced relative
        subj_toks, governor = self.subjects(head)
        if passive_subj:
            agent = next(iter(self.kids(head.i, "obl:agent")), None)
            if agent is None:
                return self.unary_passive(head, passive_subj[0], question)
            subj_toks, patients = self.conjuncts(agent), self.conjuncts(passive_subj[0])
        if not subj_toks:
            return []
        auxes = self.kids(head.i, "aux", "aux:pass")
        negators = [c for c in self.kids(head.i, "advmod") if c.lemma.lower() in _NEGATORS]
        hedges = [c for c in self.kids(head.i, "advmod") if c.lemma.lower() in HEDGES]
        particle = next(iter(self.kids(head.i, "compound:prt")), None)
        attribution, belief, cost = self.frame(head)
        mood = self.mood_of(head, question)
        modality = self.modality(auxes, hedges, governor, belief)
        if modality is None and any(m.text.lower() in _CONDITIONAL for c in self.kids(head.i, "advcl")
                                    for m in self.kids(c.i, "mark")):
            modality = "conditional"  # the consequent of "if …": true only if the antecedent is
        tense = _tense(copula[0] if copula else head, auxes if not copula else auxes + copula)
        if governor is not None:
            tense = _tense(governor, self.kids(governor.i, "aux", "aux:pass")) or tense
        rel_core = [*auxes, *copula, *negators, *([head] if not copula else []), *([particle] if particle else [])]
        if governor is not None:
            rel_core += [governor, *self.kids(governor.i, "aux", "aux:pass"), *[
                c for c in self.kids(governor.i, "advmod") if c.lemma.lower() in _NEGATORS]]
        polarity = not negators and not (governor is not None and any(
            c.lemma.lower() in _NEGATORS for c in self.kids(governor.i, "advmod")))
        base = "be" if copula else head.lemma.lower() + (f"_{particle.text.lower()}" if particle else "")
        common = dict(modality=modality, tense=tense, mood=mood, attribution=attribution)
        penalty = cost + (0.1 if governor is not None else 0.0) + (0.3 if mood != "asserted" else 0.0)

        relcl = relcl_head = head.dep == "acl:relcl"  # "the city where she lives": obliques may precede
        pairs: list[tuple[Phrase, Phrase | None, Token | None, str, float]] = []  # subj, obj, prep, construction, conf
        subjects = [p for p in (self.nominal(t) for t in subj_toks) if p is not None]
        if not subjects:
            return []
        coord = len(subj_toks) > 1
        if passive_subj:
            objs = [p for p in (self.nominal(t, as_object=True) for t in patients) if p is not None]
            for s in subjects:
                for o in objs:
                    pairs.append((s, o, None, "passive", 0.8))
        elif copula:
            obj = self.phrase(head) if head.upos != "ADJ" else self.adjective(head)
            lo = max(obj.extent[0], max(c.end for c in copula))  # nothing before "is" belongs to the object
            while lo < len(self.doc.text) and self.doc.text[lo] in " ,":
                lo += 1
            obj.extent = (lo, max(lo, obj.extent[1]))
            prep = next(iter(self.kids(head.i, "case")), None)
            for s in subjects:
                pairs.append((s, obj, prep, "copula", 0.85))
        else:
            objects = [o for ob in self.kids(head.i, "obj") for o in self.conjuncts(ob)]
            if any(d.lemma.lower() == "no" for ob in objects for d in self.kids(ob.i, "det")):
                polarity = False
            for o in objects:
                obj = self.nominal(o, as_object=True)
                if obj is not None:
                    for s in subjects:
                        pairs.append((s, obj, None, "svo", 0.9))
            for ob in self.kids(head.i, "obl"):
                if ob.ent_type in _WHEN or (ob.i < head.i and not relcl_head):
                    continue  # "In 1879, he …", "After a break, he …": setting, not object
                prep = next(iter(self.kids(ob.i, "case")), None)
                if prep is None:
                    continue
                # Beside a direct object an oblique is usually a circumstance ("boost X by 5%"): less sure.
                conf = 0.8 if not objects else 0.42
                for o in self.conjuncts(ob):
                    obj = self.nominal(o, as_object=True)
                    if obj is not None:
                        for s in subjects:
                            pairs.append((s, obj, prep, "svpo", conf))
            place = self.there(head)
            if place is not None and not any(o.text == place.text for _, o, _, _, _ in pairs if o is not None):
                for s in subjects:  # "my sister lives there", "the job is there": … in the place
                    pairs.append((s, place, None, "locative", 0.7))
            for pred in self.kids(head.i, "acomp", "attr", "xcomp"):
                if pred.upos in ("ADJ", "NOUN", "PROPN", "NUM") and not self.kids(pred.i, "nsubj", "cop"):
                    obj = self.adjective(pred) if pred.upos == "ADJ" else self.phrase(pred)
                    for s in subjects:  # "the skirts became longer", "she remained a doctor"
                        pairs.append((s, obj, None, "svo", 0.75))
            if not pairs:
                comp = next(iter(self.kids(head.i, "ccomp")), None)
                if comp is not None:
                    lo, hi = self.extent_of_clause(comp)
                    obj = Phrase(comp.i, self.doc.text[lo:hi], lo, hi, (lo, hi), kind="clause")
                    reporting = head.lemma.lower() in REPORTING | BELIEF
                    for s in subjects:
                        pairs.append((s, obj, None, "reporting" if reporting else "clausal", 0.6 if reporting else 0.5))
            if not pairs and not self.kids(head.i, "ccomp", "xcomp") and head.dep != "acl:relcl":
                for s in subjects:
                    pairs.append((s, None, None, "intransitive", 0.45))

        out = []
        for s, o, prep, construction, conf in pairs:
            toks = rel_core + ([prep] if prep is not None else [])
            toks = [t for t in toks if t.sent == head.sent]
            toks.sort(key=lambda t: t.i)
            rel_span = (min(t.idx for t in toks), max(t.end for t in toks)) if toks else None
            if passive_subj:
                by = next(iter(self.kids(s.head, "case")), None)
                words = " ".join(t.text for t in toks + ([by] if by is not None else []))
            else:
                words = " ".join(t.text for t in toks) + (" in" if construction == "locative" else "")
            predicate = base + (f"_{prep.text.lower()}" if prep is not None else "_in" if construction == "locative" else "")
            conf -= penalty + (0.05 if coord else 0.0) + (0.05 if relcl else 0.0)
            conf -= 0.05 * max(0, abs(s.head - head.i) - 6) / 6  # far-flung subjects are less sure
            out.append(RawFact(
                s, predicate, words, rel_span, o, polarity=polarity, confidence=round(max(conf, 0.05), 3),
                passive=bool(passive_subj), construction="relative" if relcl else construction,
                extras=self.extras(head, o), **common,
            ))
        return out

    def unary_passive(self, head: Token, patient: Token, question: bool) -> list[RawFact]:
        """ "Bob was fired." — a fact with no agent: (Bob, fire, —), passive."""
        subj = self.nominal(patient)
        if subj is None:
            return []
        auxes = self.kids(head.i, "aux", "aux:pass")
        negators = [c for c in self.kids(head.i, "advmod") if c.lemma.lower() in _NEGATORS]
        toks = sorted([*auxes, *negators, head], key=lambda t: t.i)
        obls = [o for o in self.kids(head.i, "obl") if self.kids(o.i, "case") and o.ent_type not in _WHEN]
        prep = self.kids(obls[0].i, "case")[0] if obls else None
        obj = self.nominal(obls[0], as_object=True) if obls else None
        if prep is not None and obj is not None:
            toks = sorted([*toks, prep], key=lambda t: t.i)
        attribution, belief, cost = self.frame(head)
        mood = self.mood_of(head, question)
        return [RawFact(
            subj, head.lemma.lower() + (f"_{prep.text.lower()}" if prep is not None and obj else ""),
            " ".join(t.text for t in toks), (toks[0].idx, toks[-1].end), obj if prep is not None else None,
            polarity=not negators, modality=self.modality(auxes, [], None, belief), tense=_tense(head, auxes),
            confidence=round(0.7 - cost - (0.3 if mood != "asserted" else 0), 3), mood=mood,
            attribution=attribution, construction="passive", extras=self.extras(head, obj),
        )]

    def adjective(self, head: Token) -> Phrase:
        keep = [head, *[c for c in self.kids(head.i, "advmod") if c.lemma.lower() not in _NEGATORS]]
        lo, hi = min(t.i for t in keep), max(t.i for t in keep)
        start, end = self.tokens[lo].idx, self.tokens[hi].end
        return Phrase(head.i, self.doc.text[start:end], start, end, (start, end))

    def extent_of_clause(self, head: Token) -> tuple[int, int]:
        toks = [t for t in self.doc.subtree(head.i) if t.upos != "PUNCT" or t.i not in (head.i,)]
        toks = [t for t in toks if not (t.dep == "mark" and t.head == head.i)]
        while toks and toks[-1].upos == "PUNCT":
            toks.pop()
        return toks[0].idx, toks[-1].end

    def extras(self, head: Token, used: Phrase | None) -> list[Phrase]:
        out = []
        for ob in self.kids(head.i, "obl", "obl:npmod", "obl:tmod", "advmod"):
            if used is not None and ob.i == used.head:
                continue
            if ob.dep == "advmod" and ob.ent_type not in _WHEN:
                continue
            lo, hi = self.extent(ob)
            case = self.kids(ob.i, "case")
            if case:
                lo = min(lo, case[0].idx)
            out.append(Phrase(ob.i, self.doc.text[lo:hi], lo, hi, (lo, hi)))
        return out

    def modality(self, auxes: list[Token], hedges: list[Token], governor: Token | None,
                 belief: str | None) -> str | None:
        modal = next((a.lemma.lower() for a in auxes if a.tag == "MD" and a.lemma.lower() not in ("will", "shall")),
                     None)
        if modal:
            return modal
        if hedges:
            return hedges[0].lemma.lower()
        if governor is not None and governor.lemma.lower() not in ASPECTUAL:
            return governor.lemma.lower()
        return belief

    # -- noun-phrase facts --------------------------------------------------------------------

    def apposition(self, appos: Token, question: bool) -> list[RawFact]:
        """ "Bob, my brother, …" → (Bob, be, brother); "my brother Bob" is left to possessives."""
        head = self.tokens[appos.head]
        if self.kids(head.i, "nmod:poss") and appos.upos == "PROPN":
            return []  # "my brother Bob": the possessive fact names him
        a, b = self.nominal(head), self.nominal(appos, as_object=True)
        if a is None or b is None:
            return []
        if head.upos != "PROPN" and appos.upos == "PROPN":
            a, b = b, a
        return [RawFact(a, "be", "is", None, b, confidence=0.55 - (0.2 if question else 0.0),
                        mood="question" if question else "asserted", construction="apposition")]

    def possessive(self, owner_tok: Token, question: bool) -> list[RawFact]:
        """ "my brother Bob" → (me, brother, Bob); "Alice's dog" → (Alice, have, dog)."""
        owned = self.tokens[owner_tok.head]
        if owned.upos not in ("NOUN",) or owner_tok.head == owner_tok.i:
            return []
        owner = self.nominal(owner_tok)
        if owner is None or owner.kind == "pronoun":
            return []  # "his sister": whose is for coreference to say
        rel_span = (owner_tok.idx, owned.end)
        named = next((c for c in self.kids(owned.i, "appos", "compound", "flat") if c.upos == "PROPN" and c.i > owned.i),
                     None)
        mood = "question" if question else "asserted"
        # Implied by the noun phrase, not stated by a verb: the least certain kind of fact.
        conf = 0.45 - (0.2 if question else 0.0)
        noun = owned.lemma.lower()
        if named is not None:
            obj = self.phrase(named)
            return [RawFact(owner, noun, noun, rel_span, obj, confidence=conf, mood=mood, construction="possessive")]
        obj = self.phrase(owned, with_owner=False)
        return [RawFact(owner, "have", "has", rel_span, obj, confidence=conf - 0.1, mood=mood,
                        construction="possessive")]


def _tense(verb: Token, auxes: list[Token]) -> str | None:
    if any(a.lemma.lower() in ("will", "shall") for a in auxes):
        return "future"
    tags = [a.tag for a in auxes] + [verb.tag]
    if "VBD" in tags:
        return "past"
    if any(t in ("VBZ", "VBP") for t in tags):
        return "present"
    return None
