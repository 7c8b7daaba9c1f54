"""Explicit discourse relations over a UD parse: connectives, PDTB-3 senses and arguments.

A connective is found in three steps, all over the backend-neutral :class:`ParsedDoc`:

1. **Lexicon.** Words that spell a connective in graphmem's own table
   (``data/connectives.tsv``), longest match first ("as soon as" before "as").
2. **Discourse use, from the parse.** The word must join clauses: *and* between two
   predicates, not two nouns ("apples and pears"); *if*, *when* heading an adverbial
   clause, not a complement ("I wonder if …") or a relative ("the day when …"); *since*,
   *after* heading a clause or a gerund, not a noun ("since 2010"); *so* opening a clause,
   not grading an adjective ("so soft") or standing for one ("doing so"); *by* before a
   gerund ("by minimizing harm"), not a noun.
3. **Sense.** The table's most likely reading for that use, unless the parse says
   otherwise: *since* with a date or a perfect main clause is temporal, else causal;
   *while* with a progressive or a bare gerund is temporal, else contrastive; *as* with a
   stative verb is causal, else temporal; *because* after a belief verb, *so* or *if*
   before a question take the +Belief / +SpeechAct variants of PDTB-3.

Arguments: Arg2 is the clause the connective attaches to; Arg1 is the clause it
depends on (the matrix clause of a subordinate clause, the first conjunct of a
coordination) or, for a connective that opens a sentence ("But …", "However, …") or a
fragment ("Because I got a job."), the previous sentence — or the previous turn, which
the caller supplies (see :mod:`graphmem.nlp.relations`).

>>> from graphmem.nlp.parse import ParsedDoc, Token
>>> words = [("It", "PRON", "nsubj", 1), ("rained", "VERB", "root", 1), (",", "PUNCT", "punct", 1),
...          ("so", "ADV", "advmod", 5), ("we", "PRON", "nsubj", 5), ("stayed", "VERB", "parataxis", 1)]
>>> toks = [Token(i, w, 0, w.lower(), pos, "", dep, head) for i, (w, pos, dep, head) in enumerate(words)]
>>> [(r.connective, r.sense, r.arg1, r.arg2) for r in find_relations(ParsedDoc("", toks, [(0, 6)]))]
[('so', 'Contingency.Cause.Result', 1, 5)]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

from .parse import ParsedDoc, Token

__all__ = ["Reading", "Lexicon", "Relation", "load_lexicon", "find_relations", "lexicon_matches", "classify",
           "sense_level", "arg_tokens", "clause_head"]

KINDS = ("sub", "coord", "adv", "prep")


@dataclass(frozen=True, slots=True)
class Reading:
    """One row of the connective table: a spelling, how it attaches, one sense and its share."""

    words: tuple[str, ...]
    kind: str
    sense: str
    prior: float


class Lexicon:
    """The connective table, indexed by spelling."""

    def __init__(self, readings: Iterable[Reading]) -> None:
        self.readings = tuple(readings)
        self._by_words: dict[tuple[str, ...], list[Reading]] = {}
        for r in self.readings:
            self._by_words.setdefault(r.words, []).append(r)
        for rs in self._by_words.values():
            rs.sort(key=lambda r: -r.prior)
        self.longest = max((len(w) for w in self._by_words), default=0)

    @classmethod
    def parse(cls, text: str) -> Lexicon:
        """Read the table's TSV text (``#`` comments, four columns).

        >>> Lexicon.parse("because\\tsub\\tContingency.Cause.Reason\\t1.0").readings[0].words
        ('because',)
        """
        out = []
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) != 4 or cols[1] not in KINDS or cols[2].count(".") < 1:
                raise ValueError(f"connective table, line {n}: expected connective, kind, sense, prior: {line!r}")
            out.append(Reading(tuple(cols[0].split()), cols[1], cols[2], float(cols[3])))
        return cls(out)

    def readings_of(self, words: tuple[str, ...], kind: str | None = None) -> list[Reading]:
        rs = self._by_words.get(words, [])
        return [r for r in rs if r.kind == kind] if kind else list(rs)

    def spellings_at(self, words: list[str], i: int, end: int) -> list[tuple[str, ...]]:
        """The table's spellings that start at word ``i`` (before ``end``), longest first."""
        out = []
        for n in range(min(self.longest, end - i), 0, -1):
            key = tuple(words[i : i + n])
            if key in self._by_words:
                out.append(key)
        return out


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """graphmem's connective table, shipped as package data (read once per process)."""
    text = resources.files("graphmem.nlp").joinpath("data/connectives.tsv").read_text(encoding="utf-8")
    return Lexicon.parse(text)


