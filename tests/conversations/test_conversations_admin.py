import pytest
from django.test import Client

from tests.factories import UserFactory
from tests.factories_conversations import (
    ConversationFactory,
    MessageFactory,
    NoteFactory,
    NotificationFactory,
    ShortcutFactory,
    TagFactory,
)


@pytest.fixture
def staff(org):
    user = UserFactory(org=org, role="admin", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client, user


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
