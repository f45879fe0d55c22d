import datetime as dt

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import Conversation, Message, Notification
from conversations.selectors import conversations_for_inbox, unread_notification_count
from customers.models import Customer
from kdesk.errors import Conflict, NotFound, ValidationFailed
from kdesk.models import Event
from klasses.models import ValidationRule
from tests.conversations.factories import (
    ConversationCustomerFactory,
    ConversationFactory,
    NotificationFactory,
    ShortcutFactory,
)
from tests.events import emitted_since
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def customer(org):
    return ConversationCustomerFactory(org=org, name="Jane Doe")


def test_it_creates_a_conversation_with_one_event(org, admin_user, customer):
    conv = services.conversation_create(
        org=org,
        actor=admin_user,
        data={"customer": str(customer.pk), "name": "Refund", "priority": 2, "tags": ["vip"]},
    )
    assert conv.status == "open" and conv.priority == 2 and conv.tags == ["vip"]
    (event,) = Event.objects.filter(resource="conversation")
    assert event.type == "conversation.create" and event.customer_id == customer.pk
    assert event.data["attributes"]["name"] == "Refund"
    assert event.data["meta"]["customerName"] == "Jane Doe"


def test_it_reports_every_problem_at_once(org, admin_user):
    with pytest.raises(ValidationFailed) as exc:
        services.conversation_create(
            org=org,
            actor=admin_user,
            data={"priority": 9, "status": "closed", "bogus": 1},
        )
    assert {e.pointer for e in exc.value.errors} == {"/customer", "/priority", "/status", "/bogus"}
    assert not Conversation.objects.exists()


def test_snoozing_needs_a_time(org, admin_user, customer):
    conv = ConversationFactory(org=org, customer=customer)
    with pytest.raises(ValidationFailed) as exc:
        services.conversation_update(
            org=org, actor=admin_user, conversation=conv, data={"status": "snoozed"}
        )
    assert exc.value.errors[0].pointer == "/snoozeUntil"
    until = (timezone.now() + dt.timedelta(days=1)).isoformat()
    conv = services.conversation_update(
        org=org,
        actor=admin_user,
        conversation=conv,
        data={"status": "snoozed", "snoozeUntil": until},
    )
    assert conv.snooze_until is not None
    conv = services.conversation_update(
        org=org, actor=admin_user, conversation=conv, data={"status": "open"}
    )
    assert conv.snooze_until is None


def test_update_records_changes_and_bumps_rev(org, admin_user, agent, customer):
    team = TeamFactory(org=org, name="Billing", slug="billing")
    conv = ConversationFactory(org=org, customer=customer)
    conv = services.conversation_update(
        org=org,
        actor=admin_user,
        conversation=conv,
        data={
            "status": "done",
            "assignedUser": agent.pk,
            "assignedTeam": team.pk,
            "custom": {"reasonStr": "refund"},
            "rev": 1,
        },
    )
    assert conv.rev == 2
    event = Event.objects.get(type="conversation.update")
    assert event.changes == {
        "status": {"before": "open", "after": "done"},
        "assignedUser": {"before": None, "after": str(agent.pk)},
        "assignedTeam": {"before": None, "after": str(team.pk)},
        "custom.reasonStr": {"before": None, "after": "refund"},
    }
    assert event.data["meta"]["assignedUserName"] == "Sam Rivera"
    assert event.data["meta"]["assignedTeamName"] == "Billing"
    assert event.rev == 2 and event.customer_id == customer.pk


def test_stale_rev_changes_nothing(org, admin_user, customer):
    conv = ConversationFactory(org=org, customer=customer, rev=3)
    with pytest.raises(Conflict):
        services.conversation_update(
            org=org, actor=admin_user, conversation=conv, data={"name": "x", "rev": 2}
        )
    conv.refresh_from_db()
    assert conv.name != "x" and conv.rev == 3
    assert not Event.objects.exists()


def test_an_update_that_changes_nothing_emits_nothing(org, admin_user, customer):
    conv = ConversationFactory(org=org, customer=customer, name="Same")
    services.conversation_update(
        org=org, actor=admin_user, conversation=conv, data={"name": "Same"}
    )
    assert not Event.objects.exists()


def test_assignment_notifies_the_assignee_not_self(org, admin_user, agent, customer):
    conv = ConversationFactory(org=org, customer=customer)
    services.conversation_update(
        org=org, actor=admin_user, conversation=conv, data={"assignedUser": agent.pk}
    )
    n = Notification.objects.get()
    assert n.user == agent and n.kind == "assignment" and n.conversation_id == conv.pk
    assert Event.objects.get(type="conversation.update").data["notified"] == [agent.pk]
    services.conversation_update(
        org=org, actor=admin_user, conversation=conv, data={"assignedUser": admin_user.pk}
    )
    assert Notification.objects.count() == 1


