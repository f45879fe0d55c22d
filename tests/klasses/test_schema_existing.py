"""Refusing definition changes that stored rows would violate."""

from hypothesis import given, settings
from hypothesis import strategies as st

from klasses.schema import check_existing, compile_validator, normalize_definitions, violations


def defs(raw):
    out, errors = normalize_definitions(raw)
    assert not errors, errors
    return out


OLD = defs({"tierStr": {}, "scoreNum": {}, "siteUrl": {}})


def test_it_returns_the_rows_the_new_definitions_reject():
    new = defs({"tierStr": {"enum": ["gold", "silver"]}, "scoreNum": {"max": 10}, "siteUrl": {}})
    rows = [
        (1, {"tierStr": "gold", "scoreNum": 3}),
        (2, {"tierStr": "iron"}),
        (3, {"scoreNum": 11}),
        (4, {}),
        (5, {"tierStr": None}),
    ]
    assert check_existing(OLD, new, rows) == [2, 3]


def test_rows_already_off_on_an_untouched_attribute_do_not_block_a_change():
    new = {**OLD, **defs({"scoreNum": {"max": 10}})}
    rows = [(1, {"siteUrl": "not a url", "scoreNum": 5}), (2, {"scoreNum": 50})]
    assert check_existing(OLD, new, rows) == [2]


def test_removing_or_keeping_definitions_breaks_nothing():
    rows = [(1, {"tierStr": "x", "scoreNum": 1e9})]
    assert check_existing(OLD, {}, rows) == []
    assert check_existing(OLD, OLD, rows) == []


def test_new_required_attributes_do_not_break_rows_that_lack_them():
    new = {**OLD, **defs({"crmId": {"required": True}})}
    assert check_existing(OLD, new, [(1, {}), (2, {"crmId": None})]) == [2]


def test_violations_checks_whole_rows_with_any_validator():
    v = compile_validator(defs({"scoreNum": {"min": 0}}))
    rows = iter([("a", {"scoreNum": -1}), ("b", {"scoreNum": 1}), ("c", {"weird": 1}), ("d", None)])
    assert violations(v, rows) == ["a", "c"]


@settings(max_examples=100, deadline=None)
@given(
    st.integers(0, 50),
    st.lists(st.one_of(st.none(), st.integers(-10, 100)), max_size=30),
)
def test_it_agrees_with_validating_each_row(limit, scores):
    new = {**OLD, **defs({"scoreNum": {"max": limit}})}
    rows = [(i, {} if s is None else {"scoreNum": s}) for i, s in enumerate(scores)]
    expected = [i for i, s in enumerate(scores) if s is not None and s > limit]
    assert check_existing(OLD, new, rows) == expected
    assert violations(compile_validator(new), rows) == expected
