"""Messages and notes are changed and deleted through the API, and conversations deleted, each
with its event so the change feed (/v1/events) sees it."""

import json

import pytest

from conversations.models import Conversation, Message, Note, Notification
from kdesk.models import Event
from klasses.services import metadata_update
from tests.conversations.factories import ConversationCustomerFactory, ConversationFactory
from tests.factories import ApiClient, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conv(org):
    customer = ConversationCustomerFactory(org=org, name="Jane Doe")
    return ConversationFactory(org=org, customer=customer, name="Late parcel")


@pytest.fixture
def message(api, conv):
    r = api.post(
        f"/v1/conversations/{conv.pk}/messages",
        {"direction": "out", "channel": "email", "body": "On its way"},
    )
    assert r.status_code == 201, r.json()
    return r.json()["data"]


def feed(api, prefix):
    return [
        e["attributes"] for e in api.get(f"/v1/events?types={prefix}*&limit=500").json()["data"]
    ]


def test_a_message_changes_custom_and_status_only(api, org, admin_user, conv, message):
    metadata_update(
        org=org, actor=admin_user, resource="message", data={"properties": {"topicStr": {}}}
    )
    path = message["links"]["self"]
    assert message["attributes"]["status"] == "sent"
    r = api.put(path, {"custom": {"topicStr": "shipping"}, "status": "delivered", "rev": 1})
    assert r.status_code == 200, r.json()
    attrs = r.json()["data"]["attributes"]
    assert attrs["custom"] == {"topicStr": "shipping"} and attrs["status"] == "delivered"
    assert attrs["rev"] == 2 and attrs["body"] == "On its way"
    # everything read back may be sent back; what was said may not change
    assert api.patch(path + "/", attrs).status_code == 200
    r = api.patch(path, {"body": "Edited", "status": "received", "custom": {"nopeStr": 1}})
    assert r.status_code == 400
    assert {e["source"]["pointer"] for e in r.json()["errors"]} == {
        "/body",
        "/status",
        "/custom/nopeStr",
    }
    assert api.patch(path, {"status": "failed", "rev": 1}).status_code == 409
    failed = api.patch(path, {"status": "failed", "statusDetail": "Mailbox full"}).json()["data"]
    assert failed["attributes"]["statusDetail"] == "Mailbox full"
    assert api.get(path).json()["data"] == failed
    updates = [e for e in feed(api, "conversation.message.") if e["name"].endswith("update")]
    assert updates[0]["changes"] == {
        "status": {"before": "sent", "after": "delivered"},
        "custom.topicStr": {"before": None, "after": "shipping"},
    }
    assert updates[1]["changes"]["status"] == {"before": "delivered", "after": "failed"}


def test_deleting_a_message_updates_its_conversation(api, conv, message):
    later = api.post(
        f"/v1/conversations/{conv.pk}/messages",
        {"direction": "in", "channel": "email", "body": "Thanks!"},
    ).json()["data"]
    assert api.delete(later["links"]["self"]).status_code == 204
    assert api.get(later["links"]["self"]).status_code == 404
    conv.refresh_from_db()
    assert conv.message_count == 1 and conv.last_message_preview == "On its way"
    deleted = [e for e in feed(api, "conversation.message.") if e["name"].endswith("delete")]
    assert deleted[0]["resourceId"] == later["id"]
    assert deleted[0]["data"]["attributes"]["body"] == "Thanks!"


def test_another_conversation_or_org_cannot_reach_it(api, other_api, org, conv, message):
    elsewhere = ConversationFactory(org=org, customer=conv.customer)
    wrong = f"/v1/conversations/{elsewhere.pk}/messages/{message['id']}"
    assert api.put(wrong, {"status": "read"}).status_code == 404
    assert api.delete(wrong).status_code == 404
    assert other_api.put(message["links"]["self"], {"status": "read"}).status_code == 404
    assert other_api.delete(message["links"]["self"]).status_code == 404
    assert Message.objects.get().status == "sent"


def test_scopes(make_key, org, conv, message):
    _, token = make_key(org, scopes=["org.permission.message.read"])
    reader = ApiClient(token)
    assert reader.put(message["links"]["self"], {"status": "read"}).status_code == 403
    assert reader.delete(message["links"]["self"]).status_code == 403
    assert reader.delete(f"/v1/conversations/{conv.pk}").status_code == 403
    assert Message.objects.exists() and Conversation.objects.exists()