def test_assignment_to_another_org_is_not_found(org, other_org, admin_user, customer):
    conv = ConversationFactory(org=org, customer=customer)
    stranger = UserFactory(org=other_org)
    team = TeamFactory(org=other_org)
    with pytest.raises(NotFound) as exc:
        services.conversation_update(
            org=org,
            actor=admin_user,
            conversation=conv,
            data={"assignedUser": stranger.pk, "assignedTeam": team.pk},
        )
    assert {e.pointer for e in exc.value.errors} == {"/assignedUser", "/assignedTeam"}


def test_done_runs_the_validation_rules(org, admin_user, customer):
    ValidationRule.objects.create(
        org=org, resource="conversation", attribute="custom.reasonStr", when="status", status="done"
    )
    conv = ConversationFactory(org=org, customer=customer)
    with pytest.raises(ValidationFailed) as exc:
        services.conversation_update(
            org=org, actor=admin_user, conversation=conv, data={"status": "done"}
        )
    assert exc.value.errors[0].pointer == "/custom/reasonStr"
    conv.refresh_from_db()
    assert conv.status == "open"
    services.conversation_update(
        org=org,
        actor=admin_user,
        conversation=conv,
        data={"status": "done", "custom": {"reasonStr": "answered"}},
    )


def test_check_rules_gets_the_record_and_changes(org, admin_user, customer, monkeypatch):
    calls = []

    def fake(**kwargs):
        calls.append(kwargs)
        return []

    monkeypatch.setattr("klasses.attributes.check_rules", fake)
    conv = ConversationFactory(org=org, customer=customer)
    services.conversation_update(
        org=org, actor=admin_user, conversation=conv, data={"status": "done"}
    )
    (call,) = calls
    assert call["resource"] == "conversation" and call["action"] == "update"
    assert call["record"]["status"] == "done" and "status" in call["changed"]


def test_message_updates_conversation_and_customer_aggregates(org, agent, customer):
    conv = ConversationFactory(org=org, customer=customer)
    t1 = timezone.now() - dt.timedelta(hours=2)
    services.message_create(
        org=org,
        actor=agent,
        conversation=conv,
        data={
            "direction": "in",
            "channel": "email",
            "body": "Where is my parcel?",
            "sentAt": t1.isoformat(),
        },
    )
    m2 = services.message_create(
        org=org,
        actor=agent,
        conversation=conv,
        data={"direction": "out", "channel": "sms", "body": "It ships  today.\nSorry!"},
    )
    conv.refresh_from_db()
    customer.refresh_from_db()
    assert conv.message_count == 2
    assert conv.channels == ["email", "sms"]
    assert conv.first_message_at == t1
    assert conv.last_message_at == m2.sent_at
    assert conv.last_message_preview == "It ships today. Sorry!"
    assert conv.rev == 1
    assert customer.last_activity_at == m2.sent_at
    assert m2.author == agent
    event = Event.objects.filter(type="conversation.message.create").last()
    assert event.customer_id == customer.pk and event.resource_id == str(m2.pk)
    attrs = event.data["attributes"]
    assert attrs["direction"] == "out" and attrs["channel"] == "sms"
    assert attrs["body"].startswith("It ships") and attrs["preview"] == "It ships today. Sorry!"
    assert event.data["meta"] == {
        "authorName": "Sam Rivera",
        "conversationId": str(conv.pk),
        "conversationName": conv.name,
        "customerName": "Jane Doe",
    }


def test_an_older_message_does_not_move_the_last_message(org, agent, customer):
    conv = ConversationFactory(org=org, customer=customer)
    services.message_create(
        org=org,
        actor=agent,
        conversation=conv,
        data={"direction": "in", "channel": "chat", "body": "new"},
    )
    services.message_create(
        org=org,
        actor=agent,
        conversation=conv,
        data={
            "direction": "in",
            "channel": "chat",
            "body": "old",
            "sentAt": "2020-01-01T00:00:00Z",
        },
    )
    conv.refresh_from_db()
    assert conv.last_message_preview == "new"
    assert conv.first_message_at.year == 2020