@dataclass(slots=True)
class Relation:
    """An explicit discourse relation: the connective, its sense, and the heads of its arguments.

    ``arg1`` is the head token of Arg1 in the same document, or ``None`` when Arg1 is the
    previous turn (the connective opens the first sentence). ``inter`` says whether Arg1
    lies outside Arg2's sentence.
    """

    connective: str
    tokens: tuple[int, ...]
    sense: str
    confidence: float
    kind: str
    arg2: int
    arg1: int | None
    inter: bool = False

    @property
    def level1(self) -> str:
        return sense_level(self.sense, 1)

    @property
    def level2(self) -> str:
        return sense_level(self.sense, 2)


def sense_level(sense: str, level: int) -> str:
    """The first ``level`` parts of a PDTB sense.

    >>> sense_level("Contingency.Cause+Belief.Reason", 2)
    'Contingency.Cause+Belief'
    """
    return ".".join(sense.split(".")[:level])


# --- the parse, in clause terms ------------------------------------------------------------

_NOMINAL = {"NOUN", "PROPN", "PRON", "NUM", "DET"}
_SUBJ = {"nsubj", "nsubj:pass", "csubj", "csubj:pass", "expl"}
_OPENERS = {",", ";", ":", "--", "-", "—", "–", "(", '"', "“", "'", "‘", "[", "…"}
_STATIVE = {"be", "have", "know", "need", "want", "seem", "believe", "think", "like", "own", "remain", "contain",
            "depend", "mean", "understand", "lack", "require", "belong", "matter", "deserve", "prefer", "love"}
_BELIEF = {"think", "believe", "guess", "suppose", "reckon", "bet", "feel", "suspect", "assume", "figure"}
#: Verbs whose "if"-clause is an indirect question ("I wonder if …"), not a condition.
_WHETHER = {"wonder", "ask", "know", "see", "check", "decide", "determine", "doubt", "tell", "find", "learn",
            "question", "care", "matter", "remember", "forget", "show", "test", "verify", "judge", "say"}
#: Verbs of saying and believing: PDTB leaves the attribution ("I think", "he said") out of Arg1.
_ATTRIBUTING = _BELIEF | {"say", "tell", "claim", "report", "announce", "state", "explain", "mention", "write",
                          "know", "hope", "mean", "argue", "insist", "admit", "note", "hear", "see", "find", "realize"}
_TIME_NOUNS = {"time", "times", "day", "days", "year", "years", "moment", "period", "era", "age", "week", "month",
               "night", "morning", "evening", "point", "stage", "decade", "century", "hour", "minute", "season"}


def _kids(doc: ParsedDoc, i: int, *deps: str) -> list[Token]:
    ks = doc.children(i)
    return [k for k in ks if k.dep in deps] if deps else ks


def _is_predicate(doc: ParsedDoc, t: Token) -> bool:
    if t.upos == "VERB" and t.dep not in ("amod", "compound", "aux", "aux:pass"):
        return True
    if t.upos == "AUX" and t.dep not in ("aux", "aux:pass", "cop"):
        return True  # "if you can", "but we cannot"
    return any(k.dep in _SUBJ or k.dep == "cop" for k in doc.children(t.i))


def clause_head(doc: ParsedDoc, i: int) -> int:
    """The head of the smallest clause around token ``i`` (a predicate, or the sentence root)."""
    t = doc.tokens[i]
    for _ in range(64):
        if _is_predicate(doc, t) or t.head == t.i:
            return t.i
        t = doc.tokens[t.head]
    return t.i


def _is_root(t: Token) -> bool:
    return t.head == t.i


