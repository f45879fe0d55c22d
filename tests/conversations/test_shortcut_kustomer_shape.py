"""Shortcuts in Kustomer's shape: every record validates against a JSON Schema of Kustomer's
shortcut, written here from the reference's field list (Export Buddy's shortcut columns: id,
name, draftText, createdAt, modifiedAt, updatedAt, isPrivate, deleted, rev, conversationTags,
conversationTagsOperation, conversationFields; API.md's row for the nesting)."""

import json

import jsonschema
import pytest

from conversations.models import Shortcut
from kdesk.models import Event
from tests.conversations.factories import ShortcutFactory

pytestmark = pytest.mark.django_db

RANGE = {
    "type": "object",
    "required": ["offset", "length"],
    "properties": {"offset": {"type": "integer", "minimum": 0}},
}
OPERATION = {
    "type": "object",
    "required": ["operator", "value"],
    "properties": {"operator": {"type": "string"}},
}
KUSTOMER_SHORTCUT = {
    "type": "object",
    "required": ["type", "id", "attributes"],
    "properties": {
        "type": {"const": "shortcut"},
        "id": {"type": "string"},
        "attributes": {
            "type": "object",
            "required": [
                "name",
                "payload",
                "draft",
                "isPrivate",
                "conversation",
                "createdBy",
                "modifiedBy",
                "deleted",
                "rev",
                "createdAt",
                "modifiedAt",
                "updatedAt",
            ],
            "properties": {
                "name": {"type": "string", "minLength": 1},
                "payload": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {
                        "text": {
                            "type": "object",
                            "required": ["blocks", "entityMap"],
                            "properties": {
                                "blocks": {
                                    "type": "array",
                                    "items": {
                                        "type": "object",
                                        "required": [
                                            "key",
                                            "text",
                                            "type",
                                            "depth",
                                            "inlineStyleRanges",
                                            "entityRanges",
                                            "data",
                                        ],
                                        "properties": {
                                            "key": {"type": "string", "minLength": 1},
                                            "text": {"type": "string"},
                                            "type": {"type": "string"},
                                            "depth": {"type": "integer", "minimum": 0},
                                            "inlineStyleRanges": {
                                                "type": "array",
                                                "items": {
                                                    **RANGE,
                                                    "required": ["offset", "length", "style"],
                                                },
                                            },
                                            "entityRanges": {
                                                "type": "array",
                                                "items": {
                                                    **RANGE,
                                                    "required": ["offset", "length", "key"],
                                                },
                                            },
                                            "data": {"type": "object"},
                                        },
                                    },
                                },
                                "entityMap": {"type": "object"},
                            },
                        }
                    },
                },
                "draft": {
                    "type": "object",
                    "required": ["text"],
                    "properties": {"text": {"type": "string"}},
                },
                "isPrivate": {"type": "boolean"},
                "conversation": {
                    "type": "object",
                    "properties": {
                        "tags": {
                            **OPERATION,
                            "properties": {
                                "operator": {"enum": ["append", "replace", "remove"]},
                                "value": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                        "name": {
                            **OPERATION,
                            "properties": {"value": {"type": "string"}},
                        },
                    },
                    "additionalProperties": False,
                },
                "createdBy": {"type": "string"},
                "modifiedBy": {"type": "string"},
                "deleted": {"type": "boolean"},
                "rev": {"type": "integer", "minimum": 1},
                "createdAt": {"type": "string", "format": "date-time"},
                "modifiedAt": {"type": "string", "format": "date-time"},
                "updatedAt": {"type": "string", "format": "date-time"},
            },
        },
    },
}


def valid(resource):
    jsonschema.validate(
        resource, KUSTOMER_SHORTCUT, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )
    return resource["attributes"]


def test_a_plain_string_payload_is_stored_one_block_per_line(api):
    r = api.post(
        "/v1/shortcuts", {"name": "refund", "payload": "Hi {{customer.firstName}},\n\nDone."}
    )
    assert r.status_code == 201, r.json()
    attrs = valid(r.json()["data"])
    assert [b["text"] for b in attrs["payload"]["text"]["blocks"]] == [
        "Hi {{customer.firstName}},",
        "",
        "Done.",
    ]
    assert attrs["draft"]["text"] == "Hi {{customer.firstName}},\n\nDone."
    assert attrs["isPrivate"] is False and attrs["deleted"] is False
    assert attrs["createdBy"] == attrs["modifiedBy"] == str(api.key.user_id)
    assert Shortcut.objects.get().payload == "Hi {{customer.firstName}},\n\nDone."


def test_kustomer_records_round_trip(api):
    doc = {
        "blocks": [
            {
                "key": "a1b2c",
                "text": "Your refund is on its way.",
                "type": "unstyled",
                "depth": 0,
                "inlineStyleRanges": [{"offset": 5, "length": 6, "style": "BOLD"}],
                "entityRanges": [{"offset": 0, "length": 4, "key": 0}],
                "data": {},
            },
            {"key": "d3e4f", "text": "Thanks!", "type": "unordered-list-item"},
        ],
        "entityMap": {"0": {"type": "LINK", "mutability": "MUTABLE", "data": {"url": "x"}}},
    }
    body = {
        "name": "refund",
        "payload": {"text": doc},
        "draft": {"text": "Your refund…"},
        "isPrivate": True,
        "conversation": {
            "tags": {"operator": "append", "value": ["refund", "billing"]},
            "name": {"operator": "replace", "value": "Refund"},
        },
    }
    created = api.post("/v1/shortcuts/", body).json()["data"]
    attrs = valid(created)
    blocks = attrs["payload"]["text"]["blocks"]
    assert blocks[0] == doc["blocks"][0]
    assert blocks[1]["inlineStyleRanges"] == [] and blocks[1]["depth"] == 0
    assert attrs["payload"]["text"]["entityMap"] == doc["entityMap"]
    assert attrs["draft"] == {"text": "Your refund…"} and attrs["isPrivate"] is True
    assert attrs["conversation"] == body["conversation"]
    assert Shortcut.objects.get().payload == "Your refund is on its way.\nThanks!"
    # what was read back is sent back unchanged: nothing moves, rev stays
    again = api.put(f"/v1/shortcuts/{created['id']}", attrs)
    assert again.status_code == 200, again.json()
    assert valid(again.json()["data"]) == attrs
    # one change: only that changes, and the event says so
    r = api.put(f"/v1/shortcuts/{created['id']}", {"isPrivate": False, "rev": 1})
    after = valid(r.json()["data"])
    assert after["isPrivate"] is False and after["rev"] == 2
    assert after["payload"] == attrs["payload"] and after["conversation"] == attrs["conversation"]
    event = Event.objects.get(type="shortcut.update")
    assert event.changes == {"isPrivate": {"before": True, "after": False}}
    valid(event.data)


def test_every_listed_record_validates_and_a_delete_says_deleted(api, org, agent):
    ShortcutFactory(owner=agent, payload="Old plain text\nsecond line")  # written before blocks
    api.post("/v1/shortcuts", {"name": "new", "payload": "New"})
    rows = api.get("/v1/shortcuts").json()["data"]
    assert len(rows) == 2
    legacy = next(valid(r) for r in rows if r["attributes"]["name"] != "new")
    assert [b["text"] for b in legacy["payload"]["text"]["blocks"]] == [
        "Old plain text",
        "second line",
    ]
    assert legacy == valid(api.get(rows[0]["links"]["self"]).json()["data"]) or legacy == valid(
        api.get(rows[1]["links"]["self"]).json()["data"]
    )
    mine = next(r for r in rows if r["attributes"]["name"] == "new")
    assert api.delete(f"/v1/shortcuts/{mine['id']}").status_code == 204
    gone = Event.objects.get(type="shortcut.delete")
    assert valid(gone.data)["deleted"] is True
    feed = api.get("/v1/events?types=shortcut.delete").json()["data"]
    assert feed[0]["attributes"]["data"]["attributes"]["deleted"] is True


def test_bad_shapes_name_every_problem(api):
    r = api.post(
        "/v1/shortcuts",
        {
            "name": "x",
            "payload": {"text": {"blocks": [{"text": 3}, {"text": "ok", "depth": -1}]}},
            "draft": "not an object",
            "isPrivate": "yes",
            "conversation": {
                "tags": {"operator": "merge", "value": ["a"]},
                "name": {"operator": "replace", "value": ""},
                "priority": {"operator": "replace", "value": 1},
            },
            "deleted": True,
        },
    )
    assert r.status_code == 400
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert pointers == {
        "/payload/text/blocks/0/text",
        "/payload/text/blocks/1/depth",
        "/draft",
        "/isPrivate",
        "/conversation/tags/operator",
        "/conversation/name/value",
        "/conversation/priority",
        "/deleted",
    }
    assert not Shortcut.objects.exists()
    blank = api.post("/v1/shortcuts", {"name": "y", "payload": "   "})
    assert blank.json()["errors"][0]["source"]["pointer"] == "/payload"
    nothing = api.post("/v1/shortcuts", {"name": "y", "payload": {"text": {"blocks": []}}})
    assert nothing.json()["errors"][0]["source"]["pointer"] == "/payload/text"


def test_the_schema_documents_the_shape(api):
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    schemas = doc["components"]["schemas"]
    attributes = schemas["ShortcutAttributes"]["properties"]
    assert {"payload", "draft", "isPrivate", "conversation", "createdBy", "deleted"} <= set(
        attributes
    )
    assert "post" in doc["paths"]["/v1/shortcuts/{id}/copy"]


def test_an_update_cannot_clear_the_text_and_the_document_says_so(api):
    created = api.post("/v1/shortcuts", {"name": "greet", "payload": "Hello"}).json()["data"]
    r = api.put(f"/v1/shortcuts/{created['id']}", {"payload": None, "name": "hi"})
    assert r.status_code == 400
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/payload"]
    kept = Shortcut.objects.get()
    assert (kept.name, kept.payload, kept.rev) == ("greet", "Hello", 1)
    # left out, the text stays as it is
    assert api.put(f"/v1/shortcuts/{created['id']}", {"name": "hi"}).status_code == 200
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    payload = doc["components"]["schemas"]["ShortcutBodyRequest"]["properties"]["payload"]
    assert {"type": "null"} not in payload.get("anyOf", [])
    assert "null" not in str(payload.get("type"))


@pytest.mark.parametrize("attribute", ["isPrivate", "visibility"])
def test_a_null_visibility_is_the_default_shared_and_the_document_says_so(api, attribute):
    """null in isPrivate or visibility is the default, shared: on a create as when left out,
    on an update it clears a private shortcut's privacy (as API.md's null clears)."""
    created = api.post("/v1/shortcuts", {"name": "greet", "payload": "Hi", attribute: None})
    assert created.status_code == 201, created.json()
    assert valid(created.json()["data"])["isPrivate"] is False
    private = api.post("/v1/shortcuts", {"name": "mine", "payload": "Hi", "isPrivate": True})
    url = private.json()["data"]["links"]["self"]
    r = api.put(url, {attribute: None, "rev": 1})
    assert r.status_code == 200, r.json()
    assert valid(r.json()["data"])["isPrivate"] is False
    assert Shortcut.objects.get(name="mine").visibility == Shortcut.Visibility.SHARED
    # both sent, they must still agree (null is shared)
    assert api.put(url, {"isPrivate": None, "visibility": "shared"}).status_code == 200
    disagree = api.put(url, {"isPrivate": None, "visibility": "private"})
    assert disagree.status_code == 400
    assert disagree.json()["errors"][0]["source"]["pointer"] == "/visibility"
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    for name in ("ShortcutBodyRequest", "ShortcutCreateBodyRequest"):
        schema = {**doc["components"]["schemas"][name], "components": doc["components"]}
        body = {"name": "x", "payload": "Hi", attribute: None}
        assert jsonschema.Draft202012Validator(schema).is_valid(body), name
        both = {**body, "isPrivate": None, "visibility": "private"}
        assert not jsonschema.Draft202012Validator(schema).is_valid(both), name
