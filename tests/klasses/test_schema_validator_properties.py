"""Property tests: values generated valid are accepted (and cleaning is idempotent), values
generated invalid are rejected with the right pointer and code."""

import math
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from klasses.schema import compile_validator, normalize_definitions

settings.register_profile("kdesk", max_examples=120, deadline=None)
settings.load_profile("kdesk")


def validator(raw):
    defs, errors = normalize_definitions(raw)
    assert not errors, errors
    return compile_validator(defs)


def accepts(v, payload):
    result = v.validate(payload)
    assert result.errors == [], result.errors
    again = v.validate(result.cleaned)
    assert again.errors == [] and again.cleaned == result.cleaned
    return result.cleaned


def rejects(v, payload, pointer, code):
    errors = v.validate(payload).errors
    assert (pointer, code) in {(e.pointer, e.code) for e in errors}, errors


nums = st.one_of(st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False))
not_num = st.one_of(st.text(min_size=1), st.booleans(), st.lists(st.integers(), max_size=2))


@given(st.text(max_size=255))
def test_str_accepts_up_to_255(s):
    accepts(validator({"aStr": {}}), {"aStr": s})


@given(st.text(min_size=256, max_size=400))
def test_str_rejects_longer(s):
    rejects(validator({"aStr": {}}), {"aStr": s}, "/custom/aStr", "max_length")


@given(st.text(max_size=1024))
def test_txt_accepts_up_to_1024(s):
    accepts(validator({"aTxt": {}}), {"aTxt": s})


@given(st.text(min_size=1025, max_size=1100))
def test_txt_rejects_longer(s):
    rejects(validator({"aTxt": {}}), {"aTxt": s}, "/custom/aTxt", "max_length")


@given(nums)
def test_num_accepts_finite_numbers(n):
    accepts(validator({"aNum": {}}), {"aNum": n})


@given(not_num)
def test_num_rejects_non_numbers(x):
    rejects(validator({"aNum": {}}), {"aNum": x}, "/custom/aNum", "type")


def test_num_rejects_nan_and_infinity():
    v = validator({"aNum": {}})
    for bad in (math.nan, math.inf, -math.inf):
        rejects(v, {"aNum": bad}, "/custom/aNum", "type")


@given(st.integers(-1000, 1000), st.integers(-1000, 1000), st.integers(-3000, 3000))
def test_num_min_max(lo, hi, n):
    lo, hi = min(lo, hi), max(lo, hi)
    v = validator({"aNum": {"min": lo, "max": hi}})
    if lo <= n <= hi:
        accepts(v, {"aNum": n})
    else:
        rejects(v, {"aNum": n}, "/custom/aNum", "min" if n < lo else "max")


@given(
    st.datetimes(
        min_value=datetime(1900, 1, 1), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
    )
)
def test_at_accepts_iso_and_normalises_to_utc_z(dt):
    cleaned = accepts(validator({"aAt": {}}), {"aAt": dt.isoformat()})
    assert cleaned["aAt"].endswith("Z")
    assert datetime.fromisoformat(cleaned["aAt"].replace("Z", "+00:00")) == dt.replace(
        microsecond=dt.microsecond // 1000 * 1000
    )


def test_at_converts_offsets_to_utc():
    cleaned = accepts(validator({"aAt": {}}), {"aAt": "2026-01-02T03:04:05+02:00"})
    assert cleaned["aAt"] == "2026-01-02T01:04:05.000Z"


@given(st.text(max_size=30).filter(lambda s: not s[:4].isdigit()))
def test_at_rejects_non_dates(s):
    rejects(validator({"aAt": {}}), {"aAt": s or "x"}, "/custom/aAt", "format")


@given(st.booleans())
def test_bool_accepts_booleans(b):
    accepts(validator({"aBool": {}}), {"aBool": b})


@given(st.one_of(st.integers(), st.text(min_size=1), st.floats(allow_nan=False)))
def test_bool_rejects_everything_else(x):
    rejects(validator({"aBool": {}}), {"aBool": x}, "/custom/aBool", "type")


hosts = st.from_regex(r"[a-z][a-z0-9]{0,10}(\.[a-z]{2,5}){1,2}", fullmatch=True)


@given(
    st.sampled_from(["http", "https"]),
    hosts,
    st.from_regex(r"(/[a-z0-9_-]{0,8}){0,3}", fullmatch=True),
)
def test_url_accepts_absolute_http(scheme, host, path):
    accepts(validator({"aUrl": {}}), {"aUrl": f"{scheme}://{host}{path}"})


@given(
    st.sampled_from(
        ["ftp://x.io/a", "javascript:alert(1)", "/relative", "x.io", "http://", "mailto:a@b.c"]
    )
)
def test_url_rejects_others(u):
    rejects(validator({"aUrl": {}}), {"aUrl": u}, "/custom/aUrl", "format")


