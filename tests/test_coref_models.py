"""Neural coreference beside the rules (graphmem.nlp.coref_models): chosen by configuration,
mapped onto graphmem's own parse, complementing or replacing the rules."""

from __future__ import annotations

import pytest

from graphmem.config import DEFAULT_SPACY_MODEL, Config
from graphmem.errors import ConfigError, ModelError
from graphmem.model import Source, Utterance
from graphmem.nlp import Pipeline, SpacyParser
from graphmem.nlp.coref_models import external_referents, load_cluster_model

TEXT = "Alice thanked Carol. She smiled."


class GoldClusters:
    """A cluster model that reads its clusters from a hand annotation of TEXT: Carol = She.
    (The rules prefer the subject, Alice: the model's answer must be what changes the fact.)"""

    def __call__(self, texts):
        out = []
        for i, text in enumerate(texts):
            if "Carol" in text and "She" in text:
                c, s = text.index("Carol"), text.index("She")
                out.append([(i, c, c + 5), (i, s, s + 3)])
        return out


@pytest.fixture(scope="module")
def parser():
    return SpacyParser(DEFAULT_SPACY_MODEL)


def _smiler(parser, **kw) -> str:
    src = Source("src_m", "ns", "test", "document", "h")
    utt = Utterance("u_m", "ns", src.id, TEXT, 0)
    batch = Pipeline(parser, **kw).build("ns", src, [utt])
    return next(f.subject for f in batch.facts if f.predicate == "smile")


@pytest.mark.slow
def test_a_cluster_model_complements_or_replaces_the_rules(parser):
    assert _smiler(parser) == "Alice"  # the rules alone
    model = load_cluster_model(f"{__name__}:GoldClusters")
    assert _smiler(parser, coref_model=model) == "Alice"  # complement: the rules found a referent
    assert _smiler(parser, coref_model=model, coref_mode="replace") == "Carol"


@pytest.mark.slow
def test_clusters_map_to_pronoun_tokens_named_by_their_longest_mention(parser):
    docs = list(parser.parse_many(["I met Carol Smith in Oslo.", "Yesterday she called me."]))
    clusters = [[(0, 6, 17), (1, 10, 13)], [(1, 21, 23), (0, 0, 1)]]  # Carol Smith = she; me = I
    got = external_referents(clusters, docs)
    she = next(t.i for t in docs[1].tokens if t.text == "she")
    assert got[0] == {} and got[1] == {she: ("Carol Smith", "PERSON")}  # first person stays with the speaker


def test_cluster_model_choices_and_errors():
    assert load_cluster_model("rules") is None
    with pytest.raises(ConfigError, match="GRAPHMEM_COREF"):
        load_cluster_model("neuralcoref")
    with pytest.raises(ConfigError, match="cannot import"):
        load_cluster_model("graphmem.nope:Model")
    with pytest.raises(ConfigError, match="GRAPHMEM_COREF_MODE"):
        Config.from_env({"GRAPHMEM_COREF_MODE": "sometimes"})
    assert Config.from_env({"GRAPHMEM_COREF": "stanza"}).coref == "stanza"


def test_a_neural_model_that_is_not_installed_is_a_model_error_never_a_download(monkeypatch, tmp_path):
    pytest.importorskip("stanza")  # the test extra installs it; its coref model is never downloaded
    monkeypatch.setenv("STANZA_RESOURCES_DIR", str(tmp_path))
    with pytest.raises(ModelError, match="stanza.download"):
        load_cluster_model("stanza")
    assert not any(tmp_path.iterdir())
