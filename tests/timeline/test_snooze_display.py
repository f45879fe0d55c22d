"""Snooze in the desk: the wake time reads "until Tue 15 Jan 2030, 04:00" in the agent's zone
on the timeline, in the conversation header and in the Snoozed list (soonest to wake first); a
time already past is refused beside the field, the conversation left as it was."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from conversations import services as conv
from tests.customers.factories import CustomerFactory
from tests.timeline.desk_data import build, people
from timeline.insights import wake_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    agent.time_zone = "Asia/Tokyo"
    agent.save(update_fields=["time_zone"])
    return people(org, agent=agent, admin=admin_user)


def _snooze(org, who, conversation, at):
    return conv.conversation_update(
        org=org,
        actor=who["ada"],
        conversation=conversation,
        data={"status": "snoozed", "snoozeUntil": at},
    )


def test_wake_text_says_the_year_only_when_it_is_not_this_one(monkeypatch):
    monkeypatch.setattr(
        "timeline.insights.timezone.now", lambda: datetime(2030, 1, 2, 12, 0, tzinfo=UTC)
    )
    at = datetime(2030, 1, 15, 0, 0, tzinfo=UTC)
    assert wake_text(at, "Europe/Paris") == "Tue 15 Jan, 01:00"
    assert wake_text(at, "America/New_York") == "Mon 14 Jan, 19:00"
    assert wake_text(datetime(2031, 1, 15, 8, tzinfo=UTC), "UTC") == "Wed 15 Jan 2031, 08:00"


def test_timeline_and_header_show_the_wake_time_in_the_agents_zone(client, org, who):
    customer, conversation = build(org, who, orders=False)
    _snooze(org, who, conversation, "2030-01-14T19:00:00Z")  # 04:00 next day in Tokyo
    client.force_login(who["sam"])

    html = client.get(f"/customers/{customer.pk}/").content.decode()

    assert "snoozed it <time" in html
    assert "until Tue 15 Jan 2030, 04:00</time>" in html
    assert "2030-01-14T19:00:00" not in re.sub(r'datetime="[^"]*"', "", html)
    header = html.split('class="conv-state"', 1)[1].split("</span></span>", 1)[0]
    assert "until Tue 15 Jan 2030, 04:00" in header


def test_snoozed_list_is_sorted_by_wake_time_and_shows_it(client, org, who):
    now = timezone.now()
    wakes = {"later": 30, "soon": 2, "middle": 10}
    for name, days in wakes.items():
        conversation = conv.conversation_create(
            org=org, actor=None, customer=CustomerFactory(org=org, name=name), data={}
        )
        _snooze(org, who, conversation, (now + timedelta(days=days)).isoformat())
    client.force_login(who["sam"])

    html = client.get("/inbox/?status=snoozed").content.decode()

    names = re.findall(r'<span class="title">(\w+) ', html)
    assert names == ["soon", "middle", "later"]
    assert html.count('class="wake-at"') == 3
    assert "until " in html


def test_snoozed_list_pages_by_wake_time(client, org, who, monkeypatch):
    monkeypatch.setattr("timeline.views.inbox.INBOX_PAGE", 2)
    now = timezone.now()
    for i in range(5):
        conversation = conv.conversation_create(
            org=org, actor=None, customer=CustomerFactory(org=org, name=f"c{i}"), data={}
        )
        _snooze(org, who, conversation, (now + timedelta(hours=5 - i)).isoformat())
    client.force_login(who["sam"])
    seen, url = [], "/inbox/?status=snoozed"
    while url:
        html = client.get(url, HTTP_HX_REQUEST="true").content.decode()
        seen += re.findall(r'<span class="title">(\w+) ', html)
        found = re.search(r'hx-get="(/inbox/\?status=snoozed[^"]*cursor=[^"]*)"', html)
        url = found.group(1).replace("&amp;", "&") if found else None
    assert seen == ["c4", "c3", "c2", "c1", "c0"]


def test_a_past_snooze_is_refused_beside_the_field(client, org, who):
    customer, conversation = build(org, who, orders=False)
    client.force_login(who["sam"])

    response = client.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "snoozed", "snoozeUntil": "2020-01-01T09:00"},
    )

    assert response.status_code == 422
    html = response.content.decode()
    field = html.split('class="field snooze-field has-error"', 1)[1].split('id="conv-user"')[0]
    assert 'value="2020-01-01T09:00"' in field
    assert '<div class="field-error">The snooze time has already passed' in field
    assert "snoozeUntil" not in re.sub(r'(name|for|id)="[^"]*"', "", html)
    conversation.refresh_from_db()
    assert conversation.status == "open"
