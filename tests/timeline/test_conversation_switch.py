"""Picking another conversation in the card's dropdown: the address follows (HX-Push-Url, so
reload and back work) and the page is told which timeline entry is that conversation's newest;
a page loaded at a conversation has that entry on its first page, however deep."""

import json
from datetime import timedelta

import pytest

from conversations import services as conv
from kdesk.events import emit_many
from kdesk.models import Event
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, first = build(org, who, orders=False)
    second = conv.conversation_create(
        org=org, actor=None, customer=customer, data={"name": "Refund request"}
    )
    message = conv.message_create(
        org=org,
        actor=None,
        conversation=second,
        data={"direction": "in", "channel": "chat", "body": "Can I get a refund?"},
    )
    return who, customer, first, second, message


def test_switching_pushes_the_url_and_names_the_newest_entry(client, desk):
    who, customer, first, second, message = desk
    client.force_login(who["sam"])

    response = client.get(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": first.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="conversation-select",
    )

    assert response.status_code == 200
    assert response["HX-Push-Url"] == (
        f"/customers/{customer.pk}/?conversation={first.pk}&view=open.all"
    )
    detail = json.loads(response["HX-Trigger-After-Settle"])["kdesk-conversation"]
    newest = Event.objects.filter(customer_id=customer.pk, resource="note").latest("id")
    assert detail == {"id": first.pk, "entry": newest.pk}
    assert f'<option value="{first.pk}" selected>' in response.content.decode()


def test_a_live_refresh_of_the_card_does_not_move_the_url(client, desk):
    who, customer, first, _, _ = desk
    client.force_login(who["sam"])
    response = client.get(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": first.pk},
        HTTP_HX_REQUEST="true",
        HTTP_HX_TRIGGER="conversation-wrap",
    )
    assert "HX-Push-Url" not in response and "HX-Trigger-After-Settle" not in response


def test_a_page_at_a_conversation_loads_its_newest_entry(client, org, desk):
    who, customer, first, second, message = desk
    event = Event.objects.get(resource="message", resource_id=str(message.pk))
    note = Event.objects.filter(customer_id=customer.pk, resource="note").latest("id")
    # newer entries (of another kind: add_events' fake message ids would alias real ones)
    # push both down past the first page
    emit_many(
        org=org,
        events=[
            {
                "type": "kobject.order.create",
                "resource": "kobject.order",
                "resource_id": str(1000 + i),
                "customer_id": customer.pk,
                "data": {"attributes": {"title": f"Order {i}"}},
                "at": event.created_at + timedelta(seconds=i + 1),
            }
            for i in range(70)
        ],
    )
    client.force_login(who["sam"])

    html = client.get(f"/customers/{customer.pk}/?conversation={first.pk}").content.decode()

    assert f'id="entry-{note.pk}"' in html
    assert f'data-conversation-entry="{note.pk}"' in html
    assert 'data-highlight=""' in html
