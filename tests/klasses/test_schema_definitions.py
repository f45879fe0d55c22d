"""Definition metadata: valid metadata normalises (and normalising again changes nothing), bad
metadata is refused with a pointer that names the key."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from klasses.schema import compile_validator, normalize_definition, normalize_definitions

SOME = settings(max_examples=150, deadline=None)

words = st.text(alphabet="abcdefgh XYZ-", min_size=1, max_size=10).filter(lambda s: s.strip())
colors = st.from_regex(r"#[0-9a-fA-F]{6}", fullmatch=True)
common = st.fixed_dictionaries(
    {},
    optional={
        "displayName": words,
        "description": words,
        "icon": st.sampled_from(["hash", "star", "box"]),
        "color": colors,
        "required": st.booleans(),
        "hidden": st.booleans(),
        "readOnly": st.booleans(),
    },
)


@st.composite
def str_definitions(draw):
    raw = draw(common)
    if draw(st.booleans()):
        members = draw(st.lists(words, min_size=1, max_size=6, unique=True))
        labelled = draw(st.booleans())
        raw["enum"] = (
            [{"value": m, "displayName": m.upper()} for m in members] if labelled else members
        )
        if draw(st.booleans()):
            raw["multi"] = True
            if draw(st.booleans()):
                raw["default"] = draw(st.lists(st.sampled_from(members), unique=True, min_size=1))
        elif draw(st.booleans()):
            raw["default"] = draw(st.sampled_from(members))
        return raw
    lo = draw(st.integers(0, 10))
    hi = draw(st.integers(lo, 255))
    raw |= {"minLength": lo, "maxLength": hi}
    if draw(st.booleans()):
        raw["array"] = True
    if draw(st.booleans()):
        word = draw(st.text(alphabet="ab", min_size=max(lo, 1), max_size=max(lo, 1)))
        if len(word) <= hi:
            raw["default"] = [word] if raw.get("array") else word
    return raw


@st.composite
def num_definitions(draw):
    raw = draw(common)
    lo = draw(st.one_of(st.none(), st.integers(-100, 100), st.floats(-100, 100)))
    hi = draw(st.one_of(st.none(), st.integers(100, 1000), st.floats(100, 1000)))
    if lo is not None:
        raw["min"] = lo
    if hi is not None:
        raw["max"] = hi
    if draw(st.booleans()):
        raw["default"] = 100
    return raw


def tree_nodes(depth=1):
    if depth > 6:
        return st.just([])
    return st.lists(
        st.sampled_from(["a", "b", "c"]), max_size=2 if depth < 4 else 1, unique=True
    ).flatmap(
        lambda level: st.tuples(*[tree_nodes(depth + 1) for _ in level]).map(
            lambda kids: [
                {"id": i, "displayName": i.upper(), "children": k}
                for i, k in zip(level, kids, strict=True)
            ]
        )
    )


@st.composite
def definitions(draw):
    name, raw = draw(
        st.one_of(
            st.tuples(st.just("tierStr"), str_definitions()),
            st.tuples(st.just("notesTxt"), common),
            st.tuples(st.just("scoreNum"), num_definitions()),
            st.tuples(st.just("renewsAt"), common),
            st.tuples(st.just("vipBool"), common),
            st.tuples(st.just("siteUrl"), common),
            st.tuples(st.just("crmId"), common),
            st.tuples(
                st.just("itemObj"),
                common.map(
                    lambda r: (
                        r
                        | {
                            "properties": {
                                "qty": {"type": "Num"},
                                "sku": {"type": "Str", "required": True},
                            }
                        }
                    )
                ),
            ),
            st.tuples(
                st.just("planTree"),
                st.tuples(common, tree_nodes(), st.booleans()).map(
                    lambda t: t[0] | {"tree": {"nodes": t[1], "lastNodeRequired": t[2]}}
                ),
            ),
        )
    )
    return name, raw


@SOME
@given(definitions())
def test_valid_metadata_normalises_to_a_fixed_point(case):
    name, raw = case
    d, errors = normalize_definition(name, raw)
    assert errors == [] and d is not None
    assert d["name"] == name and d["type"] and d["displayName"]
    again, errors = normalize_definition(name, d)
    assert errors == [] and again == d
    compile_validator({name: d})  # and it compiles
    if "default" in d:
        result = compile_validator({name: d}).validate({}, creating=True)
        assert result.cleaned[name] == d["default"]


def test_defaults_when_nothing_is_given():
    d, errors = normalize_definition("orderTotalNum", {})
    assert errors == []
    assert d == {
        "name": "orderTotalNum",
        "type": "Num",
        "displayName": "Order Total",
        "array": False,
        "multi": False,
        "required": False,
        "hidden": False,
        "readOnly": False,
    }
    assert normalize_definition("orderTotalNum", None)[0] == d


def test_enum_objects_become_values_and_labels():
    d, errors = normalize_definition(
        "tierStr",
        {"enum": [{"value": "g", "displayName": "Gold"}, "s"], "enumLabels": {"s": "Silver"}},
    )
    assert errors == []
    assert d["enum"] == ["g", "s"] and d["enumLabels"] == {"g": "Gold", "s": "Silver"}


def test_num_enum_labels_are_keyed_by_the_values_text():
    d, _ = normalize_definition("levelNum", {"enum": [{"value": 1, "displayName": "One"}, 2.5]})
    assert d["enum"] == [1, 2.5] and d["enumLabels"] == {"1": "One"}


def test_tree_nodes_get_display_names_and_children():
    d, errors = normalize_definition("planTree", {"tree": {"nodes": [{"id": "pro"}]}})
    assert errors == []
    assert d["tree"] == {
        "nodes": [{"id": "pro", "displayName": "pro", "children": []}],
        "lastNodeRequired": False,
    }


def test_tree_ids_only_need_to_be_unique_among_siblings():
    nodes = [
        {"id": "basic", "children": [{"id": "monthly"}, {"id": "yearly"}]},
        {"id": "pro", "children": [{"id": "monthly"}, {"id": "yearly"}]},
    ]
    assert normalize_definition("planTree", {"tree": {"nodes": nodes}})[1] == []


def test_color_is_stored_lower_case():
    assert normalize_definition("tierStr", {"color": "#FFAA00"})[0]["color"] == "#ffaa00"


def test_obj_property_types_may_come_from_the_property_name():
    d, errors = normalize_definition(
        "itemObj", {"properties": {"qtyNum": {}, "note": {"type": "Txt"}}}
    )
    assert errors == []
    assert d["properties"]["qtyNum"]["type"] == "Num"
    assert d["properties"]["note"] == {
        "type": "Txt",
        "displayName": "Note",
        "required": False,
        "array": False,
    }


def deep(n):
    node = {"id": "leaf"}
    for _ in range(n - 1):
        node = {"id": "n", "children": [node]}
    return [node]


@pytest.mark.parametrize(
    "name,raw,pointer",
    [
        ("fooBar", {}, "/properties/fooBar"),
        ("aStr", [], "/properties/aStr"),
        ("aStr", {"bogus": 1}, "/properties/aStr/bogus"),
        ("aStr", {"name": "bStr"}, "/properties/aStr/name"),
        ("aStr", {"type": "Num"}, "/properties/aStr/type"),
        ("aStr", {"displayName": 5}, "/properties/aStr/displayName"),
        ("aStr", {"displayName": "x" * 256}, "/properties/aStr/displayName"),
        ("aStr", {"required": "yes"}, "/properties/aStr/required"),
        ("aStr", {"array": 1}, "/properties/aStr/array"),
        ("aStr", {"hidden": "no"}, "/properties/aStr/hidden"),
        ("aStr", {"readOnly": 0}, "/properties/aStr/readOnly"),
        ("aStr", {"icon": 5}, "/properties/aStr/icon"),
        ("aStr", {"color": "red"}, "/properties/aStr/color"),
        ("aStr", {"color": "#12345"}, "/properties/aStr/color"),
        ("aStr", {"min": 1}, "/properties/aStr/min"),
        ("aNum", {"min": "1"}, "/properties/aNum/min"),
        ("aNum", {"max": True}, "/properties/aNum/max"),
        ("aNum", {"min": 5, "max": 1}, "/properties/aNum/min"),
        ("aNum", {"minLength": 1}, "/properties/aNum/minLength"),
        ("aStr", {"maxLength": 256}, "/properties/aStr/maxLength"),
        ("aTxt", {"maxLength": 1025}, "/properties/aTxt/maxLength"),
        ("aStr", {"minLength": -1}, "/properties/aStr/minLength"),
        ("aStr", {"minLength": 1.5}, "/properties/aStr/minLength"),
        ("aStr", {"minLength": 9, "maxLength": 3}, "/properties/aStr/minLength"),
        ("aBool", {"enum": [True]}, "/properties/aBool/enum"),
        ("aStr", {"enum": []}, "/properties/aStr/enum"),
        ("aStr", {"enum": "a,b"}, "/properties/aStr/enum"),
        ("aStr", {"enum": ["a", "a"]}, "/properties/aStr/enum/1"),
        ("aStr", {"enum": ["a", 1]}, "/properties/aStr/enum/1"),
        ("aStr", {"enum": ["a", ""]}, "/properties/aStr/enum/1"),
        ("aNum", {"enum": [1, 50], "max": 10}, "/properties/aNum/enum/1"),
        ("aStr", {"enum": [{"value": "a", "label": "A"}]}, "/properties/aStr/enum/0"),
        ("aStr", {"enum": ["a"], "enumLabels": {"b": "B"}}, "/properties/aStr/enumLabels/b"),
        ("aStr", {"enumLabels": {"a": "A"}}, "/properties/aStr/enumLabels"),
        ("aAt", {"multi": True}, "/properties/aAt/multi"),
        ("aTree", {"multi": True}, "/properties/aTree/multi"),
        ("aBool", {"lastNodeRequired": True}, "/properties/aBool/lastNodeRequired"),
        ("aTree", {"lastNodeRequired": "y"}, "/properties/aTree/lastNodeRequired"),
        (
            "aTree",
            {"lastNodeRequired": True, "tree": {"lastNodeRequired": False}},
            "/properties/aTree/lastNodeRequired",
        ),
        ("aNum", {"default": "x"}, "/properties/aNum/default"),
        ("aStr", {"enum": ["a"], "default": "b"}, "/properties/aStr/default"),
        ("aStr", {"array": True, "default": "a"}, "/properties/aStr/default"),
        (
            "aStr",
            {"enum": ["a", "b"], "multi": True, "default": ["a", "a"]},
            "/properties/aStr/default/1",
        ),
        ("aStr", {"tree": {"nodes": []}}, "/properties/aStr/tree"),
        ("aTree", {"tree": []}, "/properties/aTree/tree"),
        ("aTree", {"tree": {"nodes": {}}}, "/properties/aTree/tree/nodes"),
        ("aTree", {"tree": {"leaves": []}}, "/properties/aTree/tree/leaves"),
        ("aTree", {"tree": {"lastNodeRequired": "y"}}, "/properties/aTree/tree/lastNodeRequired"),
        (
            "aTree",
            {"tree": {"nodes": [{"id": "a"}, {"id": "a"}]}},
            "/properties/aTree/tree/nodes/1/id",
        ),
        ("aTree", {"tree": {"nodes": [{"id": "a.b"}]}}, "/properties/aTree/tree/nodes/0/id"),
        ("aTree", {"tree": {"nodes": [{"id": ""}]}}, "/properties/aTree/tree/nodes/0/id"),
        ("aTree", {"tree": {"nodes": ["a"]}}, "/properties/aTree/tree/nodes/0"),
        (
            "aTree",
            {"tree": {"nodes": [{"id": "a", "kids": []}]}},
            "/properties/aTree/tree/nodes/0/kids",
        ),
        (
            "aTree",
            {"tree": {"nodes": deep(7)}},
            "/properties/aTree/tree/nodes/0/children/0/children/0/children/0/children/0/children/0/children",
        ),
        ("aTree", {"tree": {"nodes": [{"id": "a"}]}, "default": "b"}, "/properties/aTree/default"),
        ("aStr", {"properties": {}}, "/properties/aStr/properties"),
        ("aObj", {"properties": []}, "/properties/aObj/properties"),
        ("aObj", {"properties": {"x": {"type": "Obj"}}}, "/properties/aObj/properties/x/type"),
        ("aObj", {"properties": {"x": {}}}, "/properties/aObj/properties/x/type"),
        (
            "aObj",
            {"properties": {"x": {"type": "Num", "min": 1}}},
            "/properties/aObj/properties/x/min",
        ),
        ("aObj", {"properties": {"x": "Num"}}, "/properties/aObj/properties/x"),
        ("aObj", {"default": {"a": {"b": 1}}}, "/properties/aObj/default/a"),
    ],
)
def test_bad_metadata_is_named_by_its_key(name, raw, pointer):
    d, errors = normalize_definition(name, raw)
    assert d is None
    assert pointer in {e.pointer for e in errors}, errors


def test_a_six_level_tree_is_fine():
    assert normalize_definition("aTree", {"tree": {"nodes": deep(6)}})[1] == []


def test_every_problem_in_a_definition_is_reported():
    _, errors = normalize_definition(
        "aNum", {"min": "x", "color": "red", "bogus": 1, "required": "y", "enum": []}
    )
    assert {e.pointer.rsplit("/", 1)[1] for e in errors} == {
        "min",
        "color",
        "bogus",
        "required",
        "enum",
    }


def test_a_map_of_definitions_keeps_the_good_ones_and_reports_the_bad():
    defs, errors = normalize_definitions({"aStr": {}, "bNum": {"min": "x"}, "weird": {}})
    assert list(defs) == ["aStr"]
    assert {e.pointer for e in errors} == {"/properties/bNum/min", "/properties/weird"}
    assert normalize_definitions([])[1][0].pointer == "/properties"


def test_stored_definitions_round_trip_through_the_api_shape():
    stored, _ = normalize_definitions(
        {
            "sizesStr": {"enum": [{"value": "S", "displayName": "Small"}, "M"], "multi": True},
            "itemObj": {"properties": {"qty": {"type": "Num"}}},
        }
    )
    again, errors = normalize_definitions(stored)
    assert errors == [] and again == stored