def _clause_initial(doc: ParsedDoc, i: int, taken: set[int]) -> bool:
    """Whether token ``i`` opens its sentence or a clause: after a comma, a colon, a quote, another connective."""
    start = doc.sents[doc.tokens[i].sent][0]
    j = i - 1
    while j >= start and (doc.tokens[j].text in ("“", '"', "‘", "(", "[") or doc.tokens[j].dep == "discourse"
                          or j in taken):
        j -= 1
    if j < start:
        return True
    prev = doc.tokens[j]
    return prev.text in _OPENERS or prev.dep in ("cc", "mark") or prev.lemma.lower() in ("well", "now", "oh")


def _progressive(doc: ParsedDoc, v: Token) -> bool:
    return v.tag == "VBG" and any(a.lemma.lower() == "be" for a in _kids(doc, v.i, "aux"))


def _perfect(doc: ParsedDoc, v: Token) -> bool:
    return v.tag == "VBN" and any(a.lemma.lower() == "have" for a in _kids(doc, v.i, "aux")) or (
        any(c.dep == "cop" and c.tag == "VBN" for c in doc.children(v.i))
        and any(a.lemma.lower() == "have" for a in _kids(doc, v.i, "aux")))


def _is_question(doc: ParsedDoc, sent: int) -> bool:
    s, e = doc.sents[sent]
    return any(t.text == "?" for t in doc.tokens[max(s, e - 3) : e])


# --- recognition ---------------------------------------------------------------------------


@dataclass(slots=True)
class _Use:
    kind: str
    arg2: int
    arg1: int | None
    inter: bool
    base: float  # how sure the parse is that this is a discourse use