@given(st.one_of(st.integers(), st.text(min_size=1, max_size=255)))
def test_id_accepts_strings_and_ints_as_strings(x):
    cleaned = accepts(validator({"aId": {}}), {"aId": x})
    assert cleaned["aId"] == str(x)


@given(
    st.dictionaries(
        st.text(max_size=8),
        st.one_of(st.integers(), st.text(max_size=8), st.booleans()),
        max_size=5,
    )
)
def test_obj_accepts_one_level(d):
    accepts(validator({"aObj": {}}), {"aObj": d})


@given(
    st.dictionaries(
        st.text(max_size=5),
        st.dictionaries(st.text(max_size=3), st.integers(), min_size=1),
        min_size=1,
        max_size=3,
    )
)
def test_obj_rejects_nesting(d):
    rejects(validator({"aObj": {}}), {"aObj": d}, "/custom/aObj", "depth")


def test_obj_properties_are_typed():
    v = validator({"itemsObj": {"properties": {"qty": {"type": "Num", "required": True}}}})
    rejects(v, {"itemsObj": {"qty": "three"}}, "/custom/itemsObj/qty", "type")
    rejects(v, {"itemsObj": {}}, "/custom/itemsObj/qty", "required")


TREE = {
    "tree": {
        "nodes": [
            {"id": "hw", "children": [{"id": "laptop", "children": [{"id": "mac"}]}]},
            {"id": "sw"},
        ],
        "lastNodeRequired": True,
    }
}


@given(st.sampled_from(["hw.laptop.mac", "sw", ["hw", "laptop", "mac"]]))
def test_tree_accepts_leaf_paths(path):
    cleaned = accepts(validator({"catTree": TREE}), {"catTree": path})
    assert isinstance(cleaned["catTree"], str)


@given(st.sampled_from(["hw", "hw.laptop"]))
def test_tree_last_node_required(path):
    rejects(validator({"catTree": TREE}), {"catTree": path}, "/custom/catTree", "leaf_required")


@given(st.text(alphabet="abcxyz", min_size=1, max_size=6))
def test_tree_rejects_unknown_nodes(node):
    rejects(validator({"catTree": TREE}), {"catTree": f"zz{node}"}, "/custom/catTree", "enum")


def test_tree_depth_limit():
    rejects(validator({"catTree": {}}), {"catTree": "a.b.c.d.e.f.g"}, "/custom/catTree", "depth")


@given(st.lists(st.sampled_from(["a", "b", "c"]), unique=True))
def test_multi_select_accepts_unique_members(values):
    accepts(validator({"sizeStr": {"enum": ["a", "b", "c"], "multi": True}}), {"sizeStr": values})


@given(st.lists(st.sampled_from(["a", "b"]), min_size=1).map(lambda x: x + x[:1]))
def test_multi_select_rejects_duplicates(values):
    rejects(
        validator({"sizeStr": {"enum": ["a", "b"], "multi": True}}),
        {"sizeStr": values},
        "/custom/sizeStr",
        "duplicate",
    )


@given(st.text(min_size=1, max_size=5).filter(lambda s: s not in ("a", "b")))
def test_enum_rejects_non_members(x):
    rejects(validator({"tierStr": {"enum": ["a", "b"]}}), {"tierStr": x}, "/custom/tierStr", "enum")


@given(st.lists(st.integers(0, 10), max_size=5), st.integers(11, 99))
def test_arrays_report_the_index(ok, bad):
    v = validator({"scoresNum": {"array": True, "max": 10}})
    accepts(v, {"scoresNum": ok})
    rejects(v, {"scoresNum": [*ok, bad]}, f"/custom/scoresNum/{len(ok)}", "max")


@given(st.integers(0, 20), st.integers(0, 20), st.text(max_size=30))
def test_lengths(lo, hi, s):
    lo, hi = min(lo, hi), max(lo, hi)
    v = validator({"codeStr": {"minLength": lo, "maxLength": hi}})
    if lo <= len(s) <= hi:
        accepts(v, {"codeStr": s} if s else {})
    elif s:
        rejects(v, {"codeStr": s}, "/custom/codeStr", "min_length" if len(s) < lo else "max_length")


def test_every_error_is_reported_at_once():
    v = validator({"aNum": {}, "bBool": {}, "cUrl": {}})
    errors = v.validate({"aNum": "x", "bBool": 1, "cUrl": "nope", "dFoo": 1}).errors
    assert {e.pointer for e in errors} == {
        "/custom/aNum",
        "/custom/bBool",
        "/custom/cUrl",
        "/custom/dFoo",
    }
