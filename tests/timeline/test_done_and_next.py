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


def test_from_a_saved_view_it_opens_the_next_of_that_view(client, org, desk):
    """The open inbox's next conversation is not the saved view's: the saved one is followed."""
    from timeline.services import saved_view_create

    who, customer, first = desk
    urgent = CustomerFactory(org=org, name="Grace Hopper")
    in_view = conv.conversation_create(
        org=org, actor=None, customer=urgent, data={"name": "Outage", "priority": 5}
    )
    newer = CustomerFactory(org=org, name="Ken Tanaka")
    conv.conversation_create(org=org, actor=None, customer=newer, data={"name": "Hello"})
    conv.conversation_update(org=org, actor=who["ada"], conversation=first, data={"priority": 5})
    view = saved_view_create(
        org=org, actor=who["sam"], name="Urgent", team_id=None, filters={"priority": 5}
    )
    _resolve(org, who, first)
    client.force_login(who["sam"])

    inbox = client.get(f"/inbox/?view={view.pk}").content.decode()
    assert f"conversation={first.pk}&amp;view=saved.{view.pk}" in inbox
    page = client.get(f"/customers/{customer.pk}/?conversation={first.pk}&view=saved.{view.pk}")
    assert f'name="view" value="saved.{view.pk}"' in page.content.decode()

    response = _post(client, customer, first, view=f"saved.{view.pk}")

    assert response.status_code == 204, response.content
    assert response["HX-Redirect"] == (
        f"/customers/{urgent.pk}/?conversation={in_view.pk}&view=saved.{view.pk}"
    )


def test_the_last_of_a_saved_view_returns_to_it(client, org, desk):
    from timeline.services import saved_view_create

    who, customer, first = desk
    view = saved_view_create(
        org=org, actor=who["sam"], name="Mine", team_id=None, filters={"status": "open"}
    )
    _resolve(org, who, first)
    client.force_login(who["sam"])

    response = _post(client, customer, first, view=f"saved.{view.pk}")

    assert response["HX-Redirect"] == f"/inbox/?view={view.pk}"


def test_someone_elses_private_view_falls_back_to_the_open_inbox(client, org, desk):
    from timeline.services import saved_view_create

    who, customer, first = desk
    private = saved_view_create(
        org=org, actor=who["ada"], name="Ada's", team_id=None, filters={"priority": 5}
    )
    _resolve(org, who, first)
    client.force_login(who["sam"])

    response = _post(client, customer, first, view=f"saved.{private.pk}")

    assert response["HX-Redirect"] == "/inbox/?status=open&scope=all"
