"""Dialogue acts enough for memory, and the facts a short answer states in its question's frame.

* :func:`dialogue_act` — ``question`` (a "?" or a fronted wh-word / auxiliary), ``answer``
  (a turn that follows another speaker's question) or ``statement``.
* :func:`answer_frames` — what an answer means once the question is read back:
  "Where do you live?" — "Berlin." → (B, ``live_in``, Berlin); "Who do you work for?" —
  "Airbus." → (B, ``work_for``, Airbus); "What is your job?" — "Teacher." → (B, ``job``,
  teacher); "Do you live in Berlin?" — "No." → (B, ``live_in``, Berlin), negated.
  *you* in the question is the one who answers, *I* the one who asks.
* :func:`presupposed` — what a why-question takes for granted: "Why did you move to Paris?"
  asked of Alice presupposes (Alice, ``move_to``, Paris), which her "Because …" explains.

Everything here reads parsed documents and returns plain :class:`Frame` records; turning
them into stored facts (entities, ids, anchors) is the memory pipeline's job.
"""

from __future__ import annotations

from dataclasses import dataclass

from .parse import ParsedDoc, Token
from .triples import extract

__all__ = ["Frame", "dialogue_act", "is_short_answer", "answer_frames", "presupposed"]

_WH = {"who", "whom", "what", "where", "which", "when", "why", "how", "whose"}
_YES = {"yes", "yeah", "yep", "yup", "sure", "absolutely", "definitely", "certainly", "indeed", "correct", "right",
        "exactly", "true", "of course"}
_NO = {"no", "nope", "nah", "never", "not really", "not at all"}
_MOTION = {"move", "go", "travel", "come", "fly", "drive", "walk", "run", "return", "emigrate", "relocate", "head",
           "commute", "ride", "get", "sail"}
_YOU = {"you", "yourself"}
_ME = {"i", "me", "myself"}
_POSSESSIVE = {"your": "answerer", "my": "asker"}
_NAMED = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "PRODUCT", "EVENT", "WORK_OF_ART", "LANGUAGE"}


@dataclass(slots=True)
class Frame:
    """A fact read from a question and its answer (names, not entities yet).

    ``object_span`` is where the object lies in the answer's text (``None`` when the object
    comes from the question); ``object_label`` is its NER label, if it names something.
    """

    subject: str
    predicate: str
    object: str | None
    polarity: bool = True
    confidence: float = 0.6
    subject_is_answerer: bool = False
    subject_is_asker: bool = False
    object_label: str | None = None
    object_span: tuple[int, int] | None = None
    kind: str = "short-answer"  # short-answer | yes-no | presupposition


def _last_sentence(doc: ParsedDoc) -> tuple[int, int]:
    return doc.sents[-1] if doc.sents else (0, 0)


def _is_question(doc: ParsedDoc) -> bool:
    s, e = _last_sentence(doc)
    toks = doc.tokens[s:e]
    if not toks:
        return False
    if any(t.text == "?" for t in toks[-3:]):
        return True
    first = toks[0]
    return first.text.lower() in _WH and first.tag.startswith("W") and not any(t.dep == "nsubj" and t.i < first.i
                                                                                for t in toks)


def dialogue_act(doc: ParsedDoc, *, previous: ParsedDoc | None = None, same_speaker: bool = False) -> str:
    """``question``, ``answer`` or ``statement``.

    Args:
        doc: the turn.
        previous: the turn before it, if any.
        same_speaker: whether both turns have one speaker (then no answer).
    """
    if _is_question(doc):
        return "question"
    if previous is not None and not same_speaker and _is_question(previous):
        return "answer"
    return "statement"


def is_short_answer(doc: ParsedDoc) -> bool:
    """A fragment: no clause of its own ("Berlin.", "In Berlin.", "Yes.", "My brother Bob.")."""
    words = [t for t in doc.tokens if t.upos != "PUNCT"]
    if not words or len(words) > 8 or len(doc.sents) > 2:
        return False
    return not any(t.upos == "VERB" or (t.upos == "AUX" and t.dep not in ("aux", "cop")) for t in words)


