"""The conversation card's snooze time is shown and read back in the agent's time zone, so a
save that does not touch it leaves the instant where it was."""

import re
from datetime import UTC, datetime

import pytest

from conversations import services as conv
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    agent.time_zone = "America/New_York"
    agent.save(update_fields=["time_zone"])
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def snoozed(org, who):
    customer, conversation = build(org, who, orders=False)

    def snooze(at):
        conv.conversation_update(
            org=org,
            actor=who["ada"],
            conversation=conversation,
            data={"status": "snoozed", "snoozeUntil": at},
        )
        conversation.refresh_from_db()
        return conversation

    return customer, conversation, snooze


def snooze_input(html):
    return re.search(r'<input id="conv-snooze"[^>]*>', html).group(0)


def card(client, customer, conversation):
    url = f"/customers/{customer.pk}/conversation/?conversation={conversation.pk}"
    return client.get(url).content.decode()


def test_it_shows_the_snooze_time_in_the_agents_zone(client, who, snoozed):
    customer, conversation, snooze = snoozed
    snooze("2030-01-15T04:00:00Z")
    client.force_login(who["sam"])
    field = snooze_input(card(client, customer, conversation))
    assert 'value="2030-01-14T23:00"' in field  # New York is UTC-5 in January
    assert "step=" not in field
    assert "In your time zone (America/New_York)" in card(client, customer, conversation)


def test_it_keeps_the_snooze_time_when_only_the_assignee_changes(client, who, snoozed):
    customer, conversation, snooze = snoozed
    for at, expected, assignee in (
        ("2030-01-15T04:00:00Z", datetime(2030, 1, 15, 4, 0, tzinfo=UTC), "lee"),
        ("2030-07-15T04:00:30.250Z", datetime(2030, 7, 15, 4, 0, 30, 250000, tzinfo=UTC), "priya"),
    ):
        conversation = snooze(at)
        client.force_login(who["sam"])
        value = re.search(r'value="([^"]*)"', snooze_input(card(client, customer, conversation)))
        response = client.post(
            f"/customers/{customer.pk}/conversation/",
            {
                "conversation": conversation.pk,
                "status": "snoozed",
                "snoozeUntil": value.group(1),
                "assignedUser": who[assignee].pk,
            },
        )
        assert response.status_code == 200
        conversation.refresh_from_db()
        assert conversation.assigned_user == who[assignee]
        assert conversation.snooze_until == expected


def test_seconds_are_kept_in_the_input(client, who, snoozed):
    customer, conversation, snooze = snoozed
    snooze("2030-07-15T04:00:30.250Z")
    client.force_login(who["sam"])
    field = snooze_input(card(client, customer, conversation))
    assert 'value="2030-07-15T00:00:30.250"' in field and 'step="0.001"' in field


def test_a_time_the_agent_types_is_read_in_their_zone(client, who, snoozed):
    customer, conversation, snooze = snoozed
    snooze("2030-01-15T04:00:00Z")
    client.force_login(who["sam"])
    response = client.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "snoozed", "snoozeUntil": "2030-01-16T08:30"},
    )
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.snooze_until == datetime(2030, 1, 16, 13, 30, tzinfo=UTC)
    assert 'value="2030-01-16T08:30"' in snooze_input(response.content.decode())


def test_an_unknown_zone_reads_as_utc_both_ways(client, who, snoozed):
    customer, conversation, snooze = snoozed
    snooze("2030-01-15T04:00:00Z")
    who["sam"].time_zone = "../not-a-zone"
    who["sam"].save(update_fields=["time_zone"])
    client.force_login(who["sam"])
    assert 'value="2030-01-15T04:00"' in snooze_input(card(client, customer, conversation))
