"""The conversation's name heads its run of messages and notes on the timeline, also when the
newest entry is a status change (a snooze, say): the page renders the head the live
fragments keep (desk.js dedupeHeads), so it does not vanish on a reload."""

import re

import pytest

from conversations import services as conv
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


def _heads(html):
    """(entry kind, whether it carries the head) for each entry, newest first."""
    items = re.findall(r'<li class="tl-item"[^>]*data-kind="(\w+)"[^>]*>(.*?)</li>', html, re.S)
    return [(kind, 'class="tl-conv-head"' in body) for kind, body in items]


def test_a_status_change_keeps_the_head_on_the_messages_below_it(client, org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, conversation = build(org, who, orders=False)
    conv.conversation_update(
        org=org,
        actor=who["sam"],
        conversation=conversation,
        data={"status": "snoozed", "snoozeUntil": "2099-01-01T09:00:00Z"},
    )
    client.force_login(who["sam"])

    html = client.get(f"/customers/{customer.pk}/").content.decode()

    heads = _heads(html)
    assert heads[0] == ("conversation", False)
    # the newest note under the change carries the head, and only it
    assert heads[1] == ("note", True)
    assert sum(1 for _, head in heads if head) == 1
    assert "Where is my order?" in html.split('class="tl-conv-head"', 1)[1][:400]
