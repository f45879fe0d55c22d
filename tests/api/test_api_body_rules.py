"""The rules across a body's fields that the services enforce are in /v1/schema too (JSON Schema
2020-12: if/then, not-required, anyOf, dependentRequired), so that what the document accepts the
server accepts and what it refuses the server refuses: each body here is checked against the
served document and sent."""

import json

import jsonschema
import jsonschema_rs
import pytest
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

pytestmark = pytest.mark.django_db


@pytest.fixture
def document(api):
    response = api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"})
    assert response.status_code == 200
    return json.loads(response.content)


def validator(document, path, method):
    """A validator of the request body of `method path`; its $refs resolve in the document."""
    body = document["paths"][path][method]["requestBody"]["content"]["application/json"]
    registry = Registry().with_resource(
        "urn:doc", Resource.from_contents(document, default_specification=DRAFT202012)
    )
    return jsonschema.Draft202012Validator(_rebase(body["schema"]), registry=registry)


def _rebase(node):
    if isinstance(node, dict):
        return {
            k: ("urn:doc" + v if k == "$ref" and v.startswith("#") else _rebase(v))
            for k, v in node.items()
        }
    if isinstance(node, list):
        return [_rebase(v) for v in node]
    return node


def agree(api, document, path, method, body, status):
    """The document and the server say the same of `body`."""
    documented = validator(document, path, method).is_valid(body)
    response = getattr(api, method)(path, body)
    assert documented == (status < 400), (body, documented)
    assert response.status_code == status, (body, response.content)
    return response


def test_kview_kind_and_its_template(api, document, settings):
    settings.IFRAME_ALLOWED_ORIGINS = ["https://example.com"]
    base = {"name": "Orders", "resource": "customer", "context": "timeline"}
    agree(api, document, "/v1/kviews", "post", {**base, "kind": "iframe"}, 400)
    agree(api, document, "/v1/kviews", "post", {**base, "kind": "template", "template": ""}, 400)
    agree(api, document, "/v1/kviews", "post", {**base, "name": " ", "template": "x"}, 400)
    agree(
        api, document, "/v1/kviews", "post", {**base, "template": "<b>{{ customer.name }}</b>"}, 201
    )
    agree(
        api,
        document,
        "/v1/kviews",
        "post",
        {**base, "kind": "iframe", "urlTemplate": "https://example.com/{{ customer.id }}"},
        201,
    )


def test_a_validation_rules_condition_takes_what_its_op_takes(api, document):
    base = {"resource": "customer", "attribute": "name", "when": "always"}
    for condition in (
        {"op": "gt", "value": None},
        {"op": "in", "value": []},
        {"op": "required", "value": 1},
        {"value": 1},
        {"op": "min_length", "value": -1},
    ):
        agree(api, document, "/v1/validations", "post", {**base, "condition": condition}, 400)
    agree(api, document, "/v1/validations", "post", {**base, "attribute": ""}, 400)
    agree(api, document, "/v1/validations", "post", {**base, "when": "status"}, 400)
    response = agree(
        api,
        document,
        "/v1/validations",
        "post",
        {**base, "condition": {"op": "gt", "value": 3}},
        201,
    )
    assert response.json()["data"]["attributes"]["attribute"] == "name"


def test_a_validation_rules_nulls_and_its_condition_of_any_other_type(api, document):
    """{} and null are the condition "must be present" (no op's rule applies to them); any
    other value that is not an object is refused. null is the default of status, message and
    active on a create, and an update cannot clear what the rule is."""
    base = {"resource": "customer", "attribute": "name", "when": "always"}
    for condition in ({}, None):
        agree(api, document, "/v1/validations", "post", {**base, "condition": condition}, 201)
    for condition in ("", 0, [], False):
        agree(api, document, "/v1/validations", "post", {**base, "condition": condition}, 400)
    nulls = {"status": None, "message": None, "active": None}
    response = agree(api, document, "/v1/validations", "post", {**base, **nulls}, 201)
    path = response.json()["data"]["links"]["self"]
    document["paths"][path] = document["paths"]["/v1/validations/{id}"]
    for attribute in ("resource", "attribute", "when", "active"):
        agree(api, document, path, "put", {attribute: None}, 400)
    for condition in ("", 0, [], {"op": "gt"}):
        agree(api, document, path, "put", {"condition": condition}, 400)
    agree(api, document, path, "put", {"when": "status", "status": None}, 400)
    agree(api, document, path, "put", {"status": None, "message": None, "condition": None}, 200)


def test_a_kviews_nulls_are_its_defaults(api, document):
    base = {"name": "Orders", "resource": "customer", "context": "timeline", "template": "<b/>"}
    nulls = {"kind": None, "urlTemplate": None, "position": None, "active": None}
    response = agree(api, document, "/v1/kviews", "post", {**base, **nulls}, 201)
    agree(api, document, "/v1/kviews", "post", {**nulls, **base, "template": None}, 400)
    path = response.json()["data"]["links"]["self"]
    document["paths"][path] = document["paths"]["/v1/kviews/{id}"]
    agree(api, document, path, "put", {"urlTemplate": None, "position": None}, 200)
    agree(api, document, path, "put", {"active": None}, 400)


def test_a_shortcut_needs_text_that_is_not_blank(api, document):
    for payload in (None, " ", {"text": ""}, {"text": {"blocks": [{"text": " "}]}}, {"x": 1}):
        agree(api, document, "/v1/shortcuts", "post", {"name": "Hi", "payload": payload}, 400)
    doc = {"blocks": [{"text": "Hello"}], "entityMap": {}}
    agree(api, document, "/v1/shortcuts", "post", {"name": "Hi", "payload": {"text": doc}}, 201)
    agree(api, document, "/v1/shortcuts", "post", {"name": "Hey", "payload": "Hello"}, 201)
    # JSON Schema's integer admits 1.0, and so does the server
    block = {"text": "Hi", "depth": 1.0, "entityRanges": [{"offset": 0.0, "length": 2, "key": 0}]}
    body = {"name": "Ho", "payload": {"text": {"blocks": [block]}}}
    agree(api, document, "/v1/shortcuts", "post", body, 201)


