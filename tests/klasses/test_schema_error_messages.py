"""The exact words of every error: API clients and agents read them."""

import pytest

from klasses.schema import compile_validator, normalize_definition, normalize_definitions

DEFS, _ = normalize_definitions(
    {
        "codeStr": {"minLength": 2, "maxLength": 4},
        "nameStr": {},
        "notesTxt": {},
        "scoreNum": {"min": 0, "max": 10},
        "tierStr": {"enum": ["bronze", "gold"]},
        "renewsAt": {},
        "vipBool": {},
        "siteUrl": {},
        "crmId": {"required": True},
        "itemObj": {"properties": {"qty": {"type": "Num", "required": True}}},
        "planTree": {
            "tree": {
                "nodes": [{"id": "pro", "children": [{"id": "monthly"}]}],
                "lastNodeRequired": True,
            }
        },
        "pathTree": {},
        "sizesStr": {"enum": ["S", "M"], "multi": True},
        "tagsStr": {"array": True},
    }
)
V = compile_validator(DEFS)


@pytest.mark.parametrize(
    "name,value,pointer,code,detail",
    [
        ("codeStr", "a", "codeStr", "min_length", "must be at least 2 characters."),
        ("codeStr", "abcde", "codeStr", "max_length", "must be at most 4 characters."),
        (
            "nameStr",
            "x" * 256,
            "nameStr",
            "max_length",
            "must be at most 255 characters (256 given).",
        ),
        ("nameStr", 1, "nameStr", "type", "must be a string."),
        (
            "nameStr",
            "a\x00",
            "nameStr",
            "format",
            "must not contain NUL characters or unpaired surrogates.",
        ),
        (
            "notesTxt",
            "x" * 1025,
            "notesTxt",
            "max_length",
            "must be at most 1024 characters (1025 given).",
        ),
        ("scoreNum", -1, "scoreNum", "min", "must be at least 0."),
        ("scoreNum", 11, "scoreNum", "max", "must be at most 10."),
        ("scoreNum", "one", "scoreNum", "type", "must be a number."),
        ("scoreNum", float("nan"), "scoreNum", "type", "must be a finite number."),
        ("tierStr", "iron", "tierStr", "enum", "must be one of: bronze, gold."),
        (
            "renewsAt",
            "soon",
            "renewsAt",
            "format",
            "must be an ISO-8601 date-time such as 2026-01-31T09:30:00Z.",
        ),
        ("renewsAt", 5, "renewsAt", "type", "must be an ISO-8601 date-time string."),
        ("vipBool", "yes", "vipBool", "type", "must be true or false."),
        (
            "siteUrl",
            "x.io",
            "siteUrl",
            "format",
            "must be an absolute http or https URL with a host.",
        ),
        (
            "siteUrl",
            "h" * 2049,
            "siteUrl",
            "max_length",
            "must be at most 2048 characters (2049 given).",
        ),
        ("crmId", 1.5, "crmId", "type", "must be a string or an integer."),
        ("crmId", "x" * 256, "crmId", "max_length", "must be at most 255 characters (256 given)."),
        ("crmId", None, "crmId", "required", "is required."),
        ("itemObj", [], "itemObj", "type", "must be an object."),
        (
            "itemObj",
            {"qty": 1, "x": {"y": 1}},
            "itemObj/x",
            "depth",
            "must be a scalar or a list of scalars: an Obj is one level.",
        ),
        (
            "itemObj",
            {"qty": 1, "x": [[1]]},
            "itemObj/x/0",
            "depth",
            "must be a scalar or a list of scalars: an Obj is one level.",
        ),
        ("itemObj", {"qty": 1, "x": float("inf")}, "itemObj/x", "type", "must be a finite number."),
        (
            "itemObj",
            {"qty": 1, "x": object()},
            "itemObj/x",
            "type",
            "must be a string, number, boolean or null.",
        ),
        ("itemObj", {}, "itemObj/qty", "required", "is required."),
        ("itemObj", {"qty": "x"}, "itemObj/qty", "type", "must be a number."),
        (
            "planTree",
            "pro",
            "planTree",
            "leaf_required",
            "must end at a leaf node (lastNodeRequired).",
        ),
        (
            "planTree",
            "basic",
            "planTree",
            "enum",
            "must be a path through the tree's nodes; 'basic' is not one (choices at the top: pro).",
        ),
        (
            "planTree",
            "pro.yearly",
            "planTree",
            "enum",
            "must be a path through the tree's nodes; 'pro.yearly' is not one (choices under 'pro': monthly).",
        ),
        (
            "pathTree",
            "a.b.c.d.e.f.g",
            "pathTree",
            "depth",
            "may be at most 6 levels deep (7 given).",
        ),
        ("pathTree", "a..b", "pathTree", "format", "has an empty node id."),
        ("pathTree", ["a.b"], "pathTree", "format", "a node id may not contain '.'."),
        (
            "pathTree",
            5,
            "pathTree",
            "type",
            "must be a dotted path of node ids, or a list of node ids.",
        ),
        ("sizesStr", ["S", "S"], "sizesStr/1", "duplicate", "repeats 'S': list each once."),
        ("tagsStr", "x", "tagsStr", "type", "must be a list."),
        (
            "fooBar",
            1,
            "fooBar",
            "unknown_type",
            '"fooBar": unknown type suffix; an attribute name must end in one of '
            "Str, Txt, Num, At, Bool, Url, Id, Obj, Tree (e.g. orderTotalNum, tierStr, renewsAt)",
        ),
    ],
)
def test_value_errors(name, value, pointer, code, detail):
    payload = {name: value} if name == "crmId" else {name: value, "crmId": "c1"}
    assert (f"/custom/{pointer}", code, detail) in V.validate(payload).errors


