"""Constraints and whole payloads: values generated valid are accepted (and cleaning them again
changes nothing), values generated invalid are rejected with the right pointer and code."""

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from klasses.schema import compile_validator, normalize_definitions

NUMBER = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
SOME = settings(max_examples=150, deadline=None)
FEW = settings(max_examples=60, deadline=None)

clean_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
words = st.text(alphabet=clean_chars, min_size=1, max_size=12)


def validator(raw):
    defs, errors = normalize_definitions(raw)
    assert not errors, errors
    return compile_validator(defs)


def accepts(v, payload, **kwargs):
    result = v.validate(payload, **kwargs)
    assert result.errors == [], result.errors
    again = v.validate(result.cleaned, **kwargs)
    assert again.errors == [] and again.cleaned == result.cleaned
    return result.cleaned


def codes(v, payload, **kwargs):
    return {(e.pointer, e.code) for e in v.validate(payload, **kwargs).errors}


def rejects(v, payload, pointer, code, **kwargs):
    found = codes(v, payload, **kwargs)
    assert (pointer, code) in found, found


# enum


@SOME
@given(st.lists(words, min_size=1, max_size=8, unique=True), st.data())
def test_str_enum_accepts_members_only(members, data):
    v = validator({"tierStr": {"enum": members}})
    assert accepts(v, {"tierStr": data.draw(st.sampled_from(members))})
    other = data.draw(words.filter(lambda w: w not in members))
    rejects(v, {"tierStr": other}, "/custom/tierStr", "enum")


@SOME
@given(st.lists(st.integers(-100, 100), min_size=1, max_size=8, unique=True), st.data())
def test_num_enum_accepts_members_only(members, data):
    v = validator({"levelNum": {"enum": members}})
    accepts(v, {"levelNum": data.draw(st.sampled_from(members))})
    other = data.draw(st.integers(-200, 200).filter(lambda n: n not in members))
    rejects(v, {"levelNum": other}, "/custom/levelNum", "enum")
    # a number written as a string is that number; any other string is not a number
    assert accepts(v, {"levelNum": str(members[0])}) == {"levelNum": members[0]}
    rejects(v, {"levelNum": f"{members[0]} "}, "/custom/levelNum", "type")


# min / max


@SOME
@given(
    st.one_of(st.none(), st.integers(-1000, 1000)),
    st.one_of(st.none(), st.integers(-1000, 1000)),
    st.one_of(st.integers(-3000, 3000), st.floats(-3000, 3000)),
)
def test_num_bounds(lo, hi, n):
    if lo is not None and hi is not None and lo > hi:
        lo, hi = hi, lo
    v = validator({"aNum": {"min": lo, "max": hi}})
    if lo is not None and n < lo:
        rejects(v, {"aNum": n}, "/custom/aNum", "min")
    elif hi is not None and n > hi:
        rejects(v, {"aNum": n}, "/custom/aNum", "max")
    else:
        assert accepts(v, {"aNum": n})["aNum"] == n


# minLength / maxLength


@SOME
@given(st.sampled_from(["codeStr", "noteTxt"]), st.integers(0, 20), st.integers(0, 20), words)
def test_lengths(name, lo, hi, s):
    lo, hi = min(lo, hi), max(lo, hi)
    v = validator({name: {"minLength": lo, "maxLength": hi}})
    if len(s) < lo:
        rejects(v, {name: s}, f"/custom/{name}", "min_length")
    elif len(s) > hi:
        rejects(v, {name: s}, f"/custom/{name}", "max_length")
    else:
        accepts(v, {name: s})


def test_an_empty_string_clears_rather_than_failing_min_length():
    v = validator({"codeStr": {"minLength": 3}})
    assert v.validate({"codeStr": ""}).cleaned == {"codeStr": None}


# multi-select and arrays


@SOME
@given(st.lists(st.sampled_from(["S", "M", "L", "XL"]), unique=True))
def test_multi_select_accepts_distinct_members(values):
    v = validator({"sizesStr": {"enum": ["S", "M", "L", "XL"], "multi": True}})
    assert accepts(v, {"sizesStr": values})["sizesStr"] == values


