"""Subject–predicate–object extraction over a UD parse (any backend).

The first, deliberately plain rule set: for each clause with a nominal subject,
one fact per direct object (``obj``) and per prepositional oblique (``obl`` with a
``case`` marker), with the predicate normalized as lemma + particle + preposition
(``work_at``, ``give_up``, ``move_to``). Coordinated verbs and ``xcomp`` chains
inherit their governor's subject; passives with a ``by`` agent are turned active.
Questions are not asserted. Negation gives polarity, modal auxiliaries and
control verbs give modality. Everything carries character spans.

Subjects that are pronouns are resolved here only for the first person singular
in dialogue (I/me/my → the speaker); full coreference is a later stage.
"""

from __future__ import annotations

from dataclasses import dataclass

from .parse import ParsedDoc, Token

__all__ = ["Phrase", "RawFact", "extract"]

FIRST_PERSON = {"i", "me", "myself"}
#: Verbs that only mark aspect: "started working at X" states working at X.
ASPECTUAL = {"start", "begin", "keep", "continue", "go", "get"}
#: Modifiers kept in a noun phrase's surface text.
_NP_KEEP = {"compound", "flat", "amod", "nummod", "nmod:poss", "det:poss"}
_NEGATORS = {"not", "n't", "never", "no"}
_WHEN = {"DATE", "TIME"}
_WH = {"who", "what", "where", "when", "why", "how", "which", "whom", "whose"}


@dataclass(slots=True)
class Phrase:
    """A noun phrase: its head token, surface text and character span."""

    head: int
    text: str
    start: int
    end: int
    speaker: bool = False  # resolved to the utterance's speaker


@dataclass(slots=True)
class RawFact:
    subject: Phrase
    predicate: str
    relation: str
    relation_span: tuple[int, int]
    object: Phrase
    polarity: bool
    modality: str | None
    tense: str | None
    confidence: float


def _phrase(doc: ParsedDoc, head: Token) -> Phrase:
    keep = [head]
    frontier = [head]
    while frontier:
        t = frontier.pop()
        for c in doc.children(t.i):
            if c.dep in _NP_KEEP and c.i < head.i + 8:
                keep.append(c)
                frontier.append(c)
    keep.sort(key=lambda t: t.i)
    # Keep the contiguous run around the head only, so the span quotes exactly what it names.
    run = [head]
    by_i = {t.i: t for t in keep}
    j = head.i - 1
    while j in by_i:
        run.insert(0, by_i[j])
        j -= 1
    j = head.i + 1
    while j in by_i:
        run.append(by_i[j])
        j += 1
    start, end = run[0].idx, run[-1].end
    return Phrase(head.i, doc.text[start:end], start, end)


def _is_question(doc: ParsedDoc, sent: tuple[int, int]) -> bool:
    toks = doc.tokens[sent[0] : sent[1]]
    if not toks:
        return False
    if any(t.text == "?" for t in toks[-2:]):
        return True
    first = toks[0]
    return first.text.lower() in _WH and first.tag.startswith("W")


def _tense(verb: Token, auxes: list[Token]) -> str | None:
    if any(a.lemma == "will" for a in auxes):
        return "future"
    tags = [a.tag for a in auxes] + [verb.tag]
    if "VBD" in tags:
        return "past"
    if any(t in ("VBZ", "VBP") for t in tags):
        return "present"
    return None


class _Clause:
    """One verb with its (possibly inherited) subject and its function words."""

    def __init__(self, doc: ParsedDoc, verb: Token, subject: Token | None, inherited: Token | None) -> None:
        self.doc, self.verb = doc, verb
        kids = doc.children(verb.i)
        self.subject = subject
        self.passive_subject = next((c for c in kids if c.dep == "nsubj:pass"), None)
        self.auxes = [c for c in kids if c.dep in ("aux", "aux:pass")]
        self.negators = [c for c in kids if c.dep == "advmod" and c.lemma.lower() in _NEGATORS]
        self.particle = next((c for c in kids if c.dep == "compound:prt"), None)
        self.objects = [c for c in kids if c.dep == "obj"]
        self.obliques = [c for c in kids if c.dep in ("obl", "obl:agent")]
        self.governor = inherited

    def modality(self) -> str | None:
        modal = next((a.lemma.lower() for a in self.auxes if a.tag == "MD" and a.lemma.lower() != "will"), None)
        if modal:
            return modal
        if self.governor is not None and self.governor.lemma.lower() not in ASPECTUAL:
            return self.governor.lemma.lower()
        return None


def _case(doc: ParsedDoc, noun: Token) -> Token | None:
    return next((c for c in doc.children(noun.i) if c.dep == "case"), None)


