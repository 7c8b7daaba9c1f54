"""What of a RECALL cue goes to the full-text indexes: its content words.

A question such as "When did Caroline go to the support group?" asks with words that
nearly every stored turn also has ("when", "did", "to", "the"). Vectors take such words in
their stride; a full-text index does not drop them on every store (Kùzu's fts extension
keeps them in the query), so they drown the few words that pick out the answer. The
full-text candidates are therefore asked with the cue's content words only; the vector
candidates still see the whole cue.

The vectors see it from the speaker's side, though (:func:`first_person`): in a dialogue
people speak of themselves as "I", so "What did Caroline research?" is embedded as "What did I
research?", which is what Caroline's own turn says.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["FUNCTION_WORDS", "content_words", "first_person", "name_candidates", "name_runs"]

#: English question words, auxiliaries, pronouns, determiners, prepositions and
#: conjunctions: words that say how something is asked, not what it is about.
FUNCTION_WORDS = frozenset("""
what when where which who whom whose why how whatever whenever wherever
is are was were be been being am do does did doing done have has had having
will would shall should can could may might must ought
i me my mine myself we us our ours ourselves you your yours yourself yourselves
he him his himself she her hers herself it its itself they them their theirs themselves
this that these those there here
a an the some any each every either neither no nor not all both few more most other such
of to in on at by for from with without about into onto over under after before during since until
up down out off than then so as if or and but because while though although
also just very too again ever yet still only own same even else
s t d ll m re ve
""".split())

_WORD = re.compile(r"[^\W_]+(?:['’+-][^\W_]+)*\+*", re.UNICODE)


def content_words(cue: str) -> str:
    """The cue without function words, for full-text search; the whole cue when that would
    leave nothing.

    >>> content_words("When did Caroline go to the LGBTQ support group?")
    'Caroline go LGBTQ support group'
    >>> content_words("Who is he?")
    'Who is he?'
    """
    kept = [w for w in _WORD.findall(cue) if w.lower().replace("’", "'") not in FUNCTION_WORDS
            and w.lower().split("'")[0] not in FUNCTION_WORDS]
    return " ".join(kept) if kept else cue


_NAME_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*", re.UNICODE)


def name_candidates(cue: str, longest: int = 3) -> list[str]:
    """Every run of one to ``longest`` words of the cue, lower-cased: what a speaker's name,
    lower-cased, must equal to count as named by the cue (a possessive's "s" is a word of its own).

    >>> name_candidates("What did Caroline's mum say?", longest=2)
    ['what', 'did', 'caroline', 's', 'mum', 'say', 'what did', 'did caroline', 'caroline s', 's mum', 'mum say']
    """
    words = [w.lower() for w in _NAME_WORD.findall(cue)]
    return list(dict.fromkeys(" ".join(words[i:i + n]) for n in range(1, longest + 1)
                              for i in range(len(words) - n + 1)))


def name_runs(cue: str, longest: int = 3) -> list[str]:
    """:func:`name_candidates` as written, and each run lower-cased and capitalized: the names a
    store's speakers are looked up by (an index compares them exactly)."""
    words = _NAME_WORD.findall(cue)
    runs = [" ".join(words[i:i + n]) for n in range(1, longest + 1) for i in range(len(words) - n + 1)]
    return list(dict.fromkeys(v for r in runs for v in (r, r.lower(), r.title())))


def first_person(cue: str, speakers: Iterable[str]) -> str:
    """The cue as its speakers would put it: each speaker it names becomes "I" ("my" for a
    possessive; a "the" before the name goes too), so its embedding meets the turns in which
    they speak of themselves. LoCoMo dev, the cue's vector alone over plain turns: R@5 24.0
    as asked, 53.7 in the first person; all of RECALL: 57.8 → 61.3.

    >>> first_person("When did Caroline's mum visit Melanie?", ["Melanie", "Caroline"])
    'When did my mum visit I?'
    >>> first_person("What does the user like?", ["user"])
    'What does I like?'
    """
    out = cue
    for name in sorted({s.strip() for s in speakers if s and s.strip()}, key=len, reverse=True):
        pattern = rf"(?<![\w-])(?:the\s+)?{re.escape(name)}(?P<s>['’]s)?(?![\w-])"
        out = re.sub(pattern, lambda m: "my" if m.group("s") else "I", out, flags=re.IGNORECASE)
    return out