@SOME
@given(st.lists(st.sampled_from(["S", "M"]), min_size=1, unique=True), st.data())
def test_multi_select_points_at_the_repeat(values, data):
    repeat = data.draw(st.sampled_from(values))
    v = validator({"sizesStr": {"enum": ["S", "M"], "multi": True}})
    rejects(v, {"sizesStr": [*values, repeat]}, f"/custom/sizesStr/{len(values)}", "duplicate")


@SOME
@given(st.lists(st.sampled_from([1, 2, 3]), unique=True), st.integers(4, 50))
def test_multi_select_points_at_a_non_member(values, bad):
    v = validator({"slotsNum": {"enum": [1, 2, 3], "multi": True}})
    accepts(v, {"slotsNum": values})
    rejects(v, {"slotsNum": [*values, bad]}, f"/custom/slotsNum/{len(values)}", "enum")


@SOME
@given(
    st.lists(st.integers(0, 10), max_size=5), st.lists(st.integers(11, 99), min_size=1, max_size=3)
)
def test_arrays_report_every_bad_index(good, bad):
    v = validator({"scoresNum": {"array": True, "max": 10}})
    accepts(v, {"scoresNum": good})
    found = codes(v, {"scoresNum": good + bad})
    assert found == {(f"/custom/scoresNum/{len(good) + i}", "max") for i in range(len(bad))}


@SOME
@given(st.one_of(st.integers(), st.text(min_size=1), st.dictionaries(st.text(), st.integers())))
def test_arrays_must_be_lists(x):
    rejects(validator({"tagsStr": {"array": True}}), {"tagsStr": x}, "/custom/tagsStr", "type")


def test_array_items_may_not_be_null():
    rejects(
        validator({"tagsStr": {"array": True}}),
        {"tagsStr": ["a", None]},
        "/custom/tagsStr/1",
        "type",
    )


def test_arrays_of_at_are_normalised_item_by_item():
    v = validator({"datesAt": {"array": True}})
    assert accepts(v, {"datesAt": ["2026-01-02", "2026-01-02T10:00:00+01:00"]})["datesAt"] == [
        "2026-01-02T00:00:00.000Z",
        "2026-01-02T09:00:00.000Z",
    ]


# Tree with nodes

ids = st.sampled_from(["a", "b", "c", "d"])


def trees(depth=1):
    if depth > 4:
        return st.just([])
    return st.lists(ids, max_size=3, unique=True).flatmap(
        lambda level: st.tuples(*[trees(depth + 1) for _ in level]).map(
            lambda kids: [
                {"id": node_id, "children": children}
                for node_id, children in zip(level, kids, strict=True)
            ]
        )
    )


def all_paths(nodes, prefix=()):
    for node in nodes:
        path = (*prefix, node["id"])
        yield path, not node["children"]
        yield from all_paths(node["children"], path)


@FEW
@given(trees().filter(bool), st.booleans(), st.data())
def test_tree_accepts_paths_through_its_nodes(nodes, last_required, data):
    v = validator({"catTree": {"tree": {"nodes": nodes, "lastNodeRequired": last_required}}})
    paths = list(all_paths(nodes))
    path, leaf = data.draw(st.sampled_from(paths))
    value = data.draw(st.sampled_from([".".join(path), list(path)]))
    if last_required and not leaf:
        rejects(v, {"catTree": value}, "/custom/catTree", "leaf_required")
    else:
        assert accepts(v, {"catTree": value})["catTree"] == ".".join(path)


@FEW
@given(trees().filter(bool), st.lists(ids, min_size=1, max_size=5))
def test_tree_rejects_paths_that_leave_its_nodes(nodes, path):
    known = {p for p, _ in all_paths(nodes)}
    v = validator({"catTree": {"tree": {"nodes": nodes}}})
    if tuple(path) in known:
        accepts(v, {"catTree": ".".join(path)})
    else:
        rejects(v, {"catTree": ".".join(path)}, "/custom/catTree", "enum")


# Obj with typed properties

OBJ = {
    "itemObj": {
        "properties": {
            "sku": {"type": "Str", "required": True},
            "qty": {"type": "Num"},
            "shippedAt": {"type": "At"},
            "tags": {"type": "Str", "array": True},
        }
    }
}