class _Finder:
    def __init__(self, doc: ParsedDoc, lexicon: Lexicon) -> None:
        self.doc, self.lex = doc, lexicon
        self.words = [t.text.lower().replace("’", "'") for t in doc.tokens]
        self.taken: set[int] = set()

    def run(self) -> list[Relation]:
        out: list[Relation] = []
        for start, end in self.doc.sents:
            i = start
            while i < end:
                for spelling in self.lex.spellings_at(self.words, i, end):
                    rel = self.recognize(spelling, i)
                    if rel is not None:
                        out.append(rel)
                        self.taken.update(rel.tokens)
                        i += len(spelling) - 1
                        break
                i += 1
        return out

    # -- one candidate ----------------------------------------------------------------------

    def recognize(self, spelling: tuple[str, ...], i: int, *, force: bool = False) -> Relation | None:
        toks = tuple(range(i, i + len(spelling)))
        use = self.use(spelling, toks)
        if use is None:
            if not force:
                return None
            head = clause_head(self.doc, toks[-1])
            kinds = {r.kind for r in self.lex.readings_of(spelling)}
            use = _Use(next(k for k in KINDS if k in kinds), head, None, True, 0.3)
        readings = self.lex.readings_of(spelling, use.kind) or self.lex.readings_of(spelling)
        if not readings:
            return None
        sense, p = self.sense(spelling, readings, use, toks)
        return Relation(" ".join(spelling), toks, sense, round(use.base * p, 3), use.kind, use.arg2, use.arg1,
                        use.inter)

    def use(self, spelling: tuple[str, ...], toks: tuple[int, ...]) -> _Use | None:
        """How the candidate joins clauses, or None when it is no connective here."""
        doc, kinds = self.doc, {r.kind for r in self.lex.readings_of(spelling)}
        first, last = doc.tokens[toks[0]], doc.tokens[toks[-1]]
        nxt = self.words[toks[-1] + 1] if toks[-1] + 1 < len(doc.tokens) else ""
        if "prep" in kinds and last.dep in ("prep", "case", "mark", "advmod"):
            gerund = self.gerund_of(last)
            if gerund is not None and doc.tokens[last.head].lemma.lower() != "be":  # not "the way is by doing"
                return self.arguments("prep", gerund.i, 0.85)
        if len(spelling) > 1 and kinds <= {"adv"}:
            if nxt in ("of", "to", "as", "that", "with") or (spelling[-1] == "why" and nxt == "?"):
                return None  # "as a result of the war", "at the same time as …"
            anchor = self.anchor(toks)
            if spelling[-1] == "why":  # "that's why Arg2": the clause after "why"
                anchor = doc.tokens[last.head] if last.head != last.i and last.head > last.i else anchor
            return self.arguments("adv", clause_head(doc, anchor.i), 0.85, adverbial=True)
        if "coord" in kinds and first.dep == "cc" and len(spelling) == 1:
            return self.coordination(spelling[0], first)
        if "sub" in kinds and last.dep in ("mark", "advmod", "cc", "prep", "case") and last.upos != "PART":
            use = self.subordination(spelling, first, last)
            if use is not None:
                return use
        if kinds & {"adv", "coord"} and first.dep in ("advmod", "cc", "mark", "obl:npmod", "discourse", "dep"):
            return self.adverbial(spelling, first, last)
        return None

    def anchor(self, toks: tuple[int, ...]) -> Token:
        """The connective's token whose head lies outside it (its syntactic attachment)."""
        inside = set(toks)
        for j in reversed(toks):
            t = self.doc.tokens[j]
            if t.head not in inside or t.head == t.i:
                return t
        return self.doc.tokens[toks[-1]]

    def gerund_of(self, prep: Token) -> Token | None:
        """The gerund a preposition heads ("by minimizing", "after leaving"), if any."""
        for k in self.doc.children(prep.i):
            if k.tag == "VBG" and k.dep in ("advcl", "pcomp", "obl", "nmod", "acl", "ccomp", "xcomp"):
                return k
        head = self.doc.tokens[prep.head]
        if (prep.dep in ("mark", "case") and head.tag == "VBG" and head.i > prep.i
                and not _kids(self.doc, head.i, *_SUBJ)):
            return head
        return None

    def arguments(self, kind: str, arg2: int, base: float, *, adverbial: bool = False,
                  at: int | None = None) -> _Use:
        """Arg1 for an Arg2 clause head: the clause it depends on, or the previous sentence.

        ``at`` is the connective's first token: a clause that hangs from Arg2's head but ends
        before it is Arg1 ("I was tired, so I went home", which spaCy parses with *tired* under *went*).
        """
        doc = self.doc
        v = doc.tokens[arg2]
        if at is not None and at > doc.sents[v.sent][0]:
            before = [k for k in doc.children(v.i) if k.i < at and k.dep in ("ccomp", "advcl", "parataxis", "csubj",
                                                                             "conj", "dep")
                      and _is_predicate(doc, k) and max(t.i for t in doc.subtree(k.i)) < at
                      and not any(c.dep == "mark" for c in doc.children(k.i))]
            if before:
                return _Use(kind, arg2, self.content(before[-1].i), False, base)
        open_deps = ("conj", "advcl", "xcomp", "parataxis") if adverbial else (
            "conj", "advcl", "xcomp", "parataxis", "ccomp", "acl", "acl:relcl", "csubj", "dep", "obl", "nmod", "pcomp")
        if not _is_root(v) and v.dep in open_deps:
            arg1 = clause_head(doc, v.head)
            if arg1 != arg2 and (_is_predicate(doc, doc.tokens[arg1]) or doc.tokens[arg1].upos in ("ADJ", "VERB")):
                return _Use(kind, arg2, self.content(arg1), False, base)
        return self.previous(kind, arg2, base * 0.9)

    def previous(self, kind: str, arg2: int, base: float) -> _Use:
        """Arg1 in the sentences before: the last main clause of the nearest one that has a clause."""
        doc = self.doc
        for sent in range(doc.tokens[arg2].sent - 1, -1, -1):
            s, e = doc.sents[sent]
            root = next((t for t in doc.tokens[s:e] if _is_root(t)), None)
            if root is None or not any(_is_predicate(doc, t) for t in doc.tokens[s:e]):
                continue  # "(Laughter)", "Thank you."
            last = root
            while True:  # "A, and B. But C": C relates to B
                nxt = [k for k in _kids(doc, last.i, "conj") if _is_predicate(doc, k) and k.i > last.i]
                if not nxt:
                    break
                last = nxt[-1]
            return _Use(kind, arg2, self.content(last.i), True, base)
        return _Use(kind, arg2, None, True, base)

    def content(self, head: int) -> int:
        """What a clause says, without its attribution: "I think [it's reckless]" → "reckless"."""
        t = self.doc.tokens[head]
        if t.lemma.lower() in _ATTRIBUTING:
            comp = _kids(self.doc, t.i, "ccomp")
            if comp and _is_predicate(self.doc, comp[0]):
                return comp[0].i
        return head

    # -- coordinators: and, but, or, nor, yet, so ------------------------------------------

    def coordination(self, word: str, cc: Token) -> _Use | None:
        doc = self.doc
        x = doc.tokens[cc.head]
        if cc.i < x.i and x.dep == "conj" and x.head < cc.i:  # UD style: "and" hangs from the second conjunct
            if self.clausal(doc.tokens[x.head], x):
                return _Use("coord", x.i, clause_head(doc, x.head), False, 0.85)
            return None
        if cc.i < x.i or _clause_initial(doc, cc.i, self.taken) and x.i < cc.i and not self.conjunct_after(x, cc):
            if word in ("and", "or", "nor") and not _clause_initial(doc, cc.i, self.taken):
                return None
            return self.arguments("coord", clause_head(doc, x.i), 0.8, at=cc.i)
        y = self.conjunct_after(x, cc)
        if y is not None and word in ("but", "yet"):
            if y.upos in _NOMINAL and x.upos in _NOMINAL and not _is_predicate(doc, y):
                return None
        elif y is None or not self.clausal(x, y):
            opened = self.opens_clause(cc)  # ", and prudent investing is …": a clause the parse did not join
            if opened is None:
                return None
            return _Use("coord", opened, clause_head(doc, x.i), False, 0.7)
        base = 0.9 if _kids(doc, y.i, *_SUBJ) else 0.75  # a conjunct with its own subject is surely a clause
        return _Use("coord", y.i, x.i, False, base)

    def opens_clause(self, cc: Token) -> int | None:
        """After ", and" / "; but": the head of a clause whose subject and finite verb follow, if any;
        after "or" / "and" without a conjunct: a verb phrase ("or at least not exacerbating them")."""
        doc = self.doc
        s, e = doc.sents[cc.sent]
        j = cc.i + 1
        while j < e and (doc.tokens[j].dep in ("advmod", "neg") or doc.tokens[j].text.lower() in ("at", "least")):
            j += 1
        if j < e and j > cc.i + 1 and doc.tokens[j].upos == "VERB" and doc.tokens[j].tag.startswith("VB"):
            return j
        if cc.i == s or doc.tokens[cc.i - 1].text not in (",", ";"):
            return None
        for t in doc.tokens[cc.i + 1 : min(e, cc.i + 12)]:
            if t.upos == "PUNCT":
                return None
            if t.tag in ("VBZ", "VBP", "VBD", "MD") and any(doc.tokens[j].upos in _NOMINAL | {"ADJ"}
                                                             for j in range(cc.i + 1, t.i)):
                return clause_head(doc, t.i)
        return None

    def after_comma(self, x: Token, y: Token) -> bool:
        """Whether the coordinator before conjunct ``y`` follows a comma (", and more important")."""
        ccs = [t.i for t in self.doc.children(x.i) if t.dep == "cc" and x.i < t.i < y.i]
        return bool(ccs) and self.doc.tokens[max(ccs) - 1].text in (",", ";")

    def conjunct_after(self, x: Token, cc: Token) -> Token | None:
        return next((k for k in _kids(self.doc, x.i, "conj") if k.i > cc.i), None)

    def clausal(self, x: Token, y: Token) -> bool:
        """Whether the conjuncts ``x`` and ``y`` are clauses or predicates, not noun phrases or modifiers."""
        doc = self.doc
        if x.upos in _NOMINAL and not _kids(doc, y.i, *_SUBJ, "cop") and not _is_predicate(doc, x):
            return False  # "processes like molding and casting": the first conjunct is a noun
        if y.tag in ("VBZ", "VBD") and x.tag in ("VB", "VBG", "VBN") and not _kids(doc, y.i, *_SUBJ):
            return False  # "to predict the stresses and strains": a finite verb cannot share an infinitive's subject
        if _is_predicate(doc, y) and y.dep == "conj" and not (y.upos == "VERB" and y.tag in ("VBN", "VBG")
                                                              and x.dep in ("amod", "compound")):
            return y.upos in ("VERB", "AUX") or bool(_kids(doc, y.i, *_SUBJ, "cop")) or _is_predicate(doc, x)
        if y.upos == "ADJ" and not self.after_comma(x, y):
            return False  # "near and dear", "stressed and less secure": one property; ", and more important": a list
        if y.upos in ("ADJ", "VERB") and x.upos in ("ADJ", "VERB"):
            return x.dep not in ("amod", "compound", "advmod", "nmod") and (
                _is_predicate(doc, x) or x.dep in ("acomp", "xcomp", "ccomp", "root", "conj", "attr"))
        return False

    # -- subordinators: because, if, when, since, as … ---------------------------------------

    def subordination(self, spelling: tuple[str, ...], first: Token, last: Token) -> _Use | None:
        doc = self.doc
        if last.head == last.i:
            return None
        v = doc.tokens[clause_head(doc, last.head)]
        if v.i < last.i or not _is_predicate(doc, v) and not _kids(doc, v.i, *_SUBJ):
            if not (spelling == ("so", "that") or spelling[-1] == "to"):
                return None
        bare = spelling[0]
        prev = self.words[first.i - 1] if first.i > doc.sents[first.sent][0] else ""
        if v.dep in ("acl:relcl", "acl") and bare in ("when", "whenever") and prev == ",":
            # "One day, when I met him, …": set off by a comma, the clause is adverbial, whatever the parse
            head = self.doc.tokens[v.head]
            if head.head != head.i:
                return _Use("sub", v.i, clause_head(doc, head.head), False, 0.8)
        if v.dep in ("acl:relcl", "acl", "csubj") and bare not in ("because", "although", "though"):
            return None
        if bare == "if" and (self.asks(first) or prev == "what"):
            return None  # "I wonder if …"; "What if …?" asks, and has no Arg1
        if v.dep == "ccomp" and bare in ("if", "when", "whenever", "as", "since", "while", "once", "before", "after",
                                         "until", "till", "whether"):
            return None  # "I wonder if …", "tell me when …": a complement, not a relation
        if bare in ("when", "whenever"):
            if prev in _TIME_NOUNS or (first.i > 0 and doc.tokens[first.i - 1].ent_type in ("DATE", "TIME")):
                return None  # "the day when …", "in the '90s when …": relative
            if _is_root(v) and _is_question(doc, v.sent) and first.i == doc.sents[first.sent][0]:
                return None  # "When did you move?"
        if bare == "as" and len(spelling) == 1:
            if last.dep != "mark" or prev in ("such", "same", "so", "well") or self.comparative_as(first):
                return None
        if bare == "since" and last.dep in ("case", "prep"):
            return None
        if bare == "though" and last.dep == "advmod" and last.i > v.i:
            return None  # clause-final "though": an adverbial, see adverbial()
        return self.arguments("sub", v.i, 0.9)

    def asks(self, tok: Token) -> bool:
        """Whether ``tok`` ("if") follows a verb of asking or knowing: "wonder if", "asked me if"."""
        start = self.doc.sents[tok.sent][0]
        j = tok.i - 1
        while j >= start and self.doc.tokens[j].upos in ("PRON", "PROPN") and self.doc.tokens[j].dep in ("obj", "iobj"):
            j -= 1
        verb = self.doc.tokens[j] if j >= start else None
        return verb is not None and verb.upos in ("VERB", "AUX") and verb.lemma.lower() in _WHETHER

    def comparative_as(self, tok: Token) -> bool:
        """ "as important as …", "as well as …": the second *as* of a comparison."""
        start = self.doc.sents[tok.sent][0]
        for j in range(tok.i - 1, max(start, tok.i - 5) - 1, -1):
            if self.words[j] == "as":
                between = self.doc.tokens[j + 1 : tok.i]
                return bool(between) and all(t.upos in ("ADJ", "ADV", "DET", "NOUN", "NUM") for t in between)
        return False

    # -- adverbials: however, so, then, also … ------------------------------------------------

    def adverbial(self, spelling: tuple[str, ...], first: Token, last: Token) -> _Use | None:
        doc, word = self.doc, " ".join(spelling)
        if first.head == first.i:
            return None
        head = doc.tokens[first.head]
        initial = _clause_initial(doc, first.i, self.taken)
        nxt = self.words[last.i + 1] if last.i + 1 < len(doc.tokens) else ""
        prev = self.words[first.i - 1] if first.i > doc.sents[first.sent][0] else ""
        if word == "so":
            if nxt in ("far", "much", "many", "long", "-", "called", "what") or head.i < first.i:
                return None  # "so far", "doing so", "I think so"
            if not initial:
                return None
            if head.upos in ("ADJ", "ADV") and not _is_predicate(doc, head) and first.i != doc.sents[first.sent][0]:
                return None  # ", so soft": degree
        elif word == "then":
            if prev in ("by", "since", "until", "till", "from", "back", "just", "even", "only", "now", "and"):
                if prev != "and":
                    return None
        elif word == "yet":
            if prev in ("not", "n't", "never") or (head.i < first.i and not initial):
                return None
        elif word == "though":
            if head.i > first.i and not initial:
                return None
        elif word in ("still", "rather", "later", "earlier", "finally", "eventually", "overall", "indeed",
                      "previously", "besides"):
            if not initial:
                return None
        elif word == "however":
            if nxt and doc.tokens[last.i + 1].upos in ("ADJ", "ADV") and doc.tokens[last.i + 1].head == last.i:
                return None
        elif word == "also":
            if head.upos in _NOMINAL and not _is_predicate(doc, head):
                return None
        v = doc.tokens[clause_head(doc, head.i)]
        if not _is_predicate(doc, v) and not _is_root(v) and word != "so":
            return None
        base = 0.85 if initial else 0.75
        return self.arguments("adv", v.i, base, adverbial=True, at=first.i)

    # -- senses -------------------------------------------------------------------------------

    def sense(self, spelling: tuple[str, ...], readings: list[Reading], use: _Use,
              toks: tuple[int, ...]) -> tuple[str, float]:
        """The reading the parse supports, and how sure that is."""
        doc, word = self.doc, " ".join(spelling)
        best = readings[0]
        senses = {r.sense: r.prior for r in readings}
        v = doc.tokens[use.arg2]
        a1 = doc.tokens[use.arg1] if use.arg1 is not None else None

        def pick(sense: str, p: float = 0.85) -> tuple[str, float]:
            return (sense, p) if sense in senses else (best.sense, max(best.prior, 0.5))

        if word == "since" and use.kind == "sub":
            temporal = (any(t.ent_type in ("DATE", "TIME") for t in doc.subtree(v.i))
                        or (a1 is not None and _perfect(doc, a1)) or self.words[toks[0] - 1:toks[0]] == ["ever"])
            return pick("Temporal.Asynchronous.Succession" if temporal else "Contingency.Cause.Reason", 0.8)
        if word in ("while", "whilst") and use.kind == "sub":
            reduced = v.tag == "VBG" and not _kids(doc, v.i, *_SUBJ)
            return pick("Temporal.Synchronous" if reduced or _progressive(doc, v) else "Comparison.Contrast", 0.75)
        if word == "as" and use.kind == "sub":
            lemma = v.lemma.lower()
            stative = (lemma in _STATIVE or any(c.dep == "cop" for c in doc.children(v.i))
                       or any(a.tag == "MD" for a in _kids(doc, v.i, "aux")))
            return pick("Contingency.Cause.Reason" if stative and not _progressive(doc, v) else "Temporal.Synchronous",
                        0.7)
        if word == "when" and use.kind == "sub":
            if _perfect(doc, v):
                return pick("Temporal.Asynchronous.Succession", 0.7)
            return pick("Temporal.Synchronous", 0.7)
        if word == "because" and a1 is not None and not use.inter:
            gov = doc.tokens[a1.head] if a1.dep == "ccomp" else None
            if a1.lemma.lower() in _BELIEF or (gov is not None and gov.lemma.lower() in _BELIEF):
                return "Contingency.Cause+Belief.Reason", 0.7  # "I think X, because Y": a reason to believe X
        if word == "if" and _is_question(doc, (a1 or v).sent) and use.arg1 is not None and not use.inter:
            return "Contingency.Condition+SpeechAct", 0.7  # "If X, is Y?": the condition is on asking
        if word == "so" and use.inter and _is_question(doc, v.sent):
            return "Contingency.Cause+SpeechAct.Result", 0.7  # "So how …?", "So that's fine, right?"
        if word == "but" and use.kind == "coord" and a1 is not None and not use.inter:
            s1, s2 = _kids(doc, a1.i, "nsubj"), _kids(doc, v.i, "nsubj")
            parallel = a1.lemma.lower() == v.lemma.lower() or all(_kids(doc, t.i, "cop") for t in (a1, v))
            if parallel and s1 and s2 and s1[0].lemma.lower() != s2[0].lemma.lower() and s2[0].upos != "PRON":
                return pick("Comparison.Contrast", 0.65)  # "Alice likes tea, but Bob likes coffee": a contrast
        return best.sense, max(best.prior, 0.5)