def test_a_missing_required_attribute_on_create():
    assert V.validate({}, creating=True).errors == [("/custom/crmId", "required", "is required.")]


def test_a_payload_that_is_not_an_object():
    assert V.validate([1]).errors == [("/custom", "type", "must be an object.")]


def test_long_enums_are_cut_short_in_the_message():
    d, _ = normalize_definition("levelNum", {"enum": list(range(25))})
    detail = compile_validator({"levelNum": d}).validate({"levelNum": 99}).errors[0].detail
    assert detail == f"must be one of: {', '.join(map(str, range(20)))} (and 5 more)."


@pytest.mark.parametrize(
    "name,raw,pointer,detail",
    [
        ("aStr", {"min": 1}, "min", "min applies to Num attributes only."),
        ("aNum", {"min": "1"}, "min", "min is a finite number."),
        ("aNum", {"min": 5, "max": 1}, "min", "min (5) is greater than max (1)."),
        (
            "aNum",
            {"maxLength": 1},
            "maxLength",
            "maxLength applies to Str and Txt attributes only.",
        ),
        ("aStr", {"maxLength": 256}, "maxLength", "maxLength is an integer from 0 to 255 for Str."),
        (
            "aStr",
            {"minLength": 5, "maxLength": 1},
            "minLength",
            "minLength (5) is greater than maxLength (1).",
        ),
        ("aStr", {"required": 1}, "required", "required is true or false."),
        ("aStr", {"color": "red"}, "color", "color is a hex colour #rrggbb."),
        ("aStr", {"icon": 3}, "icon", "icon is a string of at most 255 characters."),
        ("aStr", {"displayName": 3}, "displayName", "displayName is a string of 1-255 chars."),
        ("aStr", {"type": "Num"}, "type", "type comes from the name's suffix: 'Str' for aStr."),
        ("aStr", {"name": "bStr"}, "name", "name is the attribute's own name, 'aStr'."),
        ("aBool", {"enum": [True]}, "enum", "enum applies to Str, Num, Txt, Url attributes only."),
        ("aStr", {"enum": []}, "enum", "enum is a non-empty list of at most 1000 values."),
        ("aStr", {"enum": ["a", "a"]}, "enum/1", "enum value 'a' repeats."),
        ("aStr", {"enum": [""]}, "enum/0", "enum values may not be empty."),
        ("aStr", {"enum": [3]}, "enum/0", "enum value 3 must be a string."),
        ("aStr", {"enumLabels": {}}, "enumLabels", "enumLabels needs an enum."),
        (
            "aAt",
            {"multi": True},
            "multi",
            "multi applies to Str, Txt, Num, Bool, Url, Obj attributes only.",
        ),
        ("aStr", {"tree": {}}, "tree", "tree applies to Tree attributes only."),
        (
            "aTree",
            {"tree": {"nodes": [{"id": "a"}, {"id": "a"}]}},
            "tree/nodes/1/id",
            "tree node id 'a' repeats at this level.",
        ),
        ("aStr", {"properties": {}}, "properties", "properties apply to Obj attributes only."),
        (
            "aObj",
            {"properties": {"x": {"type": "Obj"}}},
            "properties/x/type",
            "a property type is one of Str, Txt, Num, At, Bool, Url, Id.",
        ),
        ("aNum", {"default": "x"}, "default", "default must be a number."),
        ("aNum", {"max": 1, "default": 2}, "default", "default must be at most 1."),
    ],
)
def test_definition_errors(name, raw, pointer, detail):
    _, errors = normalize_definition(name, raw)
    assert (f"/properties/{name}/{pointer}", detail) in {(e.pointer, e.detail) for e in errors}, (
        errors
    )


def test_an_unknown_key_lists_the_known_ones():
    _, errors = normalize_definition("aStr", {"colour": "#000000"})
    assert errors[0].pointer == "/properties/aStr/colour" and errors[0].code == "unknown"
    assert errors[0].detail.startswith(
        "Unknown metadata 'colour'. Known: array, color, currency, default"
    )