@SOME
@given(
    st.text(alphabet="ABC-123", min_size=1, max_size=10),
    st.one_of(st.none(), st.integers(0, 99)),
    st.sampled_from([None, "2026-01-02", "2026-01-02T10:00:00+01:00"]),
    st.lists(st.text(alphabet="xyz", max_size=3), max_size=3),
    st.dictionaries(
        st.sampled_from(["note", "gift"]),
        st.one_of(st.text(alphabet="ab", max_size=3), st.booleans()),
    ),
)
def test_obj_properties_are_typed(sku, qty, shipped, tags, extra):
    value = {**extra, "sku": sku, "qty": qty, "shippedAt": shipped, "tags": tags}
    cleaned = accepts(validator(OBJ), {"itemObj": value})["itemObj"]
    if shipped:
        assert cleaned["shippedAt"].endswith("Z")


@SOME
@given(
    st.one_of(st.text(min_size=1).filter(lambda t: not NUMBER.fullmatch(t)), st.booleans()),
    st.sampled_from(["tomorrow", 5]),
    st.integers(0, 3),
)
def test_obj_property_errors_point_inside(qty, shipped, tag):
    v = validator(OBJ)
    found = codes(v, {"itemObj": {"qty": qty, "shippedAt": shipped, "tags": ["a"] * tag + [7]}})
    assert found == {
        ("/custom/itemObj/sku", "required"),
        ("/custom/itemObj/qty", "type"),
        ("/custom/itemObj/shippedAt", "format" if shipped == "tomorrow" else "type"),
        (f"/custom/itemObj/tags/{tag}", "type"),
    }


# whole payloads

DEFS = {
    "tierStr": {"enum": ["bronze", "silver", "gold"], "default": "bronze"},
    "notesTxt": {},
    "scoreNum": {"min": 0, "max": 100},
    "renewsAt": {},
    "vipBool": {"default": False},
    "siteUrl": {},
    "crmId": {"required": True},
    "addressObj": {},
    "planTree": {"tree": {"nodes": [{"id": "pro", "children": [{"id": "monthly"}]}]}},
    "tagsStr": {"array": True},
}
GOOD = {
    "tierStr": st.sampled_from(["bronze", "silver", "gold"]),
    "notesTxt": st.text(alphabet="abc \n", max_size=40),
    "scoreNum": st.integers(0, 100),
    "renewsAt": st.sampled_from(["2026-01-02", "2026-01-02T03:04:05Z"]),
    "vipBool": st.booleans(),
    "siteUrl": st.sampled_from(["https://example.com", "http://a.io/x?y=1"]),
    "crmId": st.one_of(st.integers(1, 10**9), st.text(alphabet="abc123", min_size=1, max_size=9)),
    "addressObj": st.dictionaries(
        st.sampled_from(["city", "zip"]), st.text(alphabet="ab1", max_size=5)
    ),
    "planTree": st.sampled_from(["pro", "pro.monthly", ["pro", "monthly"]]),
    "tagsStr": st.lists(st.text(alphabet="xyz", max_size=4), max_size=3),
}
BAD = {
    "tierStr": st.sampled_from(["platinum", 3]),
    "notesTxt": st.text(alphabet="x", min_size=1025, max_size=1030),
    "scoreNum": st.sampled_from([-1, 101, "five", "5 ", True]),
    "renewsAt": st.sampled_from(["soon", 17]),
    "vipBool": st.sampled_from(["yes", 1]),
    "siteUrl": st.sampled_from(["example.com", "ftp://x.io"]),
    "crmId": st.sampled_from([1.5, True, "x" * 256]),
    "addressObj": st.sampled_from([[1], {"a": {"b": 1}}, "Lisbon"]),
    "planTree": st.sampled_from(["basic", "pro.yearly", 3]),
    "tagsStr": st.sampled_from(["solo", [1]]),
}
V = validator(DEFS)


@SOME
@given(st.data())
def test_every_bad_attribute_is_reported_at_once(data):
    role = {n: data.draw(st.sampled_from(["good", "bad", "absent"])) for n in sorted(GOOD)}
    good = {n for n, r in role.items() if r == "good"}
    bad = {n for n, r in role.items() if r == "bad"}
    payload = {name: data.draw(GOOD[name]) for name in good}
    payload |= {name: data.draw(BAD[name]) for name in bad}
    result = V.validate(payload)
    assert {e.pointer.split("/")[2] for e in result.errors} == bad
    assert all(e.pointer.startswith("/custom/") and e.code and e.detail for e in result.errors)
    if not bad:
        assert set(result.cleaned) == good
        assert V.validate(result.cleaned).cleaned == result.cleaned


