"""Snooze in the browser: the header says when the conversation wakes up (in the agent's zone),
and a customer's new message (through the API, another process) reopens it live on the page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_inbound_message_reopens_a_snoozed_conversation_live(db, signed_in, screenshot):
    from conversations import services as conv
    from kdesk.services import api_key_create
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="snooze-e2e", name="Snooze E2E")
    who = people(org)
    who["sam"].time_zone = "Europe/Paris"
    who["sam"].save(update_fields=["time_zone"])
    customer, conversation = build(org, who, orders=False)
    wake = (timezone.now() + timedelta(days=3)).replace(hour=8, minute=0, second=0, microsecond=0)
    conv.conversation_update(
        org=org,
        actor=who["ada"],
        conversation=conversation,
        data={"status": "snoozed", "snoozeUntil": wake.isoformat()},
    )
    _, token = api_key_create(org=org, name="inbound")

    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    state = page.locator("#conversation-card .conv-state")
    state.locator(".pill-snoozed").wait_for()
    expected = page.evaluate(
        """(iso) => {
          const d = new Date(iso);
          const parts = {};
          new Intl.DateTimeFormat('en-GB', {timeZone: 'Europe/Paris', weekday: 'short',
            day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23'})
            .formatToParts(d).forEach(p => parts[p.type] = p.value);
          return `${parts.weekday} ${parts.day} ${parts.month}`;
        }""",
        wake.isoformat(),
    )
    assert f"until {expected}" in state.inner_text()
    assert ":00" in state.inner_text()

    response = page.request.post(
        f"/v1/customers/{customer.pk}/messages",
        data={"direction": "in", "channel": "email", "body": "Any news on my parcel?"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status == 201, response.text()

    # Live: the message, the reopen entry, and the card's status, without a reload.
    page.locator("#timeline-entries .tl-entry:has-text('Any news on my parcel?')").wait_for()
    page.locator("#timeline-entries .tl-entry:has-text('wrote in and reopened')").wait_for()
    page.locator("#conversation-card .pill-open").wait_for()
    assert page.locator("#conv-status").input_value() == "open"
    screenshot(page, "snooze-reopened")
