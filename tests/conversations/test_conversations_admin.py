"""Django admin for conversations: pages load; writes go through the services (notes added
inline parse mentions and notify, edits record events and bump rev); what has no service is
read-only; an org admin sees only their org (and nobody's private shortcuts but their own)."""

import pytest
from django.test import Client

from conversations import services
from conversations.models import Conversation, Message, Note, Notification, Shortcut, Tag
from customers.services import customer_create
from kdesk.models import Event
from kdesk.services import user_create_or_update
from tests.conversations.factories import (
    ConversationFactory,
    MessageFactory,
    NoteFactory,
    NotificationFactory,
    ShortcutFactory,
    TagFactory,
)
from tests.events import emitted_since, last_event_id
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(org):
    user = UserFactory(org=org, role="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def ada(org):
    """The demo-style org admin: role admin (so staff), no superuser, no model permissions."""
    user, _ = user_create_or_update(org=org, email="ada@acme.test", role="admin", username="ada")
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def sam(org):
    return user_create_or_update(org=org, email="sam@acme.test", username="sam")[0]


@pytest.fixture
def conversation(org, ada):
    _, user = ada
    customer = customer_create(org=org, actor=user, data={"name": "Grace"})
    conv = services.conversation_create(
        org=org, actor=user, data={"customer": customer.pk, "name": "Where is my order?"}
    )
    services.message_create(
        org=org,
        actor=None,
        conversation=conv,
        data={"direction": "in", "channel": "email", "body": "Hello?"},
    )
    return conv


def test_admin_pages_load(org, staff):
    client, user = staff
    conv = ConversationFactory(org=org)
    MessageFactory(conversation=conv)
    NoteFactory(conversation=conv)
    NotificationFactory(user=user)
    TagFactory(org=org)
    ShortcutFactory(owner=user)
    for name in ("conversation", "message", "note", "notification", "tag", "shortcut"):
        r = client.get(f"/admin/conversations/{name}/")
        assert r.status_code == 200, name
    r = client.get(f"/admin/conversations/conversation/{conv.pk}/change/")
    assert r.status_code == 200
    assert b"Message body" in r.content and b"Internal note" in r.content


def change_form(conv, **extra):
    """The conversation change page as posted: its fields and both inlines' formsets."""
    messages = list(conv.messages.order_by("sent_at", "id").values_list("pk", flat=True))
    data = {
        "name": conv.name,
        "status": conv.status,
        "snooze_until_0": "",
        "snooze_until_1": "",
        "priority": conv.priority,
        "assigned_user": "",
        "assigned_team": "",
        "tags": "[]",
        "custom": "{}",
        "loaded_rev": conv.rev,
        "messages-TOTAL_FORMS": len(messages),
        "messages-INITIAL_FORMS": len(messages),
        "messages-MIN_NUM_FORMS": 0,
        "messages-MAX_NUM_FORMS": 1000,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
        "notes-MIN_NUM_FORMS": 0,
        "notes-MAX_NUM_FORMS": 1000,
    }
    for i, pk in enumerate(messages):
        data[f"messages-{i}-id"] = pk
        data[f"messages-{i}-conversation"] = conv.pk
    data.update(extra)
    return data


def test_a_note_added_inline_parses_mentions_and_notifies(ada, sam, conversation):
    client, user = ada
    before = last_event_id()
    r = client.post(
        f"/admin/conversations/conversation/{conversation.pk}/change/",
        change_form(
            conversation,
            **{
                "notes-TOTAL_FORMS": 1,
                "notes-0-id": "",
                "notes-0-conversation": conversation.pk,
                "notes-0-body": "@sam can you check the tracking?",
            },
        ),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    note = Note.objects.get()
    assert (note.author, note.mentioned_user_ids, note.org_id) == (user, [sam.pk], user.org_id)
    notification = Notification.objects.get(note=note)
    assert notification.user == sam and notification.kind == "mention"
    assert emitted_since(before) == ["conversation.note.create"]
    conversation.refresh_from_db()
    assert conversation.rev == 1  # nothing else changed: no conversation.update


def test_existing_messages_and_notes_are_read_only(ada, conversation):
    client, user = ada
    note = services.note_create(
        org=conversation.org, actor=user, conversation=conversation, data={"body": "first"}
    )
    message = conversation.messages.get()
    page = client.get(f"/admin/conversations/conversation/{conversation.pk}/change/")
    assert page.status_code == 200
    notes_formset = page.context["inline_admin_formsets"][1]
    assert notes_formset.has_add_permission and not notes_formset.has_change_permission
    for path in (f"message/{message.pk}", f"note/{note.pk}"):
        r = client.get(f"/admin/conversations/{path}/change/")
        assert r.status_code == 200 and r.context["title"].startswith("View"), path
        assert client.post(f"/admin/conversations/{path}/change/", {}).status_code == 403
        assert client.post(f"/admin/conversations/{path}/delete/", {"post": "y"}).status_code == 403
    assert client.get("/admin/conversations/notification/add/").status_code == 403


def test_a_conversation_edit_records_an_event_and_bumps_rev(ada, sam, conversation):
    client, user = ada
    r = client.post(
        f"/admin/conversations/conversation/{conversation.pk}/change/",
        change_form(conversation, status="done", priority=1, assigned_user=sam.pk),
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    conversation.refresh_from_db()
    assert (conversation.status, conversation.priority, conversation.rev) == ("done", 1, 2)
    event = Event.objects.filter(type="conversation.update").get()
    assert event.actor == user and event.rev == 2
    assert event.changes["status"] == {"before": "open", "after": "done"}
    assert Notification.objects.filter(user=sam, kind="assignment").count() == 1


def test_an_invalid_edit_is_shown_on_the_form_and_nothing_is_written(ada, conversation):
    client, _ = ada
    before = Event.objects.count()
    r = client.post(
        f"/admin/conversations/conversation/{conversation.pk}/change/",
        change_form(
            conversation,
            status="snoozed",
            **{
                "notes-TOTAL_FORMS": 1,
                "notes-0-id": "",
                "notes-0-conversation": conversation.pk,
                "notes-0-body": "snoozing this",
            },
        ),
    )
    assert r.status_code == 200
    assert "snoozeUntil is required" in str(r.context["adminform"].form.errors["snooze_until"])
    conversation.refresh_from_db()
    assert (conversation.status, conversation.rev) == ("open", 1)
    assert not Note.objects.exists()  # the inline note was rolled back with the edit
    assert Event.objects.count() == before


def test_a_conversation_cannot_be_assigned_to_another_orgs_user(ada, conversation, other_org):
    client, _ = ada
    stranger = user_create_or_update(org=other_org, email="x@globex.test")[0]
    r = client.post(
        f"/admin/conversations/conversation/{conversation.pk}/change/",
        change_form(conversation, assigned_user=stranger.pk),
    )
    assert r.status_code == 200
    assert "assigned_user" in r.context["adminform"].form.errors
    conversation.refresh_from_db()
    assert conversation.assigned_user is None


def test_a_message_added_in_the_admin_goes_through_the_service(ada, conversation):
    client, user = ada
    r = client.post(
        "/admin/conversations/message/add/",
        {
            "conversation": conversation.pk,
            "direction": "out",
            "channel": "email",
            "body": "It shipped today.",
            "body_html": "",
            "sent_at_0": "",
            "sent_at_1": "",
            "custom": "{}",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    message = Message.objects.get(body="It shipped today.")
    assert message.author == user and message.preview == "It shipped today."
    conversation.refresh_from_db()
    assert conversation.message_count == 2
    assert Event.objects.filter(type="conversation.message.create").count() == 2


def test_tags_are_written_through_the_services(ada, org):
    client, _ = ada
    assert client.post("/admin/conversations/tag/add/", {"name": "vip", "color": "#AA0000"})
    tag = Tag.objects.get()
    assert (tag.org, tag.color) == (org, "#aa0000")
    r = client.post(
        "/admin/conversations/tag/add/", {"name": "VIP", "color": "#aa0000"}
    )  # names are unique regardless of case
    assert r.status_code == 200 and "exists" in r.content.decode()
    r = client.post(
        f"/admin/conversations/tag/{tag.pk}/change/",
        {"name": "gold", "color": "#aa0000", "loaded_rev": 1},
    )
    assert r.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.rev) == ("gold", 2)
    r = client.post(f"/admin/conversations/tag/{tag.pk}/delete/", {"post": "yes"})
    assert r.status_code == 302 and not Tag.objects.exists()
    assert emitted_since(resource="tag") == ["tag.create", "tag.update", "tag.delete"]


def test_someone_elses_private_shortcut_stays_private(ada, sam, org):
    client, user = ada
    private = services.shortcut_create(
        org=org, actor=sam, data={"name": "mine", "payload": "x", "visibility": "private"}
    )
    shared = services.shortcut_create(org=org, actor=sam, data={"name": "ours", "payload": "y"})
    r = client.get("/admin/conversations/shortcut/")
    assert {s.pk for s in r.context["cl"].result_list} == {shared.pk}
    assert client.get(f"/admin/conversations/shortcut/{private.pk}/change/").status_code == 302
    r = client.post(
        "/admin/conversations/shortcut/add/",
        {"name": "hello", "payload": "Hi {{customer.firstName}}", "visibility": "private"},
    )
    assert r.status_code == 302
    own = Shortcut.objects.get(name="hello")
    assert (own.owner, own.org) == (user, org)
    assert Event.objects.filter(type="shortcut.create").count() == 3


def test_an_org_admin_never_sees_another_orgs_conversations(ada, conversation, other_org):
    client, _ = ada
    theirs = ConversationFactory(org=other_org)
    r = client.get("/admin/conversations/conversation/")
    assert {c.pk for c in r.context["cl"].result_list} == {conversation.pk}
    assert client.get(f"/admin/conversations/conversation/{theirs.pk}/change/").status_code == 302
    r = client.post(
        f"/admin/conversations/conversation/{theirs.pk}/change/",
        change_form(theirs, name="hijacked"),
    )
    theirs.refresh_from_db()
    assert theirs.name != "hijacked"
    assert Conversation.objects.filter(org=other_org).count() == 1
