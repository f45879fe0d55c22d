"""Tags in the desk: chips coloured by the org's tag, added and removed on a conversation (with
its card) and on a customer (at once), and the inbox filtered by a tag."""

import re

import pytest

from conversations import services as conv
from tests.conversations.factories import TagFactory
from tests.customers.factories import CustomerFactory
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(client, org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, conversation = build(org, who, orders=False)
    TagFactory(org=org, name="billing", color="#dc2626")
    TagFactory(org=org, name="vip", color="#7c3aed")
    client.force_login(who["sam"])
    return who, customer, conversation


def test_the_card_saves_chips_and_a_typed_tag(client, desk):
    _, customer, conversation = desk

    response = client.post(
        f"/customers/{customer.pk}/conversation/",
        {
            "conversation": conversation.pk,
            "status": "open",
            "tags_field": "1",
            "tags": ["billing"],
            "tag_new": "refund, billing",
        },
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200, response.content
    conversation.refresh_from_db()
    assert conversation.tags == ["billing", "refund"]
    html = response.content.decode()
    assert 'class="tag-chip" style="--tag: #dc2626"' in html
    assert 'aria-label="Remove tag refund"' in html
    assert '<option value="vip">' in html  # the org's tags are suggested


def test_removing_every_tag_clears_them(client, org, desk):
    _, customer, conversation = desk
    conv.conversation_update(
        org=org, actor=None, conversation=conversation, data={"tags": ["billing"]}
    )
    client.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "open", "tags_field": "1"},
        HTTP_HX_REQUEST="true",
    )
    conversation.refresh_from_db()
    assert conversation.tags == []


def test_a_customer_tag_saves_at_once(client, desk):
    _, customer, _ = desk

    response = client.post(
        f"/customers/{customer.pk}/tags/",
        {"tags": ["vip"], "tag_new": "churn-risk"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.tags == ["vip", "churn-risk"]
    html = response.content.decode()
    assert 'id="attr-tags"' in html and 'style="--tag: #7c3aed"' in html


def test_a_too_long_tag_is_refused_beside_the_tags(client, desk):
    _, customer, _ = desk
    response = client.post(
        f"/customers/{customer.pk}/tags/", {"tag_new": "x" * 300}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert 'class="field-error"' in response.content.decode()
    customer.refresh_from_db()
    assert customer.tags == []


def test_the_inbox_filters_by_tag(client, org, desk):
    who, customer, conversation = desk
    conv.conversation_update(
        org=org, actor=None, conversation=conversation, data={"tags": ["billing"]}
    )
    conv.conversation_create(
        org=org, actor=None, customer=CustomerFactory(org=org, name="Other"), data={"tags": ["vip"]}
    )

    html = client.get("/inbox/?tag=billing").content.decode()

    assert re.findall(r'<span class="title">([\w ]+?) <', html) == ["Grace Hopper"]
    assert "tagged “billing”" in html
    assert 'class="tag-chip is-active" style="--tag: #dc2626"' in html
    assert 'class="tag-chip tag-chip-sm" style="--tag: #dc2626">billing</span>' in html
    everyone = client.get("/inbox/").content.decode()
    assert len(re.findall(r'<span class="title">', everyone)) == 2


def test_an_empty_tag_filter_says_the_tag_and_offers_the_way_out(client, desk):
    html = client.get("/inbox/?status=snoozed&scope=mine&tag=vip").content.decode()
    assert "Inbox zero" in html
    assert "No snoozed conversations tagged “vip” assigned to you." in html
    assert '<a href="/inbox/?status=snoozed&amp;scope=mine&amp;sort=' in html
    assert "Show every tag</a>" in html
    plain = client.get("/inbox/?status=snoozed&scope=mine").content.decode()
    assert "No snoozed conversations assigned to you." in plain
    assert "Show every tag</a>" not in plain
