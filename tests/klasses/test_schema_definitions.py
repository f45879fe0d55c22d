import pytest

from klasses.schema import (
    SUFFIXES,
    UnknownAttributeType,
    attribute_type,
    compile_validator,
    default_display_name,
    normalize_definition,
    normalize_definitions,
)


def test_suffix_gives_the_type():
    assert attribute_type("orderTotalNum") == "Num"
    assert attribute_type("renewsAt") == "At"
    assert attribute_type("planTree") == "Tree"


def test_unknown_suffix_names_the_valid_ones():
    with pytest.raises(UnknownAttributeType) as exc:
        attribute_type("fooBar")
    for suffix in SUFFIXES:
        assert suffix in str(exc.value)


def test_display_name_defaults():
    assert default_display_name("orderTotalNum") == "Order Total"
    assert default_display_name("vipBool") == "Vip"


@pytest.mark.parametrize(
    "name,raw,pointer",
    [
        ("aStr", {"min": 1}, "/properties/aStr/min"),
        ("aNum", {"min": 5, "max": 1}, "/properties/aNum/min"),
        ("aStr", {"maxLength": 999}, "/properties/aStr/maxLength"),
        ("aBool", {"enum": [True]}, "/properties/aBool/enum"),
        ("aStr", {"enum": []}, "/properties/aStr/enum"),
        ("aStr", {"enum": ["a", "a"]}, "/properties/aStr/enum"),
        ("aStr", {"multi": True}, "/properties/aStr/multi"),
        ("aStr", {"color": "red"}, "/properties/aStr/color"),
        ("aStr", {"bogus": 1}, "/properties/aStr/bogus"),
        ("aNum", {"default": "x"}, "/properties/aNum/default"),
        ("aStr", {"tree": {"nodes": []}}, "/properties/aStr/tree"),
        (
            "aTree",
            {"tree": {"nodes": [{"id": "a"}, {"id": "a"}]}},
            "/properties/aTree/tree/nodes/1/id",
        ),
    ],
)
def test_bad_metadata_is_named(name, raw, pointer):
    d, errors = normalize_definition(name, raw)
    assert d is None
    assert pointer in {e.pointer for e in errors}, errors


def test_defaults_apply_on_create_and_required_is_enforced():
    defs, errors = normalize_definitions(
        {"tierStr": {"enum": ["bronze", "gold"], "default": "bronze"}, "idStr": {"required": True}}
    )
    assert not errors
    v = compile_validator(defs)
    result = v.validate({}, creating=True)
    assert result.cleaned["tierStr"] == "bronze"
    assert [(e.pointer, e.code) for e in result.errors] == [("/custom/idStr", "required")]
    assert v.validate({}).errors == []  # an update that does not touch it is fine
    assert v.validate({"idStr": None}).errors[0].code == "required"


def test_undefined_attributes_are_accepted_and_reported():
    v = compile_validator({})
    result = v.validate({"colorStr": "red", "sizeNum": "big", "weird": 1})
    assert result.undefined == {"colorStr": "Str"}
    assert {e.pointer for e in result.errors} == {"/custom/sizeNum", "/custom/weird"}
