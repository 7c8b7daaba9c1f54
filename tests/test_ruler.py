"""The attribute ruler's table lookups (graphmem.nlp._ruler) give spaCy's own annotations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

DATA = Path(__file__).parent / "data"

# Every exception the English ruler has, and the contexts that must not trigger it.
TEXTS = [
    "We're gonna go, y'all. C'm on, let's go! I ain't doin' nothin' and it ain't my fault.",
    "You gotta see it.  There is a cat.\n\nThere were two dogs, and there's a bird.",
    "I gave it to you and you gave it to me. It rains; I know you know it.",
    "But he left, but not before nuthin' happened. Somethin' 'bout that ol' house.",
    "'Em guys? I'll get 'em. 'Nuff said, he gets what he got.",
    "Did you do it? I did. She has had it, and he does what he does. The one that I saw was this.",
    "Y all. Gon na. Got ta. Let 's. Whatever those are, that is that.",
    "   ",
    "",
]


def _texts() -> list[str]:
    dialogues = json.loads((DATA / "locomo_tiny.json").read_text(encoding="utf-8"))
    turns = [t["text"] for conv in dialogues for key, session in conv["conversation"].items()
             if key.startswith("session_") and isinstance(session, list) for t in session]
    with (DATA / "coref_dialogues.jsonl").open(encoding="utf-8") as fh:
        turns += [t["text"] for line in fh if line.strip() for t in json.loads(line)["turns"]]
    assert len(turns) > 100
    return TEXTS + turns


def _annotations(doc) -> list[tuple]:
    return [(t.text, t.tag_, t.pos_, str(t.morph), t.lemma_, t.dep_, t.head.i) for t in doc]


@pytest.mark.slow
def test_the_english_ruler_by_tables_annotates_as_spacy_does():
    import spacy

    from graphmem.config import DEFAULT_SPACY_MODEL
    from graphmem.nlp._ruler import use_tables

    stock = spacy.load(DEFAULT_SPACY_MODEL, exclude=["ner"])
    fast = spacy.load(DEFAULT_SPACY_MODEL, exclude=["ner"])
    assert use_tables(fast) and not use_tables(spacy.blank("en"))
    texts = _texts()
    before = list(stock.pipe(texts, disable=["attribute_ruler", "lemmatizer"]))
    matched = 0
    for doc in before:
        want = stock.get_pipe("attribute_ruler").match(doc)
        assert fast.get_pipe("attribute_ruler").match(doc) == want, doc.text
        matched += len(want)
    assert matched > sum(len(d) for d in before)  # every token's tag rule, and exceptions besides
    for a, b in zip(stock.pipe(texts), fast.pipe(texts)):
        assert _annotations(b) == _annotations(a), a.text
    # the exceptions did fire: "gonna" → go + to, "ain't" → be, "'em" → them, "nothin'" → nothing
    doc = fast(TEXTS[0] + " " + TEXTS[4])
    lemmas = {t.text.lower(): t.lemma_ for t in doc}
    assert (lemmas["gon"], lemmas["na"], lemmas["ai"], lemmas["nothin'"], lemmas["'em"]) == \
        ("go", "to", "be", "nothing", "them")


def _ruler_pipeline(patterns):
    import spacy

    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add_patterns(patterns)
    return nlp


PATTERNS = [
    {"patterns": [[{"LOWER": {"IN": ["cats", "dogs"]}}]], "attrs": {"POS": "NOUN", "MORPH": "Number=Plur"}},
    {"patterns": [[{"LOWER": {"REGEX": "^th"}}, {"IS_SPACE": False, "LOWER": {"NOT_IN": ["and"]}}]],
     "attrs": {"LEMMA": "THE"}, "index": -1},
    {"patterns": [[{"LOWER": "the"}]], "attrs": {"POS": "DET", "LEMMA": "the"}},  # after the one above: it wins
    {"patterns": [[{"IS_SPACE": True}]], "attrs": {"POS": "SPACE"}},
]


def test_a_ruler_s_rules_apply_in_order_on_the_token_their_index_picks():
    from graphmem.nlp._ruler import use_tables

    stock, fast = _ruler_pipeline(PATTERNS), _ruler_pipeline(PATTERNS)
    assert use_tables(fast)
    for text in ["The cats and the dogs  sat.", "that and this, then cats", "the", "  the end"]:
        a, b = stock(text), fast(text)
        assert fast.get_pipe("attribute_ruler").match(b) == stock.get_pipe("attribute_ruler").match(a)
        assert [(t.pos_, str(t.morph), t.lemma_) for t in b] == [(t.pos_, str(t.morph), t.lemma_) for t in a]
    doc = fast("The cats sat")
    assert [(t.pos_, t.lemma_) for t in doc] == [("DET", "the"), ("NOUN", "THE"), ("", "")]


@pytest.mark.parametrize("token", [{"LENGTH": 3}, {"LOWER": {"FUZZY": "cat"}}, {"TAG": {"IN": ["NN"]}, "OP": "+"},
                                   {"ORTH": "cat"}])
def test_patterns_tables_cannot_answer_leave_spacy_s_matcher(token):
    from graphmem.nlp._ruler import use_tables

    nlp = _ruler_pipeline([*PATTERNS, {"patterns": [[token]], "attrs": {"POS": "X"}}])
    ruler = nlp.get_pipe("attribute_ruler")
    assert not use_tables(nlp)
    assert "match" not in vars(ruler) and "set_annotations" not in vars(ruler)
