"""Errors agents read name fields by their display names: never `snoozeUntil`, `bodyHtml`,
`lifetimeValueNum` or `payload`."""

import re

import pytest

from tests.timeline.desk_data import build, people
from timeline.wording import humanize

pytestmark = pytest.mark.django_db

INTERNAL = ("snoozeUntil", "bodyHtml", "lifetimeValueNum", "payload")


def visible_text(html):
    """The words a person reads: markup and attribute values left out."""
    return re.sub(r"<[^>]*>", " ", html)


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, conversation = build(org, who, orders=False)
    return who, customer, conversation


def test_humanize():
    labels = {"lifetimeValueNum": "Lifetime value"}
    assert humanize("snoozeUntil is required to snooze a conversation.") == (
        "Snooze until is required to snooze a conversation."
    )
    assert humanize("A message needs a body or a bodyHtml.") == (
        "A message needs a body or a Formatted text."
    )
    assert humanize("lifetimeValueNum must be at least 0.", labels) == (
        "Lifetime value must be at least 0."
    )
    assert humanize("orderTotalNum must be a number.") == "Order Total must be a number."
    assert humanize("payload is required.") == "Text is required."
    # a one-word field starting the message is the field; inside a sentence it is a word
    assert humanize("priority must be between 1 and 5.") == "Priority must be between 1 and 5."
    assert humanize("A tag needs a name.") == "A tag needs a name."
    assert humanize("snoozeUntil must be an ISO-8601 datetime.") == (
        "Snooze until must be a date and time."
    )
    # addresses and paths stay as written
    assert humanize("ken.tanakaSan@mail.example and /v1/customers/fooBar") == (
        "ken.tanakaSan@mail.example and /v1/customers/fooBar"
    )


def test_a_bad_attribute_value_names_the_attribute(client, desk):
    who, customer, _ = desk
    client.force_login(who["sam"])
    response = client.post(
        f"/customers/{customer.pk}/attributes/lifetimeValueNum/",
        {"value": "-5"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    text = visible_text(response.content.decode())
    assert "Lifetime value" in text
    assert not any(name in text for name in INTERNAL), text


def test_snoozing_without_a_time_names_the_field(client, desk):
    who, customer, conversation = desk
    client.force_login(who["sam"])
    response = client.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "snoozed", "snoozeUntil": ""},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    text = visible_text(response.content.decode())
    assert "Snooze until is required" in text
    assert not any(name in text for name in INTERNAL), text


def test_an_empty_reply_names_no_internal_field(client, desk):
    who, customer, conversation = desk
    client.force_login(who["sam"])
    response = client.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "reply", "body": "", "conversation": conversation.pk},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    text = visible_text(response.content.decode())
    assert "Write the reply first: it is empty." in text
    assert not any(name in text for name in INTERNAL), text


def test_a_bad_priority_and_snooze_time_read_as_the_card_labels_them(client, desk):
    who, customer, conversation = desk
    client.force_login(who["sam"])
    response = client.post(
        f"/customers/{customer.pk}/conversation/",
        {
            "conversation": conversation.pk,
            "status": "snoozed",
            "snoozeUntil": "next week",
            "priority": "9",
        },
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    text = visible_text(response.content.decode())
    assert "Priority must be between 1 and 5." in text
    assert "Snooze until must be a date and time." in text
    assert "priority must" not in text and "ISO-8601" not in text