def _polarity(doc: ParsedDoc) -> bool | None:
    words = [t.text.lower() for t in doc.tokens if t.upos != "PUNCT"]
    if not words:
        return None
    two = " ".join(words[:2])
    if words[0] in _NO or two in _NO:
        return False
    if words[0] in _YES or two in _YES:
        return True
    return None


def _root(doc: ParsedDoc, start: int, end: int) -> Token | None:
    return next((t for t in doc.tokens[start:end] if t.head == t.i), None)


def _text(doc: ParsedDoc, toks: list[Token]) -> str:
    toks = sorted(toks, key=lambda t: t.i)
    return doc.text[toks[0].idx : toks[-1].end]


def _compact(doc: ParsedDoc, head: Token) -> list[Token]:
    """A noun's name: the head with its compounds, flat names, adjectives and numbers."""
    keep, stack = [head], [head]
    while stack:
        t = stack.pop()
        for c in doc.children(t.i):
            if c.dep in ("compound", "flat", "amod", "nummod", "compound:prt") and c not in keep:
                keep.append(c)
                stack.append(c)
    return keep


def _answer_object(doc: ParsedDoc) -> tuple[str, str | None, tuple[int, int], str | None] | None:
    """The answer fragment's object: text, its preposition (if any), span, NER label."""
    s, e = doc.sents[0] if doc.sents else (0, 0)
    root = _root(doc, s, e)
    if root is None:
        return None
    prep = None
    if root.upos == "ADP":  # "In Berlin."
        objs = [c for c in doc.children(root.i) if c.upos in ("NOUN", "PROPN", "NUM", "PRON")]
        if not objs:
            return None
        prep, root = root.text.lower(), objs[0]
    else:
        case = [c for c in doc.children(root.i) if c.dep == "case"]
        prep = case[0].text.lower() if case else None
    if root.upos not in ("NOUN", "PROPN", "NUM", "ADJ", "X"):
        return None
    toks = _compact(doc, root)
    span = (min(t.idx for t in toks), max(t.end for t in toks))
    label = root.ent_type if root.ent_type in _NAMED else ("ENTITY" if root.upos == "PROPN" else None)
    return doc.text[span[0] : span[1]], prep, span, label


def _person(tok: Token, doc: ParsedDoc, asker: str | None, answerer: str | None) -> tuple[str, bool, bool] | None:
    """Who a question's subject is: (name, is answerer, is asker), or None if it cannot be named."""
    low = tok.text.lower()
    if low in _YOU:
        return (answerer, True, False) if answerer else None
    if low in _ME:
        return (asker, False, True) if asker else None
    if tok.upos == "PRON":
        return None
    owner = next((c for c in doc.children(tok.i) if c.dep == "nmod:poss"), None)
    noun = _text(doc, _compact(doc, tok))
    if owner is not None:
        who = answerer if owner.text.lower() == "your" else asker if owner.text.lower() == "my" else None
        if who is None:
            return None
        return f"{who}'s {noun}", False, False
    return noun, False, False


