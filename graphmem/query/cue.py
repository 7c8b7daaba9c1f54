"""What of a RECALL cue goes to the full-text indexes: its content words.

A question such as "When did Caroline go to the support group?" asks with words that
nearly every stored turn also has ("when", "did", "to", "the"). Vectors take such words in
their stride; a full-text index does not drop them on every store (Kùzu's fts extension
keeps them in the query), so they drown the few words that pick out the answer. The
full-text candidates are therefore asked with the cue's content words only; the vector
candidates still see the whole cue.
"""

from __future__ import annotations

import re

__all__ = ["FUNCTION_WORDS", "content_words", "name_candidates"]

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
