"""The CaRB scorer (bench/carb_score.py) pinned on small hand-computed cases.

Each case quotes the rule of the spec (../shared/data/carb/README.md, "Scoring") it
checks, with the arithmetic in a comment. Pure Python: no model, runs in milliseconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # bench/ is a top-level folder, not part of the installed package
    sys.path.insert(0, str(ROOT))

from bench.carb_score import (  # noqa: E402
    CurvePoint,
    Extraction,
    PairScore,
    binarise,
    drop_context,
    normalise_sentence,
    pair_score,
    read_gold,
    read_tabbed,
    score,
    write_tabbed,
)

E = Extraction
S = "Ann was born in Paris ."


def ps(gold: Extraction, pred: Extraction) -> tuple[float, float]:
    r = pair_score(gold, pred)
    return (round(r.precision, 6), round(r.recall, 6))


# --- pair score: relation ---------------------------------------------------------------


def test_exact_match_scores_one():
    assert pair_score(E("born in", ("Ann", "Paris")), E("born in", ("Ann", "Paris"))) == PairScore(1.0, 1.0)


def test_relation_without_shared_token_scores_zero_even_with_perfect_args():
    # m = 0 → (0, 0) at once, whatever the args.
    assert ps(E("born in", ("Ann", "Paris")), E("lives", ("Ann", "Paris"))) == (0.0, 0.0)


def test_partial_relation():
    # gold rel [was, born, in], pred rel [born, in]: m = 2.
    # P = (2 + 1 + 1) / (2 + 1 + 1) = 1; R = (2 + 1 + 1) / (3 + 1 + 1) = 0.8
    assert ps(E("was born in", ("Ann", "Paris")), E("born in", ("Ann", "Paris"))) == (1.0, 0.8)


def test_be_rule_matches_a_literal_be_against_any_be_form():
    # gold [is] vs pred [be]: no token match, but "be" is left and gold has "is" → m = 1.
    # P = (1 + 1 + 2) / (1 + 1 + 2) = 1; R = 4 / 4 = 1
    assert ps(E("is", ("Ann", "a doctor")), E("be", ("Ann", "a doctor"))) == (1.0, 1.0)
    # gold [was, born, in] vs pred [be, born, in]: m = 2, "be" left → m = 3. P = R = 5/5.
    assert ps(E("was born in", ("Ann", "Paris")), E("be born in", ("Ann", "Paris"))) == (1.0, 1.0)


def test_be_rule_needs_a_be_form_in_the_gold():
    # gold [born, in] vs pred [be, born, in]: m = 2, no be-form in gold → stays 2.
    # P = (2 + 1 + 1) / (3 + 1 + 1) = 0.8; R = 4 / 4 = 1
    assert ps(E("born in", ("Ann", "Paris")), E("be born in", ("Ann", "Paris"))) == (0.8, 1.0)


def test_be_rule_adds_one_at_most():
    # gold [is] vs pred [be, be]: m = 0 + 1 (once). P = (1 + 1 + 1) / (2 + 1 + 1) = 0.75; R = 3 / 3 = 1
    assert ps(E("is", ("Ann", "Lee")), E("be be", ("Ann", "Lee"))) == (0.75, 1.0)


def test_be_rule_only_counts_an_unmatched_be():
    # gold [be] vs pred [be]: the "be" is consumed by matching, so no bonus: m = 1, P = R = 1.
    assert ps(E("be", ("Ann", "Lee")), E("be", ("Ann", "Lee"))) == (1.0, 1.0)


# --- pair score: tokens and arguments ----------------------------------------------------


def test_tokens_are_case_sensitive_and_punctuation_counts():
    # arg2 "paris ." vs gold "Paris": 0 of 1 matched, pred arg2 has 2 tokens.
    # P = (2 + 1 + 0) / (2 + 1 + 2) = 0.6; R = 3 / 4 = 0.75
    assert ps(E("born in", ("Ann", "Paris")), E("born in", ("Ann", "paris ."))) == (0.6, 0.75)


def test_token_matching_is_multiset():
    # gold arg2 [the, the, cat] vs pred [the, cat]: 2 matched (the second "the" has no partner).
    # P = (1 + 1 + 2) / (1 + 1 + 2) = 1; R = 4 / (1 + 1 + 3) = 0.8
    assert ps(E("saw", ("Ann", "the the cat")), E("saw", ("Ann", "the cat"))) == (1.0, 0.8)


def test_missing_argument_scores_zero():
    # Binary setting: gold has arg2, the prediction has none.
    assert ps(E("born in", ("Ann", "Paris")), E("born in", ("Ann",))) == (0.0, 0.0)


def test_extra_predicted_args_beyond_the_gold_ones_are_not_counted():
    # gold has one arg: only pred arg1 enters the precision denominator. P = R = (1 + 1) / 2
    assert ps(E("left", ("Ann",)), E("left", ("Ann", "the old town"))) == (1.0, 1.0)


def test_empty_gold_arg2_still_needs_a_predicted_arg2():
    # gold ("left", "Ann", ""): R = (1 + 1 + 0) / (1 + 1 + 0) = 1; pred arg2 "early" adds 1 to P's
    # denominator: P = 2 / 3.
    assert ps(E("left", ("Ann", "")), E("left", ("Ann", "early"))) == (round(2 / 3, 6), 1.0)
    assert ps(E("left", ("Ann", "")), E("left", ("Ann",))) == (0.0, 0.0)


def test_binarise_joins_trailing_args_so_their_split_does_not_matter():
    assert binarise(E("moved", ("Ann", "to Paris", "in 1990"))) == E("moved", ("Ann", "to Paris in 1990"))
    gold = E("moved", ("Ann", "to Paris", "in 1990"))
    pred = E("moved", ("Ann", "to Paris in", "1990"), 0.5)
    result = score({S: [gold]}, {S: [pred]})
    assert (result.best.precision, result.best.recall) == (1.0, 1.0)


# --- reporting verbs -----------------------------------------------------------------------


def test_reporting_verb_allows_swapped_args():
    gold = E("said", ("Bob", "the plan failed"))
    pred = E("said", ("the plan failed", "Bob"))
    # As given: rel 1, arg1 [Bob] vs [the, plan, failed] 0, arg2 [the, plan, failed] vs [Bob] 0:
    # P = 1 / (1 + 3 + 1) = 0.2, R = 1 / (1 + 1 + 3) = 0.2. Swapped: P = R = 5 / 5.
    assert ps(gold, pred) == (1.0, 1.0)
    # Substring test: "has told" contains "told".
    assert ps(E("has told", ("Bob", "Ann")), E("has told", ("Ann", "Bob"))) == (1.0, 1.0)


def test_no_swap_for_other_verbs():
    # "claimed" is not a reporting marker: the unswapped 0.2 / 0.2 stands (see above).
    assert ps(E("claimed", ("Bob", "the plan failed")), E("claimed", ("the plan failed", "Bob"))) == (0.2, 0.2)


def test_swap_keeps_the_unswapped_score_when_it_is_better():
    # Unswapped is exact (1, 1); swapped would be (1/5, 1/5).
    assert ps(E("says", ("Bob", "it rains")), E("says", ("Bob", "it rains"))) == (1.0, 1.0)


# --- context arguments -------------------------------------------------------------------------


def test_context_args_are_dropped_from_gold():
    assert drop_context(E("failed", ("the plan", "C: a spokesman said"))) == E("failed", ("the plan",))
    # After the drop gold has one arg, so a one-arg prediction is exact: P = R = (1 + 2) / 3.
    gold = E("failed", ("the plan", "C: a spokesman said"))
    result = score({S: [gold]}, {S: [E("failed", ("the plan",), 0.5)]})
    assert (result.best.precision, result.best.recall) == (1.0, 1.0)


def test_time_and_location_args_are_ordinary_args():
    assert drop_context(E("moved", ("Ann", "to Paris", "T: in 1990"))).args == ("Ann", "to Paris", "T: in 1990")


# --- sentence matching -----------------------------------------------------------------------


def test_normalise_sentence():
    # Spaces go, PTB escapes are undone (then deleted as punctuation), ASCII punctuation goes.
    assert normalise_sentence(" He said -LRB- quietly -RRB- , `` no . ''  ") == "Hesaidquietlyno"
    assert normalise_sentence("a -LSB- b -RSB- -LCB- c -RCB-") == "abc"
    assert normalise_sentence("vice-versa ; 4.25 $") == "viceversa425"


def test_sentences_match_after_normalisation_and_other_sentences_are_ignored():
    gold = {"Ann -LRB- 30 -RRB- left .": [E("left", ("Ann",))]}
    system = {
        "Ann (30) left.  ": [E("left", ("Ann",), 0.5)],
        "Some other sentence .": [E("is", ("x", "y"), 0.5)],  # not a gold sentence: ignored
    }
    result = score(gold, system)
    assert result.predictions == 1
    assert (result.best.precision, result.best.recall) == (1.0, 1.0)


# --- corpus level: recall many-to-one, precision greedy one-to-one ------------------------------


def test_one_prediction_credits_several_gold_tuples_for_recall_but_once_for_precision():
    g1 = E("founded", ("Bob", "Acme"))
    g2 = E("founded", ("Bob", "Acme Corp"))
    p1 = E("founded", ("Bob", "Acme"), 0.5)
    # g1-p1 = (1, 1); g2-p1: P = 3/3 = 1, R = 3/4 = 0.75.
    # Recall (many-to-one): (1 + 0.75) / 2 = 0.875. Precision: min(2, 1) = 1 greedy match → 1 / 1.
    result = score({S: [g1, g2]}, {S: [p1]})
    assert (result.best.precision, result.best.recall) == (1.0, 0.875)
    assert result.gold_recall[normalise_sentence(S)] == [1.0, 0.75]


def test_duplicate_predictions_cost_precision():
    g = E("founded", ("Bob", "Acme"))
    # Two identical predictions: recall 1; precision matches only one of them: (1 + nothing) / 2.
    result = score({S: [g]}, {S: [E("founded", ("Bob", "Acme"), 0.5)] * 2})
    assert (result.best.precision, result.best.recall) == (0.5, 1.0)


def test_precision_matching_is_greedy_not_optimal():
    g1 = E("born", ("Ann", "Paris France"))
    g2 = E("born in", ("Ann", "Paris"))
    p1 = E("born in", ("Ann", "Paris"), 0.5)
    p2 = E("lives in", ("Ann", "Rome"), 0.5)
    # Pair precisions:   p1                        p2
    #   g1  rel 1/2, Ann 1/1, Paris 1/1 → 3/4     rel 0 → 0
    #   g2  4/4 = 1                               rel 1/2, Ann 1, Rome 0 → 2/4
    # Greedy takes g2-p1 (1.0), then g1-p2 (0): P = 1 / 2 = 0.5 (the optimum, 0.75 + 0.5, would be 0.625).
    # Recall: g1 best is p1 with 3 / (1 + 1 + 2) = 0.75; g2 is 1 → (0.75 + 1) / 2 = 0.875.
    result = score({S: [g1, g2]}, {S: [p1, p2]})
    assert (result.best.precision, result.best.recall) == (0.5, 0.875)


def test_micro_average_over_sentences():
    s2 = "Bob left ."
    gold = {S: [E("born in", ("Ann", "Paris"))], s2: [E("left", ("Bob",)), E("is", ("Bob", "tall"))]}
    system = {S: [E("born in", ("Ann", "Paris"), 0.5)]}
    # Sentence 1: P 1/1, R 1/1; sentence 2: nothing kept, but its 2 gold tuples count in the
    # recall denominator: R = 1 / 3, P = 1 / 1.
    result = score(gold, system)
    assert result.best.precision == 1.0
    assert result.best.recall == pytest.approx(1 / 3)
    assert result.gold_tuples == 3


# --- thresholds, best F1, AUC ---------------------------------------------------------------------


def test_every_distinct_confidence_is_a_threshold():
    g1, g2 = E("born in", ("Ann", "Paris")), E("owns", ("Bob", "a car"))  # no shared relation token
    system = {S: [E("born in", ("Ann", "Paris"), 0.9), E("died", ("Ann", "x"), 0.5), E("x", ("y", "z"), 0.5)]}
    # t = 0.9: kept {born}: P = 1/1, R = 1/2.
    # t = 0.5: kept all 3: recall unchanged 1/2; greedy: g1-born 1, then g2 with a zero → P = 1/3.
    result = score({S: [g1, g2]}, system)
    assert [pt.threshold for pt in result.points] == [0.9, 0.5]
    assert result.points[0] == CurvePoint(0.9, 1.0, 0.5)
    assert result.points[1].precision == pytest.approx(1 / 3)
    # Best F1 at 0.9: 2 · 1 · 0.5 / 1.5 = 2/3.
    assert result.best.threshold == 0.9
    assert result.f1 == pytest.approx(2 / 3)
    # AUC: (0, 1) → (0.5, 1): 0.5 · (1 + 1) / 2 = 0.5; → (0.5, 1/3): zero width. AUC = 0.5.
    assert result.auc == pytest.approx(0.5)


def test_auc_over_several_points():
    g1, g2 = E("born in", ("Ann", "Paris")), E("owns", ("Bob", "a car"))  # no shared relation token
    system = {S: [E("born in", ("Ann", "Paris"), 0.9), E("owns", ("Bob", "a car"), 0.2), E("x", ("y", "z"), 0.2)]}
    # t = 0.9: P = 1, R = 0.5.  t = 0.2: R = 1, greedy 1 + 1 over 3 kept → P = 2/3.
    # AUC = 0.5 · (1 + 1)/2 + 0.5 · (1 + 2/3)/2 = 0.5 + 5/12 = 11/12.
    # F1: at 0.9 → 2/3; at 0.2 → 2 · (2/3) · 1 / (5/3) = 0.8 → best is 0.2.
    result = score({S: [g1, g2]}, system)
    assert result.auc == pytest.approx(11 / 12)
    assert result.best.threshold == 0.2
    assert result.f1 == pytest.approx(0.8)


def test_auc_with_a_single_confidence_is_r_times_one_plus_p_over_two():
    g1, g2 = E("born in", ("Ann", "Paris")), E("owns", ("Bob", "a car"))  # no shared relation token
    system = {S: [E("born in", ("Ann", "Paris"), 0.7), E("died", ("Bob", "x"), 0.7)]}
    # One point: P = (1 + 0) / 2 = 0.5, R = (1 + 0) / 2 = 0.5. AUC = 0.5 · (1 + 0.5) / 2 = 0.375.
    result = score({S: [g1, g2]}, system)
    assert len(result.points) == 1
    assert (result.best.precision, result.best.recall) == (0.5, 0.5)
    assert result.auc == pytest.approx(0.375)
    assert result.f1 == pytest.approx(0.5)


def test_precision_is_one_when_nothing_is_kept():
    # The 0.9 extraction belongs to a sentence that is not gold: at t = 0.9 nothing is kept on
    # gold sentences, so P = 1 and R = 0 (the point coincides with the AUC's start (0, 1)).
    gold = {S: [E("born in", ("Ann", "Paris"))]}
    system = {"Elsewhere .": [E("is", ("a", "b"), 0.9)], S: [E("born in", ("Ann", "Paris"), 0.4)]}
    result = score(gold, system)
    assert result.points[0] == CurvePoint(0.9, 1.0, 0.0)
    assert result.points[1] == CurvePoint(0.4, 1.0, 1.0)
    assert result.auc == pytest.approx(1.0)


def test_no_system_output():
    result = score({S: [E("born in", ("Ann", "Paris"))]}, {})
    assert (result.points, result.auc, result.f1) == ((), 0.0, 0.0)


# --- readers -----------------------------------------------------------------------------------------


def test_read_gold_strips_fields_and_keeps_empty_args(tmp_path):
    path = tmp_path / "gold.tsv"
    path.write_text(f"{S} \t was born in \t Ann\tParis \n{S}\tleft\tAnn\t\n\n", encoding="utf-8")
    gold = read_gold(path)
    assert gold == {S: [E("was born in", ("Ann", "Paris")), E("left", ("Ann", ""))]}


def test_tabbed_round_trip(tmp_path):
    system = {S: [E("was born in", ("Ann", "Paris"), 0.8), E("left", ("Ann", "Paris", "T: 1990"), 0.25)]}
    path = tmp_path / "sys.tsv"
    assert write_tabbed(system, path) == 2
    assert path.read_text(encoding="utf-8").splitlines()[0] == f"{S}\t0.8\twas born in\tAnn\tParis"
    assert read_tabbed(path) == system


def test_read_tabbed_rejects_a_missing_confidence(tmp_path):
    path = tmp_path / "sys.tsv"
    path.write_text(f"{S}\twas born in\tAnn\tParis\n", encoding="utf-8")
    with pytest.raises(ValueError, match="confidence"):
        read_tabbed(path)


# --- the bench's PTB detokeniser (bench/carb.py): surfaces come back in CaRB's own tokens ----------


def test_detokenise_maps_text_back_to_ptb_tokens():
    from bench.carb import detokenise

    d = detokenise("Blagoja ` Billy ' Celeski -LRB- 30 -RRB- said `` no '' , did n't he ?")
    assert d.text == "Blagoja 'Billy' Celeski (30) said \"no\", didn't he?"
    start = d.text.index("'Billy'")
    assert d.surface(start, start + len("'Billy' Celeski (30)")) == "` Billy ' Celeski -LRB- 30 -RRB-"
    start = d.text.index("didn't")
    assert d.surface(start + 3, start + 6) == "n't"