def test_blank_is_what_the_services_strip(api, document):
    """A name of characters str.strip removes is blank (U+001D and U+0085 among them, which
    ECMA-262's `\\S` would take); U+FEFF is not stripped, so it is a name."""
    # read as clients and Schemathesis read it (ECMA-262 regular expressions), not by Python's re
    name_schema = document["components"]["schemas"]["CompanyInputRequest"]["properties"]["name"]
    ecma = jsonschema_rs.validator_for(name_schema)
    for name in ("\x1d", "\x85 ", "\u3000"):
        agree(api, document, "/v1/companies", "post", {"name": name}, 400)
        assert not ecma.is_valid(name), repr(name)
    agree(api, document, "/v1/companies", "post", {"name": "\ufeff"}, 201)
    assert ecma.is_valid("\ufeff")


def test_a_domain_is_read_in_any_case(api, document):
    """The service lower-cases a domain before checking it, so the document takes upper case in
    every label, the middle of one too (an ECMA-262 reading, as Schemathesis's)."""
    domain = document["components"]["schemas"]["CompanyInputRequest"]["properties"]["domains"]
    ecma = jsonschema_rs.validator_for(domain)
    for domains, status in ((["sHOP-x.ExAMPle.COM"], 201), (["shop_x.example.com"], 400)):
        agree(api, document, "/v1/companies", "post", {"name": "A", "domains": domains}, status)
        assert ecma.is_valid(domains) == (status == 201)


def test_an_obj_attribute_is_one_level_of_scalars_or_lists_of_them(api, document):
    good = {"k": [1, "a", True, None], "n": 2.5, "b": False, "s": "x", "z": None}
    agree(api, document, "/v1/companies", "post", {"name": "A", "custom": {"shapeObj": good}}, 201)
    for bad in ({"k": {"x": 1}}, {"k": [[1]]}, {"k": [{"x": 1}]}):
        body = {"name": "B", "custom": {"shapeObj": bad}}
        agree(api, document, "/v1/companies", "post", body, 400)


def test_an_update_sends_a_shortcut_text_or_leaves_it_out(api, document):
    sid = api.post("/v1/shortcuts", {"name": "Hi", "payload": "Hello"}).json()["data"]["id"]
    path = f"/v1/shortcuts/{sid}"
    document["paths"][path] = document["paths"]["/v1/shortcuts/{id}"]
    agree(api, document, path, "put", {"payload": None}, 400)
    agree(api, document, path, "put", {"name": "Hey"}, 200)


def test_a_social_handle_needs_a_userid_or_a_username(api, document):
    for social in ({"type": "twitter"}, {"type": "twitter", "username": " "}, {"type": " "}):
        agree(api, document, "/v1/customers", "post", {"name": "A", "socials": [social]}, 400)
    body = {"name": "A", "socials": [{"type": "twitter", "username": "ada"}]}
    agree(api, document, "/v1/customers", "post", body, 201)


def test_one_owner_is_sent_one_way(api, document):
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    body = {"customer": customer, "assignedUser": None, "assignedUsers": []}
    agree(api, document, "/v1/conversations", "post", body, 400)
    agree(api, document, "/v1/conversations", "post", {"customer": customer}, 201)


def test_a_shortcut_copy_takes_an_object_or_nothing(api):
    sid = api.post("/v1/shortcuts", {"name": "Hi", "payload": "Hello"}).json()["data"]["id"]
    assert api.post(f"/v1/shortcuts/{sid}/copy").status_code == 201
    assert api.post(f"/v1/shortcuts/{sid}/copy", raw="null").status_code == 201
    assert api.post(f"/v1/shortcuts/{sid}/copy", raw="false").status_code == 400


def test_every_operation_documents_the_414_for_a_query_string_over_the_limit(api, document):
    """The guard in front of every view answers 414 to an over-long query string, whatever the
    path, so each operation lists it."""
    missing = [
        f"{method.upper()} {path}"
        for path, item in document["paths"].items()
        for method, operation in item.items()
        if method in ("get", "put", "patch", "delete", "post")
        and "414" not in operation["responses"]
    ]
    assert missing == []
    r = api.get("/v1/companies/1/customers?sort=" + "x" * 9000)
    assert r.status_code == 414 and r.json()["errors"][0]["status"] == "414"


@pytest.mark.parametrize("name", ["", None, "   "])
def test_a_customer_may_have_no_name_and_the_document_says_so(api, document, name):
    """An empty, null or blank name stores no name (the customer is known by an email or a
    phone): accepted on create, on the upsert by externalId and on an update, as documented."""
    body = {"name": name, "emails": [{"email": "ada@example.com"}]}
    for path in ("/v1/customers", "/v1/customers/externalId={external_id}"):
        for method in document["paths"][path]:
            if method in ("post", "put"):
                validator(document, path, method).validate(body)
    created = api.post("/v1/customers", body)
    assert created.status_code == 201, created.json()
    assert created.json()["data"]["attributes"]["name"] == ""
    upserted = api.put("/v1/customers/externalId=ada-1", {"name": name})
    assert upserted.status_code == 201, upserted.json()
    customer = created.json()["data"]["id"]
    updated = api.put(f"/v1/customers/{customer}", {"name": name})
    assert updated.status_code == 200 and updated.json()["data"]["attributes"]["name"] == ""
