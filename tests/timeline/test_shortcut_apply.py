"""Using a shortcut in the desk: its text renders with custom attributes, and sending the reply
applies its conversation defaults (tags, name) in the same transaction as the message."""

import pytest

from conversations import services
from conversations.models import Shortcut
from customers.services import customer_update
from kdesk.models import Event
from klasses.services import metadata_update
from tests.conversations.factories import ShortcutFactory
from tests.events import emitted_since, last_event_id
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def desk(org, who):
    return build(org, who, orders=False)


def test_custom_attributes_render_in_the_desk(client, org, who, desk):
    customer, _ = desk
    metadata_update(
        org=org,
        actor=who["ada"],
        resource="customer",
        data={"properties": {"tierStr": {}, "vipBool": {}, "creditNum": {}}},
    )
    customer_update(
        org=org,
        actor=who["ada"],
        customer=customer,
        data={"custom": {"tierStr": "gold", "vipBool": True, "creditNum": 25}},
        partial=True,
    )
    ShortcutFactory(
        org=org,
        owner=who["sam"],
        name="tier",
        payload="{{customer.firstName}} is {{ customer.custom.tierStr }} (VIP: "
        "{{customer.custom.vipBool}}, credit {{customer.custom.creditNum}}) "
        "{{customer.custom.unknownStr}} {{customer.tierStr}}",
    )
    client.force_login(who["sam"])
    data = client.get(f"/customers/{customer.pk}/shortcuts.json", {"q": "tier"}).json()["data"]
    assert data[0]["text"] == (
        "Grace is gold (VIP: yes, credit 25) {{customer.custom.unknownStr}} {{customer.tierStr}}"
    )


def test_conversation_custom_attributes_render_when_the_conversation_is_known(org, agent):
    from conversations.models import Conversation
    from customers.models import Customer

    shortcut = ShortcutFactory(owner=agent, payload="Case {{conversation.custom.caseId}}")
    conversation = Conversation(name="x", custom={"caseId": "C-7"})
    out = services.shortcut_render(
        shortcut, customer=Customer(name="A"), agent=agent, conversation=conversation
    )
    assert out == "Case C-7"
    assert services.shortcut_render(shortcut, agent=agent) == "Case {{conversation.custom.caseId}}"


def test_sending_a_reply_applies_the_shortcuts_tags(client, org, who, desk):
    customer, conversation = desk
    conversation.tags = ["vip"]
    conversation.save()
    shortcut = services.shortcut_create(
        org=org,
        actor=who["lee"],
        data={
            "name": "refund",
            "payload": "Refunded.",
            "conversation": {
                "tags": {"operator": "append", "value": ["refund", "vip"]},
                "name": {"operator": "replace", "value": "Refund"},
            },
        },
    )
    client.force_login(who["sam"])
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert 'name="shortcuts" id="compose-shortcuts"' in page
    before = last_event_id()
    r = client.post(
        f"/customers/{customer.pk}/compose/",
        {
            "mode": "reply",
            "body": "Refunded.",
            "conversation": conversation.pk,
            "shortcuts": f"{shortcut.pk},999999,abc",
        },
    )
    assert r.status_code == 200
    conversation.refresh_from_db()
    assert conversation.tags == ["vip", "refund"] and conversation.name == "Refund"
    assert emitted_since(before) == ["conversation.message.create", "conversation.update"]
    update = Event.objects.get(pk__gt=before, type="conversation.update")
    assert update.changes["tags"] == {"before": ["vip"], "after": ["vip", "refund"]}
    # a reply without a shortcut changes nothing on the conversation
    client.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "reply", "body": "More.", "conversation": conversation.pk, "shortcuts": ""},
    )
    assert not Event.objects.filter(type="conversation.update", pk__gt=update.pk).exists()


def test_replace_and_remove_operators(org, agent):
    from conversations.models import Conversation

    conversation = Conversation(name="x", tags=["a", "b"])
    replace = Shortcut(conversation_defaults={"tags": {"operator": "replace", "value": ["c"]}})
    remove = Shortcut(conversation_defaults={"tags": {"operator": "remove", "value": ["a"]}})
    same = Shortcut(conversation_defaults={"tags": {"operator": "append", "value": ["a"]}})
    assert services.shortcut_conversation_changes(replace, conversation) == {"tags": ["c"]}
    assert services.shortcut_conversation_changes(remove, conversation) == {"tags": ["b"]}
    assert services.shortcut_conversation_changes(same, conversation) == {}


def test_a_failed_reply_applies_nothing(client, org, who, desk):
    customer, conversation = desk
    shortcut = services.shortcut_create(
        org=org,
        actor=who["sam"],
        data={
            "name": "tagit",
            "payload": "x",
            "conversation": {"tags": {"operator": "append", "value": ["refund"]}},
        },
    )
    client.force_login(who["sam"])
    r = client.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "reply", "body": "", "conversation": conversation.pk, "shortcuts": shortcut.pk},
    )
    assert r.status_code == 422
    assert f'value="{shortcut.pk}"' in r.content.decode()  # kept for the retry
    conversation.refresh_from_db()
    assert "refund" not in conversation.tags


def test_existing_shortcuts_are_migrated(org, agent):
    from importlib import import_module

    from django.apps import apps as registry

    migration = import_module("conversations.migrations.0003_shortcut_kustomer_shape")
    old = ShortcutFactory(owner=agent, payload="Line one\nLine two")
    assert old.rich_text == {}
    migration.to_kustomer_shape(registry, None)
    old.refresh_from_db()
    assert [b["text"] for b in old.rich_text["blocks"]] == ["Line one", "Line two"]
    assert all(len(b["key"]) == 5 for b in old.rich_text["blocks"])
    assert old.draft_text == "Line one\nLine two" and old.modified_by_id == agent.pk


def test_the_desk_renders_the_conversation_in_view(client, org, who, desk):
    customer, conversation = desk
    conversation.custom = {"caseId": "C-9"}
    conversation.save()
    ShortcutFactory(
        org=org, owner=who["sam"], name="case", payload="Case {{conversation.custom.caseId}}"
    )
    client.force_login(who["sam"])
    url = f"/customers/{customer.pk}/shortcuts.json"
    data = client.get(url, {"q": "case", "conversation": conversation.pk}).json()["data"]
    assert data[0]["text"] == "Case C-9"
    other = client.get(url, {"q": "case", "conversation": 999999}).json()["data"]
    assert other[0]["text"] == "Case {{conversation.custom.caseId}}"
