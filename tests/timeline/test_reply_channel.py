"""A reply goes out on the channel the customer last wrote on."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conversations import services
from conversations.models import Message
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


def message(org, conversation, direction, channel, minutes_ago):
    return services.message_create(
        org=org,
        actor=None,
        conversation=conversation,
        data={
            "direction": direction,
            "channel": channel,
            "body": f"{direction} on {channel}",
            "sentAt": (timezone.now() - timedelta(minutes=minutes_ago)).isoformat(),
        },
    )


def test_it_answers_on_the_customers_last_channel_not_the_last_one_added(client, org, who):
    customer, conversation = build(org, who, orders=False)
    message(org, conversation, "in", "chat", 30)  # the customer moved to chat
    message(org, conversation, "out", "voice", 20)  # an agent called once
    client.force_login(who["sam"])
    page = client.get(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    assert "via Chat" in page.content.decode()
    client.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "reply", "body": "Following up here", "conversation": conversation.pk},
        headers={"HX-Request": "true"},
    )
    sent = Message.objects.filter(conversation=conversation).latest("id")
    assert sent.direction == "out" and sent.channel == "chat"
