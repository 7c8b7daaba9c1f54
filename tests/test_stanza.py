"""The stanza backend, tested without models: stanza Documents built from CoNLL-U.

The same extraction must come out of a UD treebank parse as out of spaCy's parse
mapped to UD — no stage after the parse knows which parser ran.
"""

from __future__ import annotations

import pytest

pytest.importorskip("stanza")

from graphmem.nlp.stanza_backend import from_conllu  # noqa: E402
from graphmem.nlp.triples import extract  # noqa: E402

# UD English annotations written by hand (UD v2 guidelines).
CONLLU = """\
# text = Alice works at Google.
1\tAlice\tAlice\tPROPN\tNNP\t_\t2\tnsubj\t_\t_
2\tworks\twork\tVERB\tVBZ\t_\t0\troot\t_\t_
3\tat\tat\tADP\tIN\t_\t4\tcase\t_\t_
4\tGoogle\tGoogle\tPROPN\tNNP\t_\t2\tobl\t_\tSpaceAfter=No
5\t.\t.\tPUNCT\t.\t_\t2\tpunct\t_\t_

# text = Bob was hired by Siemens.
1\tBob\tBob\tPROPN\tNNP\t_\t3\tnsubj:pass\t_\t_
2\twas\tbe\tAUX\tVBD\t_\t3\taux:pass\t_\t_
3\thired\thire\tVERB\tVBN\t_\t0\troot\t_\t_
4\tby\tby\tADP\tIN\t_\t5\tcase\t_\t_
5\tSiemens\tSiemens\tPROPN\tNNP\t_\t3\tobl:agent\t_\tSpaceAfter=No
6\t.\t.\tPUNCT\t.\t_\t3\tpunct\t_\t_

# text = Carol is not a doctor.
1\tCarol\tCarol\tPROPN\tNNP\t_\t5\tnsubj\t_\t_
2\tis\tbe\tAUX\tVBZ\t_\t5\tcop\t_\t_
3\tnot\tnot\tPART\tRB\t_\t5\tadvmod\t_\t_
4\ta\ta\tDET\tDT\t_\t5\tdet\t_\t_
5\tdoctor\tdoctor\tNOUN\tNN\t_\t0\troot\t_\tSpaceAfter=No
6\t.\t.\tPUNCT\t.\t_\t5\tpunct\t_\t_

"""


def test_conllu_becomes_a_parsed_doc_with_offsets():
    doc = from_conllu(CONLLU)
    assert len(doc.sents) == 3
    alice, works = doc.tokens[0], doc.tokens[1]
    assert (alice.dep, alice.head, works.dep, works.head) == ("nsubj", 1, "root", 1)
    for t in doc.tokens:
        assert doc.text[t.idx : t.end] == t.text


def test_same_facts_as_from_spacy():
    doc = from_conllu(CONLLU)
    got = {(f.subject.text, f.predicate, f.object.text if f.object else "", f.polarity) for f in extract(doc)}
    assert got == {("Alice", "work_at", "Google", True), ("Siemens", "hire", "Bob", True),
                   ("Carol", "be", "doctor", False)}


@pytest.mark.slow
def test_spacy_and_stanza_parses_agree_on_these_sentences():
    from graphmem.config import DEFAULT_SPACY_MODEL
    from graphmem.nlp import SpacyParser

    conll = from_conllu(CONLLU)
    spacy_doc = SpacyParser(DEFAULT_SPACY_MODEL).parse(conll.text)

    def key(d):
        return sorted((f.subject.text, f.predicate, f.object.text if f.object else "", f.polarity, f.relation)
                      for f in extract(d))

    assert key(spacy_doc) == key(conll)