@FEW
@given(st.data())
def test_the_pointer_prefix_is_the_callers(data):
    name = data.draw(st.sampled_from(sorted(BAD)))
    result = V.validate({name: data.draw(BAD[name])}, pointer="/data")
    assert result.errors and all(e.pointer.startswith(f"/data/{name}") for e in result.errors)


@SOME
@given(st.sets(st.sampled_from(sorted(GOOD))), st.sampled_from([None, ""]))
def test_null_and_empty_string_clear_values(names, empty):
    names.discard("crmId")
    result = V.validate(dict.fromkeys(names, empty))
    assert result.errors == [] and result.cleaned == dict.fromkeys(names)


def test_required_forbids_clearing_but_not_leaving_out():
    assert codes(V, {"crmId": None}) == {("/custom/crmId", "required")}
    assert codes(V, {"crmId": ""}) == {("/custom/crmId", "required")}
    assert codes(V, {"notesTxt": "hi"}) == set()


def test_creating_applies_defaults_and_requires():
    result = V.validate({"vipBool": True}, creating=True)
    assert [(e.pointer, e.code) for e in result.errors] == [("/custom/crmId", "required")]
    assert result.cleaned == {"vipBool": True, "tierStr": "bronze"}
    result = V.validate({"crmId": 7, "tierStr": None}, creating=True)
    assert result.errors == [] and result.cleaned == {
        "crmId": "7",
        "tierStr": None,
        "vipBool": False,
    }


def test_a_full_replacement_requires_without_defaults():
    result = V.validate({"notesTxt": "x"}, partial=False)
    assert [(e.pointer, e.code) for e in result.errors] == [("/custom/crmId", "required")]
    assert result.cleaned == {"notesTxt": "x"}


def test_a_required_list_may_not_be_empty():
    v = validator({"sizesStr": {"enum": ["S", "M"], "multi": True, "required": True}})
    rejects(v, {"sizesStr": []}, "/custom/sizesStr", "required")
    accepts(v, {"sizesStr": ["S"]})


def test_mutable_defaults_are_not_shared():
    v = validator({"tagsStr": {"array": True, "default": ["a"]}})
    first = v.validate({}, creating=True).cleaned["tagsStr"]
    first.append("b")
    assert v.validate({}, creating=True).cleaned["tagsStr"] == ["a"]


@SOME
@given(
    st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True),
    st.sampled_from(
        [
            ("Str", "red", "red"),
            ("Num", 2.5, 2.5),
            ("Id", 42, "42"),
            ("At", "2026-01-02", "2026-01-02T00:00:00.000Z"),
        ]
    ),
)
def test_undefined_attributes_are_checked_by_suffix_and_reported(base, case):
    suffix, value, stored = case
    name = base + suffix
    result = compile_validator({}).validate({name: value})
    assert result.errors == [] and result.cleaned == {name: stored}
    assert result.undefined == {name: suffix}


@SOME
@given(
    st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True),
    st.sampled_from(
        [
            ("Num", "many", "type"),
            ("Bool", "yes", "type"),
            ("Url", "x", "format"),
            ("Str", ["a"], "type"),
        ]
    ),
)
def test_undefined_attributes_with_bad_values_are_errors(base, case):
    suffix, value, code = case
    name = base + suffix
    result = compile_validator({}).validate({name: value})
    assert [(e.pointer, e.code) for e in result.errors] == [(f"/custom/{name}", code)]
    assert result.undefined == {}


@SOME
@given(
    st.text(min_size=1, max_size=12).filter(
        lambda s: not s.endswith(("Str", "Txt", "Num", "At", "Bool", "Url", "Id", "Obj", "Tree"))
    )
)
def test_names_without_a_type_are_errors(name):
    result = compile_validator({}).validate({name: 1})
    escaped = name.replace("~", "~0").replace("/", "~1")
    assert [(e.pointer, e.code) for e in result.errors] == [(f"/custom/{escaped}", "unknown_type")]


def test_the_payload_must_be_an_object():
    assert codes(V, ["crmId"]) == {("/custom", "type")}
    assert V.validate(None).errors == []