def answer_frames(question: ParsedDoc, answer: ParsedDoc, *, asker: str | None,
                  answerer: str | None) -> list[Frame]:
    """The facts a short answer states in its question's frame (empty when it is no short answer).

    "Where do you live?" asked by Alice, "Berlin." answered by Bob: ``[Frame("Bob", "live_in", "Berlin")]``.
    """
    if not _is_question(question) or not is_short_answer(answer):
        return []
    polar = _polarity(answer)
    s, e = _last_sentence(question)
    wh = next((t for t in question.tokens[s:e] if t.text.lower() in _WH and t.tag.startswith("W")), None)
    if wh is None:
        if polar is None:
            return []
        out = []
        for f in presupposed(question, asker=asker, answerer=answerer, mood=None):
            f.polarity, f.kind, f.confidence = (f.polarity == polar), "yes-no", 0.6
            out.append(f)
        return out
    obj = _answer_object(answer)
    if obj is None or polar is not None:
        return []
    text, prep, span, label = obj
    word = wh.text.lower()
    slot = wh if wh.dep != "det" else question.tokens[wh.head]  # "Which city …": the noun holds the role
    head = question.tokens[slot.head] if slot.head != slot.i else slot
    if slot.head == slot.i:  # "What is your job?", "Who is your brother?": the wh-word is the predicate
        subj = next((c for c in question.children(slot.i) if c.dep == "nsubj"), None)
        owner = next((c for c in question.children(subj.i) if c.dep == "nmod:poss"), None) if subj else None
        if subj is None or owner is None or owner.text.lower() not in _POSSESSIVE:
            return []
        who = answerer if owner.text.lower() == "your" else asker
        if not who:
            return []
        return [Frame(who, subj.lemma.lower(), text, subject_is_answerer=owner.text.lower() == "your",
                      subject_is_asker=owner.text.lower() == "my", object_label=label, object_span=span,
                      confidence=0.55)]
    lemma = "be" if head.lemma.lower() == "be" else head.lemma.lower()
    particle = next((c.text.lower() for c in question.children(head.i) if c.dep == "compound:prt"), None)
    base = lemma + (f"_{particle}" if particle else "")
    stranded = next((c.text.lower() for c in question.children(slot.i) if c.dep == "case"), None) or next(
        (c.text.lower() for c in question.children(head.i) if c.dep in ("prep", "case") and c.i > wh.i), None)
    if slot.dep.startswith("nsubj"):  # "Who lives in Berlin?" — "Carol."
        obl = next((c for c in question.children(head.i) if c.dep in ("obj", "obl")), None)
        if obl is None:
            return []
        case = next((c.text.lower() for c in question.children(obl.i) if c.dep == "case"), None)
        return [Frame(text, base + (f"_{case}" if case else ""), _text(question, _compact(question, obl)),
                      object_label=None, confidence=0.55)]
    subj_tok = next((c for c in question.children(head.i) if c.dep in ("nsubj", "nsubj:pass")), None)
    who = _person(subj_tok, question, asker, answerer) if subj_tok is not None else None
    if who is None:
        return []
    name, is_answerer, is_asker = who
    if word == "where":
        prep = prep or stranded or ("to" if lemma in _MOTION else "in")
    elif word in ("when", "why", "how"):
        return []
    else:
        prep = stranded if slot.dep != "obj" else None
    predicate = base + (f"_{prep}" if prep else "")
    return [Frame(name, predicate, text, subject_is_answerer=is_answerer, subject_is_asker=is_asker,
                  object_label=label, object_span=span, confidence=0.6)]


def presupposed(question: ParsedDoc, *, asker: str | None, answerer: str | None,
                mood: str | None = "why") -> list[Frame]:
    """The proposition a question is about, with *you* read as the answerer.

    With ``mood="why"`` only why-questions count ("Why did you move to Paris?" presupposes the
    move); with ``None`` any polar question's content is returned (for yes/no answers).
    """
    if not _is_question(question):
        return []
    s, e = _last_sentence(question)
    words = [t.text.lower() for t in question.tokens[s:e]]
    if mood == "why" and not (words[:1] == ["why"] or words[:2] == ["how", "come"]):
        return []
    out = []
    for raw in extract(question, speaker=asker):
        if raw.object is None or question.tokens[raw.subject.head].sent != len(question.sents) - 1:
            continue
        subj_tok = question.tokens[raw.subject.head]
        if raw.subject.speaker:
            name, you = raw.subject.text, False
        elif subj_tok.text.lower() in _YOU and answerer:
            name, you = answerer, True
        elif raw.subject.kind in ("name", "noun"):
            name, you = raw.subject.text, False
        else:
            continue
        obj = raw.object
        if obj.kind not in ("name", "noun") or question.tokens[obj.head].text.lower() in _WH:
            continue
        label = question.tokens[obj.head].ent_type or None
        out.append(Frame(name, raw.predicate, obj.text, polarity=raw.polarity, confidence=0.55,
                         subject_is_answerer=you, subject_is_asker=raw.subject.speaker,
                         object_label=label if label in _NAMED else ("ENTITY" if obj.kind == "name" else None),
                         kind="presupposition"))
    return out