def extract(doc: ParsedDoc, *, speaker: str | None = None) -> list[RawFact]:
    """The facts asserted in ``doc`` (one utterance or passage)."""
    facts: list[RawFact] = []
    for sent in doc.sents:
        if _is_question(doc, sent):
            continue
        for verb in doc.tokens[sent[0] : sent[1]]:
            if verb.upos not in ("VERB",):
                continue
            clause = _clause_for(doc, verb)
            if clause is None:
                continue
            facts.extend(_facts_of(doc, clause, speaker))
    return facts


def _clause_for(doc: ParsedDoc, verb: Token) -> _Clause | None:
    kids = doc.children(verb.i)
    subj = next((c for c in kids if c.dep == "nsubj"), None)
    governor = None
    if subj is None and verb.dep in ("xcomp", "conj") and verb.head != verb.i:
        gov = doc.tokens[verb.head]
        gsubj = next((c for c in doc.children(gov.i) if c.dep == "nsubj"), None)
        if gsubj is not None:
            subj = gsubj
            governor = gov if verb.dep == "xcomp" else None
    passive = next((c for c in kids if c.dep == "nsubj:pass"), None)
    if subj is None and passive is None:
        return None
    return _Clause(doc, verb, subj, governor)


def _subject_phrase(doc: ParsedDoc, tok: Token, speaker: str | None) -> Phrase | None:
    low = tok.text.lower()
    if tok.upos == "PRON":
        if low in FIRST_PERSON and speaker:
            return Phrase(tok.i, speaker, tok.idx, tok.end, speaker=True)
        return None  # unresolved pronoun: coreference decides later
    if tok.upos not in ("NOUN", "PROPN"):
        return None
    return _phrase(doc, tok)


def _object_phrase(doc: ParsedDoc, tok: Token, speaker: str | None) -> Phrase | None:
    if tok.upos == "PRON":
        if tok.text.lower() in FIRST_PERSON and speaker:
            return Phrase(tok.i, speaker, tok.idx, tok.end, speaker=True)
        return None
    if tok.upos not in ("NOUN", "PROPN", "NUM"):
        return None
    return _phrase(doc, tok)


def _facts_of(doc: ParsedDoc, c: _Clause, speaker: str | None) -> list[RawFact]:
    verb = c.verb
    base = verb.lemma.lower()
    if c.particle is not None:
        base += "_" + c.particle.text.lower()
    out: list[RawFact] = []
    modality = c.modality()
    if c.governor is not None:  # "started working": the tense is the governor's
        gov_auxes = [t for t in doc.children(c.governor.i) if t.dep in ("aux", "aux:pass")]
        tense = _tense(c.governor, gov_auxes)
    else:
        tense = _tense(verb, c.auxes)
    polarity = not c.negators
    rel_tokens = [verb, *c.auxes, *c.negators, *([c.particle] if c.particle else [])]
    if c.governor is not None:
        rel_tokens.append(c.governor)

    def add(subj: Phrase, obj: Phrase, prep: Token | None, conf: float) -> None:
        toks = rel_tokens + ([prep] if prep is not None else [])
        toks = [t for t in toks if t.sent == verb.sent]
        start, end = min(t.idx for t in toks), max(t.end for t in toks)
        words = " ".join(t.text for t in sorted(toks, key=lambda t: t.i))
        predicate = base + (f"_{prep.text.lower()}" if prep is not None else "")
        if c.governor is not None:
            conf -= 0.1
        out.append(RawFact(subj, predicate, words, (start, end), obj, polarity, modality, tense, round(conf, 2)))

    if c.passive_subject is not None:
        # "Bob was hired by Airbus" → (Airbus, hire, Bob)
        patient = _object_phrase(doc, c.passive_subject, speaker)
        agent = next((o for o in c.obliques if o.dep == "obl:agent"), None)
        if patient is not None and agent is not None:
            subj = _subject_phrase(doc, agent, speaker)
            if subj is not None:
                add(subj, patient, None, 0.8)
        return out

    subj = _subject_phrase(doc, c.subject, speaker) if c.subject is not None else None
    if subj is None:
        return out
    for o in c.objects:
        obj = _object_phrase(doc, o, speaker)
        if obj is not None:
            add(subj, obj, None, 0.9)
    for o in c.obliques:
        if o.ent_type in _WHEN:
            continue  # "in April", "on Friday": when it happened, not what (time is a later stage)
        prep = _case(doc, o)
        obj = _object_phrase(doc, o, speaker)
        if obj is not None and prep is not None:
            add(subj, obj, prep, 0.8)
    return out
