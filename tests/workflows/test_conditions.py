"""Every condition operator on dotted paths, `changed`/`changed_to`, nested and/or; and the
checks that name each bad condition."""

import pytest

from workflows.conditions import check, matches

PAYLOAD = {
    "data": {
        "attributes": {
            "status": "open",
            "priority": 4,
            "tags": ["vip", "billing"],
            "email": "Ada@Shop.test",
            "createdAt": "2026-05-01T10:00:00.000Z",
            "empty": "",
            "custom": {"tierStr": "gold", "totalNum": "12.5"},
        },
        "items": [{"sku": "A1"}],
    },
    "changes": {"attributes": {"status": {"op": "replace", "before": "snoozed", "after": "open"}}},
}


def leaf(field, op, value=None, **kw):
    node = {"field": field, "op": op}
    if value is not None or kw.get("with_value"):
        node["value"] = value
    return node


A = "data.attributes."


@pytest.mark.parametrize(
    "node, expected",
    [
        (leaf(A + "status", "equals", "open"), True),
        (leaf(A + "status", "equals", "done"), False),
        (leaf(A + "priority", "equals", "4"), True),  # a number sent as text
        (leaf(A + "tags", "equals", "vip"), True),  # a list holds it
        (leaf(A + "status", "not_equals", "done"), True),
        (leaf(A + "missing", "not_equals", "x"), True),
        (leaf(A + "tags", "not_equals", "vip"), False),
        (leaf(A + "email", "contains", "shop"), True),  # ignoring case
        (leaf(A + "tags", "contains", "BILLING"), True),
        (leaf(A + "email", "contains", "nope"), False),
        (leaf(A + "email", "starts_with", "ada@"), True),
        (leaf(A + "email", "starts_with", "bea"), False),
        (leaf(A + "priority", "gt", 3), True),
        (leaf(A + "priority", "gt", 4), False),
        (leaf(A + "priority", "gte", 4), True),
        (leaf(A + "priority", "lt", 5), True),
        (leaf(A + "priority", "lte", 3), False),
        (leaf(A + "custom.totalNum", "gt", 12), True),  # numeric text compares as a number
        (leaf(A + "createdAt", "gte", "2026-01-01"), True),  # ISO dates compare as text
        (leaf(A + "createdAt", "lt", "2026-01-01"), False),
        (leaf(A + "status", "gt", 3), False),  # text against a number: no
        (leaf(A + "status", "in", ["open", "snoozed"]), True),
        (leaf(A + "status", "in", ["done"]), False),
        (leaf(A + "tags", "in", ["x", "vip"]), True),
        (leaf(A + "custom.tierStr", "exists"), True),
        (leaf(A + "empty", "exists"), False),
        (leaf(A + "nothing", "exists", False), True),
        (leaf("data.items.0.sku", "equals", "A1"), True),
        (leaf("data.items.5.sku", "equals", "A1"), False),
        (leaf(A + "status", "changed"), True),
        (leaf("status", "changed"), True),
        (leaf("changes.attributes.status", "changed"), True),
        (leaf(A + "priority", "changed"), False),
        (leaf(A + "priority", "changed", False), True),
        (leaf(A + "status", "changed_to", "open"), True),
        (leaf(A + "status", "changed_to", "done"), False),
    ],
)
def test_each_operator(node, expected):
    assert check(node) == []
    assert matches(node, PAYLOAD) is expected


def test_and_or_nest():
    yes = leaf(A + "status", "equals", "open")
    no = leaf(A + "status", "equals", "done")
    assert matches({"and": [yes, {"or": [no, yes]}]}, PAYLOAD)
    assert not matches({"and": [yes, {"or": [no, no]}]}, PAYLOAD)
    assert matches({"or": [no, {"and": [yes, yes]}]}, PAYLOAD)
    assert matches({}, PAYLOAD)
    # both keys: both must hold
    assert not matches({"and": [yes], "or": [no]}, PAYLOAD)


def test_bad_conditions_are_named():
    errors = check(
        {
            "and": [
                {"field": "a..b", "op": "equals", "value": 1},
                {"field": "a", "op": "gt", "value": True},
                {"field": "a", "op": "exists", "value": "yes"},
                {"field": "a", "op": "changed_to"},
                {"or": []},
                "text",
            ],
            "not": [],
        }
    )
    pointers = {e.pointer for e in errors}
    assert pointers == {
        "/conditions/not",
        "/conditions/and/0/field",
        "/conditions/and/1/value",
        "/conditions/and/2/value",
        "/conditions/and/3/value",
        "/conditions/and/4/or",
        "/conditions/and/5",
    }


def test_depth_and_size_are_limited():
    node = leaf("a", "exists")
    for _ in range(12):
        node = {"and": [node]}
    assert any(e.code == "too_deep" for e in check(node))
    many = {"or": [leaf("a", "exists")] * 101}
    assert any(e.code == "too_many" for e in check(many))
