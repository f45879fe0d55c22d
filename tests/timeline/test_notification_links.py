"""A pushed notification (desktop notification or toast) links with the parameters the customer
page reads: a mention opens the note loaded and highlighted, an assignment its conversation."""

import re

import pytest

from conversations.models import Note
from kdesk.models import Event
from tests.timeline.desk_data import add_events, build, people
from timeline import live

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, conversation = build(org, who, orders=False)
    return who, customer, conversation


def test_a_mention_links_to_the_note_even_far_down_the_timeline(client, org, desk):
    who, customer, _ = desk
    note = Note.objects.latest("id")
    event = Event.objects.get(resource="note", resource_id=str(note.pk))
    add_events(org, customer, 80, start=event.created_at)
    url = live.notification_message(event, who["lee"].pk)["notify"]["url"]
    assert url == f"/customers/{customer.pk}/?note={note.pk}#entry-{event.pk}"
    client.force_login(who["lee"])
    page = client.get(url.split("#")[0]).content.decode()
    assert f'data-highlight="{event.pk}"' in page and f'id="entry-{event.pk}"' in page


def test_an_assignment_links_to_its_conversation(client, org, desk):
    from conversations.services import conversation_create, conversation_update

    who, customer, _ = desk
    other = conversation_create(org=org, actor=None, customer=customer, data={"name": "Refund"})
    conversation_update(
        org=org, actor=who["sam"], conversation=other, data={"assignedUser": who["lee"].pk}
    )
    event = Event.objects.filter(resource="conversation", resource_id=str(other.pk)).latest("id")
    assert who["lee"].pk in live.notified_users(event)
    message = live.notification_message(event, who["lee"].pk)
    url = message["notify"]["url"]
    assert url == f"/customers/{customer.pk}/?conversation={other.pk}#entry-{event.pk}"
    client.force_login(who["lee"])
    page = client.get(url.split("#")[0]).content.decode()
    assert re.search(rf'<option value="{other.pk}" selected>Refund', page)
    assert f'id="entry-{event.pk}"' in page