def find_relations(doc: ParsedDoc, *, lexicon: Lexicon | None = None) -> list[Relation]:
    """The explicit discourse relations of ``doc``, in text order.

    Args:
        doc: one parsed utterance or passage.
        lexicon: a connective table (default: graphmem's own).

    Returns:
        One :class:`Relation` per connective used as one.
    """
    return _Finder(doc, lexicon or load_lexicon()).run()


def classify(doc: ParsedDoc, tokens: Iterable[int], *, lexicon: Lexicon | None = None) -> Relation | None:
    """The relation of a connective at given tokens, even where the parse doubts its use.

    Returns None when the words are not in the table.
    """
    toks = sorted(tokens)
    finder = _Finder(doc, lexicon or load_lexicon())
    spelling = tuple(finder.words[j] for j in toks)
    if not finder.lex.readings_of(spelling):
        return None
    return finder.recognize(spelling, toks[0], force=True)


def lexicon_matches(doc: ParsedDoc, *, lexicon: Lexicon | None = None) -> list[tuple[tuple[int, ...], str]]:
    """The baseline: every longest match of the table's spellings, with its most likely sense; no parse."""
    lex = lexicon or load_lexicon()
    words = [t.text.lower().replace("’", "'") for t in doc.tokens]
    out = []
    for start, end in doc.sents:
        i = start
        while i < end:
            spellings = lex.spellings_at(words, i, end)
            if spellings:
                sp = spellings[0]
                out.append((tuple(range(i, i + len(sp))), lex.readings_of(sp)[0].sense))
                i += len(sp)
            else:
                i += 1
    return out


def arg_tokens(doc: ParsedDoc, rel: Relation) -> tuple[set[int], set[int]]:
    """The token indices of Arg1 (empty when it is the previous turn) and of Arg2."""
    arg2 = {t.i for t in doc.subtree(rel.arg2)} - set(rel.tokens)
    if rel.arg1 is None:
        return set(), arg2
    if rel.inter:
        s, e = doc.sents[doc.tokens[rel.arg1].sent]
        return set(range(s, e)), arg2
    a1 = doc.tokens[rel.arg1]
    if rel.arg1 in arg2:  # "I was tired, so I went home", parsed with "tired" under "went"
        arg1 = {t.i for t in doc.subtree(a1.i)}
        return arg1, arg2 - arg1
    arg1 = {t.i for t in doc.subtree(a1.i)} - arg2 - set(rel.tokens)
    for k in doc.children(a1.i):  # later conjuncts of Arg1 are not Arg1 ("A, and B, and C")
        if k.dep in ("conj", "cc") and k.i > a1.i:
            arg1 -= {t.i for t in doc.subtree(k.i)}
    return arg1, arg2