def test_html_is_sanitised(org, agent, customer):
    conv = ConversationFactory(org=org, customer=customer)
    m = services.message_create(
        org=org,
        actor=agent,
        conversation=conv,
        data={
            "direction": "out",
            "channel": "email",
            "bodyHtml": '<p onclick="x()">Hi &amp; bye<script>alert(1)</script>'
            '<a href="javascript:evil()">x</a></p>',
        },
    )
    assert "<script" not in m.body_html and "onclick" not in m.body_html
    assert "javascript:" not in m.body_html
    assert m.body == "Hi & byex"


def test_message_to_a_customer_finds_or_opens_a_conversation(org, agent, customer):
    m1 = services.message_create(
        org=org,
        actor=None,
        customer=customer,
        data={"direction": "in", "channel": "email", "body": "hello", "subject": "Order 42"},
    )
    assert m1.conversation.name == "Order 42"
    m2 = services.message_create(
        org=org,
        actor=None,
        customer=customer,
        data={"direction": "in", "channel": "email", "body": "again"},
    )
    assert m2.conversation_id == m1.conversation_id
    m3 = services.message_create(
        org=org,
        actor=None,
        customer=customer,
        data={"direction": "in", "channel": "sms", "body": "text"},
    )
    assert m3.conversation_id != m1.conversation_id
    assert Conversation.objects.filter(customer=customer).count() == 2
    types = emitted_since()
    assert types.count("conversation.create") == 2
    assert types.count("conversation.message.create") == 3


def test_message_validation(org, agent, customer):
    with pytest.raises(ValidationFailed) as exc:
        services.message_create(
            org=org,
            actor=agent,
            customer=customer,
            data={"direction": "sideways", "channel": "pigeon", "sentAt": "yesterday"},
        )
    assert {e.pointer for e in exc.value.errors} == {"/direction", "/channel", "/body", "/sentAt"}
    assert not Message.objects.exists()


def test_notifications_read_and_count(org, agent, admin_user):
    a = NotificationFactory(user=agent)
    NotificationFactory(user=agent)
    NotificationFactory(user=admin_user)
    assert unread_notification_count(org=org.pk, user=agent) == 2
    assert unread_notification_count(org=org, user=agent) == 2
    assert services.notifications_mark_read(org=org, user=agent, ids=[a.pk]) == 1
    assert unread_notification_count(org=org, user=agent) == 1
    assert services.notifications_mark_read(org=org, user=agent) == 1
    assert unread_notification_count(org=org, user=agent) == 0
    assert unread_notification_count(org=org, user=admin_user) == 1


def test_shortcut_render(org, agent):
    customer = Customer(name="Jane Q Doe", emails=[{"type": "home", "email": "j@x.io"}])
    sc = ShortcutFactory(
        owner=agent,
        payload="Hi {{customer.firstName}} ({{ customer.name }}, {{customer.email}}), "
        "{{agent.firstName}} here. {{order.number}} {{customer.shoeSize}}",
    )
    out = services.shortcut_render(sc, customer=customer, agent=agent)
    assert out == "Hi Jane (Jane Q Doe, j@x.io), Sam here. {{order.number}} {{customer.shoeSize}}"


def test_inbox_scopes_and_keyset(org, agent, admin_user, customer):
    team = TeamFactory(org=org, slug="billing")
    team.members.add(agent)
    now = timezone.now()
    mine = [
        ConversationFactory(
            org=org,
            customer=customer,
            assigned_user=agent,
            last_activity_at=now - dt.timedelta(minutes=i),
        )
        for i in range(5)
    ]
    teams = ConversationFactory(org=org, customer=customer, assigned_team=team)
    ConversationFactory(org=org, customer=customer, status="done", assigned_user=agent)
    ConversationFactory(org=org, customer=customer)
    rows, cursor = conversations_for_inbox(org=org, user=agent, scope="mine", limit=3)
    assert [r["id"] for r in rows] == [c.pk for c in mine[:3]]
    assert rows[0]["customer__name"] == "Jane Doe"
    rows, cursor2 = conversations_for_inbox(org=org, user=agent, scope="mine", cursor=cursor)
    assert [r["id"] for r in rows] == [c.pk for c in mine[3:]] and cursor2 is None
    rows, _ = conversations_for_inbox(org=org, user=agent, scope="teams")
    assert [r["id"] for r in rows] == [teams.pk]
    rows, _ = conversations_for_inbox(org=org, user=agent, scope="all")
    assert len(rows) == 7
    rows, _ = conversations_for_inbox(org=org, user=agent, status="done")
    assert len(rows) == 1


def test_inbox_is_one_query(org, agent, customer, django_assert_num_queries):
    for _ in range(30):
        ConversationFactory(org=org, customer=customer)
    with django_assert_num_queries(1):
        conversations_for_inbox(org=org, user=agent, scope="teams", limit=50)
