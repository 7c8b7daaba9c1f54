"""The supersession rule every store applies (graphmem.store._rows.supersessions), without a store."""

from graphmem.store._rows import supersede_queries, supersessions


def row(fid, mode, *, pred="live_in", obj="Berlin", polarity=True, predicates=("live_in",), later=("",),
        time="2024-05-01", subject="e:alice", object_=""):
    return {"id": fid, "namespace": "ns", "stamp": time, "time": time, "later": list(later), "mode": mode,
            "predicates": list(predicates), "object": object_, "subject_id": subject, "fact_predicate": pred,
            "fact_object": obj, "polarity": polarity}


def fact(fid, *, pred="live_in", obj="Paris", polarity=True, valid_from=None):
    return {"id": fid, "predicate": pred, "object": obj, "polarity": polarity, "valid_from": valid_from}


def test_slot_replaces_another_value_of_a_functional_predicate():
    cands = {"e:alice": [fact("old"), fact("same", obj="berlin"), fact("new")]}
    assert supersessions([row("new", "slot")], cands) == [{"id": "new", "old": "old", "stamp": "2024-05-01"}]


def test_negation_needs_the_same_claim_with_the_other_polarity():
    cands = {"e:alice": [fact("yes", pred="like", obj="jazz"), fact("other", pred="like", obj="rock")]}
    out = supersessions([row("no", "negation", pred="like", obj="Jazz", polarity=False)], cands)
    assert [p["old"] for p in out] == ["yes"]


def test_a_fact_said_later_or_valid_later_or_about_someone_else_is_kept():
    cands = {"e:alice": [fact("after"), fact("future", valid_from="2030-01-01")], "e:bob": [fact("bob")]}
    assert supersessions([row("new", "slot", later=("after",))], cands) == []


def test_rows_apply_in_order_and_a_superseded_fact_is_no_candidate_again():
    cands = {"e:alice": [fact("paris"), fact("rome", obj="Rome")]}
    rows = [row("rome", "slot", obj="Rome", later=("berlin",)), row("berlin", "slot")]
    out = supersessions(rows, cands)
    assert [(p["id"], p["old"]) for p in out] == [("rome", "paris"), ("berlin", "rome")]


def test_end_and_change_modes():
    cands = {"e:alice": [fact("job", pred="work_at", obj="Acme"), fact("hobby", pred="play", obj="chess")]}
    end = row("quit", "end", pred="quit", obj="job", predicates=("work_at",))
    assert [p["old"] for p in supersessions([end], cands)] == ["job"]
    change = row("now", "change", pred="play", obj="go", predicates=("",))
    assert [p["old"] for p in supersessions([change], cands)] == ["hobby"]
    assert supersede_queries([end, change]) == {"e:alice": ["play", "quit", "work_at"]}