def test_a_note_edit_notifies_only_new_mentions(api, org, conv):
    lee = UserFactory(org=org, username="lee")
    kim = UserFactory(org=org, username="kim")
    note = api.post(f"/v1/conversations/{conv.pk}/notes", {"body": "@lee can you check?"}).json()[
        "data"
    ]
    assert Notification.objects.filter(user=lee).count() == 1
    path = note["links"]["self"]
    r = api.put(path, {"body": "@lee and @kim, can you check?", "isInternal": True})
    assert r.status_code == 200, r.json()
    attrs = r.json()["data"]["attributes"]
    assert attrs["body"] == "@lee and @kim, can you check?" and attrs["rev"] == 2
    assert attrs["userMentions"] == [{"user": str(lee.pk)}, {"user": str(kim.pk)}]
    assert Notification.objects.filter(user=lee).count() == 1  # not again
    assert Notification.objects.filter(user=kim).count() == 1
    event = Event.objects.get(type="conversation.note.update")
    assert event.data["notified"] == [kim.pk]
    assert set(event.changes) == {"body", "userMentions"}
    # dropping a mention and adding it back notifies nobody twice
    api.put(path, {"body": "@kim only"})
    api.put(path, {"body": "@lee @kim again"})
    assert Notification.objects.filter(note_id=note["id"]).count() == 2
    bad = api.put(path, {"body": "", "isInternal": False, "userMentions": [{"user": 999999}]})
    assert {e["source"]["pointer"] for e in bad.json()["errors"]} == {
        "/body",
        "/isInternal",
        "/userMentions/0/user",
    }
    assert Note.objects.get().body == "@lee @kim again"


def test_deleting_a_note_removes_its_notifications(api, org, conv):
    lee = UserFactory(org=org, username="lee")
    note = api.post(f"/v1/conversations/{conv.pk}/notes", {"body": "@lee see"}).json()["data"]
    assert api.delete(note["links"]["self"] + "/").status_code == 204
    assert not Note.objects.exists() and not Notification.objects.filter(user=lee).exists()
    (gone,) = [e for e in feed(api, "conversation.note.") if e["name"].endswith("delete")]
    assert gone["data"]["attributes"]["body"] == "@lee see"


def test_a_session_edits_through_the_same_endpoints(client, agent, conv):
    client.force_login(agent)
    r = client.post(
        f"/v1/conversations/{conv.pk}/notes", json.dumps({"body": "x"}), "application/json"
    )
    path = r.json()["data"]["links"]["self"]
    r = client.put(path, json.dumps({"body": "y"}), "application/json")
    assert r.status_code == 200 and r.json()["data"]["attributes"]["body"] == "y"


def test_deleting_a_conversation_deletes_what_it_holds(api, org, conv, message, other_api):
    lee = UserFactory(org=org, username="lee")
    api.post(f"/v1/conversations/{conv.pk}/notes", {"body": "@lee look"})
    assert other_api.delete(f"/v1/conversations/{conv.pk}").status_code == 404
    assert api.delete(f"/v1/conversations/{conv.pk}?rev=99").status_code == 409
    assert api.delete(f"/v1/conversations/{conv.pk}/").status_code == 204
    assert api.get(f"/v1/conversations/{conv.pk}").status_code == 404
    assert not Message.objects.exists() and not Note.objects.exists()
    assert not Notification.objects.filter(user=lee).exists()
    names = [e["name"] for e in feed(api, "conversation.") if e["name"].endswith("delete")]
    assert names == [
        "conversation.note.delete",
        "conversation.message.delete",
        "conversation.delete",
    ]
    assert conv.customer.__class__.objects.filter(pk=conv.customer_id).exists()


def test_the_new_operations_are_in_the_schema(api):
    doc = json.loads(
        api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"}).content
    )
    paths = doc["paths"]
    assert "delete" in paths["/v1/conversations/{id}"]
    for path in (
        "/v1/conversations/{id}/messages/{message_pk}",
        "/v1/conversations/{id}/notes/{note_pk}",
    ):
        assert {"get", "put", "patch", "delete"} <= set(paths[path]), path


def test_notes_are_scoped_and_isolated(api, other_api, make_key, org, conv):
    note = api.post(f"/v1/conversations/{conv.pk}/notes", {"body": "x"}).json()["data"]
    path = note["links"]["self"]
    _, token = make_key(org, scopes=["org.permission.note.read"])
    reader = ApiClient(token)
    assert reader.put(path, {"body": "y"}).status_code == 403
    assert reader.delete(path).status_code == 403
    assert other_api.put(path, {"body": "y"}).status_code == 404
    assert other_api.delete(path).status_code == 404
    elsewhere = ConversationFactory(org=org, customer=conv.customer)
    moved = f"/v1/conversations/{elsewhere.pk}/notes/{note['id']}"
    assert api.put(moved, {"body": "y"}).status_code == 404
    assert Note.objects.get().body == "x"
    assert not Event.objects.filter(type__in=["conversation.note.update"]).exists()


def test_the_schema_names_each_status_enum_after_the_models():
    from django.conf import settings

    overrides = settings.SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]
    assert overrides["ConversationStatusEnum"] == Conversation.Status.values
    assert overrides["MessageStatusEnum"] == Message.Status.values
