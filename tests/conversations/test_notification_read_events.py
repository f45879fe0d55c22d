"""Marking notifications read records one `notification.read` event naming the person and the
notifications (the desk's bell follows it); marking nothing read records nothing. Notifications
that go with a deleted note record a `notification.delete` for each person who had one."""

import pytest

from conversations import services
from conversations.models import Notification
from kdesk.models import Event
from tests.customers.factories import CustomerFactory
from tests.events import assert_events
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def mentioned(org, admin_user):
    bo = UserFactory(org=org, username="bo")
    customer = CustomerFactory(org=org, name="Ada")
    conversation = services.conversation_create(
        org=org, actor=admin_user, customer=customer, data={"name": "Refund"}
    )
    note = services.note_create(
        org=org, actor=admin_user, conversation=conversation, data={"body": "@bo look"}
    )
    return bo, conversation, note


def test_mark_read_records_who_read_what(org, mentioned):
    bo, _, note = mentioned
    notification = Notification.objects.get(user=bo)
    with assert_events(["notification.read"], org=org):
        assert services.notifications_mark_read(org=org, user=bo) == 1
    event = Event.objects.latest("id")
    assert (event.resource, event.resource_id, event.actor_id) == (
        "notification",
        str(bo.pk),
        bo.pk,
    )
    assert event.data == {"user": str(bo.pk), "ids": [str(notification.pk)], "count": 1}
    assert event.customer_id is None  # no customer's timeline shows it


def test_nothing_to_mark_records_nothing(org, mentioned, django_assert_num_queries):
    bo, conversation, note = mentioned
    services.notifications_mark_read(org=org, user=bo)
    with assert_events([]), django_assert_num_queries(1):  # one read, no write
        assert services.notifications_mark_read(org=org, user=bo) == 0
        assert services.notifications_mark_seen(org=org, user=bo, note_id=None) == 0
    with assert_events([]):
        assert services.notifications_mark_seen(org=org, user=bo, note_id=note.pk) == 0


def test_opening_the_note_marks_its_notification_seen(org, mentioned):
    bo, _, note = mentioned
    with assert_events(["notification.read"]):
        assert services.notifications_mark_seen(org=org, user=bo, note_id=note.pk) == 1
    assert not Notification.objects.filter(user=bo, read_at__isnull=True).exists()


def test_someone_elses_ids_are_not_marked(org, admin_user, mentioned):
    bo, _, _ = mentioned
    theirs = Notification.objects.get(user=bo)
    with assert_events([]):
        assert services.notifications_mark_read(org=org, user=admin_user, ids=[theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_deleting_the_note_removes_its_notifications_with_one_event_per_person(
    org, admin_user, mentioned
):
    bo, _, note = mentioned
    with assert_events(["conversation.note.delete", "notification.delete"]):
        services.note_delete(org=org, actor=admin_user, note=note)
    assert not Notification.objects.filter(org=org).exists()
    assert Event.objects.latest("id").data["user"] == str(bo.pk)
