"""Attribute metadata as the reference describes it: enum on Txt and Url, multi on Bool, Obj,
Txt and Url (a list of distinct values), lastNodeRequired at a Tree definition's top level."""

import pytest

from klasses.schema import compile_validator, normalize_definitions

pytestmark = pytest.mark.django_db


def validator(raw):
    defs, errors = normalize_definitions(raw)
    assert not errors, errors
    return compile_validator(defs)


def found(v, values):
    return [(e.pointer, e.code) for e in v.validate(values).errors]


def test_txt_and_url_take_an_enum():
    v = validator(
        {
            "reasonTxt": {"enum": ["Broken on arrival", "Wrong size"]},
            "portalUrl": {"enum": ["https://eu.example.com", "https://us.example.com"]},
        }
    )
    assert found(v, {"reasonTxt": "Wrong size", "portalUrl": "https://eu.example.com"}) == []
    assert found(v, {"reasonTxt": "Other", "portalUrl": "https://evil.example.com"}) == [
        ("/custom/reasonTxt", "enum"),
        ("/custom/portalUrl", "enum"),
    ]
    _, errors = normalize_definitions({"portalUrl": {"enum": ["not a url"]}})
    assert [e.pointer for e in errors] == ["/properties/portalUrl/enum/0"]
    _, errors = normalize_definitions({"flagBool": {"enum": [True]}})
    assert [e.pointer for e in errors] == ["/properties/flagBool/enum"]


def test_multi_on_bool_obj_txt_and_url_is_a_list_of_distinct_values():
    v = validator(
        {
            "answersBool": {"multi": True},
            "partsObj": {"multi": True},
            "notesTxt": {"multi": True},
            "linksUrl": {"multi": True},
            "tagsTxt": {"multi": True, "enum": ["a", "b"]},
        }
    )
    good = {
        "answersBool": [True, False],
        "partsObj": [{"sku": "A"}, {"sku": "B"}],
        "notesTxt": ["one", "two"],
        "linksUrl": ["https://a.example.com", "https://b.example.com"],
        "tagsTxt": ["a", "b"],
    }
    assert found(v, good) == []
    bad = {
        "answersBool": [True, True],
        "partsObj": [{"sku": "A", "n": 1}, {"n": 1, "sku": "A"}],
        "notesTxt": "one",
        "linksUrl": ["https://a.example.com", "ftp://x"],
        "tagsTxt": ["a", "c"],
    }
    assert found(v, bad) == [
        ("/custom/answersBool/1", "duplicate"),
        ("/custom/partsObj/1", "duplicate"),
        ("/custom/notesTxt", "type"),
        ("/custom/linksUrl/1", "format"),
        ("/custom/tagsTxt/1", "enum"),
    ]


def test_multi_stays_refused_where_the_reference_has_no_multi_flag():
    _, errors = normalize_definitions(
        {"whenAt": {"multi": True}, "refId": {"multi": True}, "catTree": {"multi": True}}
    )
    assert [e.pointer for e in errors] == [
        "/properties/whenAt/multi",
        "/properties/refId/multi",
        "/properties/catTree/multi",
    ]


NODES = [{"id": "hw", "children": [{"id": "laptop"}, {"id": "phone"}]}, {"id": "sw"}]


def test_last_node_required_at_the_top_level():
    defs, errors = normalize_definitions(
        {"catTree": {"displayName": "Category", "lastNodeRequired": True, "tree": {"nodes": NODES}}}
    )
    assert errors == []
    assert defs["catTree"]["tree"]["lastNodeRequired"] is True
    assert defs["catTree"]["lastNodeRequired"] is True
    again, errors = normalize_definitions(defs)  # what was read back is accepted as it is
    assert errors == [] and again == defs
    v = compile_validator(defs)
    assert found(v, {"catTree": "hw.laptop"}) == []
    assert found(v, {"catTree": "hw"}) != []
    loose = validator({"catTree": {"lastNodeRequired": False, "tree": {"nodes": NODES}}})
    assert found(loose, {"catTree": "hw"}) == []


def test_the_api_round_trips_these_definitions(api):
    body = {
        "properties": {
            "reasonTxt": {"enum": ["a", "b"]},
            "linksUrl": {"multi": True},
            "answersBool": {"multi": True},
            "catTree": {"lastNodeRequired": True, "tree": {"nodes": NODES}},
        }
    }
    response = api.put("/v1/metadata/customer", body)
    assert response.status_code == 200, response.json()
    props = api.get("/v1/metadata/customer").json()["data"]["attributes"]["properties"]
    assert props["reasonTxt"]["enum"] == ["a", "b"]
    assert props["linksUrl"]["multi"] is True
    assert props["catTree"]["lastNodeRequired"] is True
    refused = api.post(
        "/v1/customers",
        {"name": "Ada", "custom": {"reasonTxt": "c", "answersBool": [True, True], "catTree": "hw"}},
    )
    assert refused.status_code == 400
    assert sorted(e["source"]["pointer"] for e in refused.json()["errors"]) == [
        "/custom/answersBool/1",
        "/custom/catTree",
        "/custom/reasonTxt",
    ]
    bad = api.put("/v1/metadata/customer", {"properties": {"whenAt": {"multi": True}}})
    assert bad.status_code == 400
    assert bad.json()["errors"][0]["source"]["pointer"] == "/properties/whenAt/multi"
