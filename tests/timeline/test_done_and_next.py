"""Done and next: the conversation is closed and the agent lands on the next conversation of
the inbox view they came from (or that view, empty, with a word); a validation rule that
blocks closing shows its error on the card instead."""

import pytest

from conversations import services as conv
from conversations.models import Conversation
from tests.customers.factories import CustomerFactory
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, first = build(org, who, orders=False)
    return who, customer, first


def _post(client, customer, conversation, view="open.all", **extra):
    return client.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "open", "then": "next", "view": view, **extra},
        HTTP_HX_REQUEST="true",
    )


def _resolve(org, who, conversation):
    # the demo rule: a resolution is required before a conversation is done
    return conv.conversation_update(
        org=org,
        actor=who["ada"],
        conversation=conversation,
        data={"custom": {"resolutionStr": "answered"}},
    )


def test_it_closes_and_opens_the_next_of_the_view(client, org, desk):
    who, customer, first = desk
    other = CustomerFactory(org=org, name="Ken Tanaka")
    second = conv.conversation_create(
        org=org,
        actor=None,
        customer=other,
        data={"name": "Refund", "assignedUser": who["sam"].pk},
    )
    conv.conversation_update(
        org=org, actor=who["ada"], conversation=first, data={"assignedUser": who["sam"].pk}
    )
    _resolve(org, who, first)
    client.force_login(who["sam"])

    response = _post(client, customer, first, view="open.mine")

    assert response.status_code == 204, response.content
    assert response["HX-Redirect"] == (
        f"/customers/{other.pk}/?conversation={second.pk}&view=open.mine"
    )
    first.refresh_from_db()
    assert first.status == "done"


def test_the_last_one_returns_to_the_empty_view(client, org, desk):
    who, customer, first = desk
    _resolve(org, who, first)
    client.force_login(who["sam"])

    response = _post(client, customer, first)

    assert response.status_code == 204
    assert response["HX-Redirect"] == "/inbox/?status=open&scope=all"
    page = client.get(response["HX-Redirect"]).content.decode()
    assert "Nothing left here." in page


def test_a_blocking_rule_shows_on_the_card(client, org, desk):
    who, customer, first = desk
    client.force_login(who["sam"])

    response = _post(client, customer, first)

    assert response.status_code == 422
    assert "HX-Redirect" not in response
    assert Conversation.objects.get(pk=first.pk).status == "open"
    assert 'id="done-next"' in response.content.decode()


def test_the_card_offers_it_and_the_help_lists_the_keys(client, org, desk):
    who, customer, first = desk
    client.force_login(who["sam"])
    html = client.get(f"/customers/{customer.pk}/?conversation={first.pk}&view=open.mine")
    html = html.content.decode()
    assert '<input type="hidden" name="view" value="open.mine">' in html
    assert 'id="done-next"' in html
    assert 'id="keys-help"' in html and "Done and next" in html
