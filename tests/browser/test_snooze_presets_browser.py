"""Snoozing takes one click for the usual wake times: "Tomorrow", "Monday" and "In a week" fill
the field with 09:00 of that day in the agent's own time zone (not the browser's), and saving
snoozes the conversation until then."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_preset_fills_the_wake_time_in_the_agents_zone(db, signed_in, screenshot):
    from conversations.models import Conversation
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="snooze-presets", name="Snooze presets")
    who = people(org)
    who["sam"].time_zone = "Pacific/Auckland"  # far from the browser's UTC
    who["sam"].save(update_fields=["time_zone"])
    customer, conversation = build(org, who, orders=False)
    zone = ZoneInfo("Pacific/Auckland")
    today = datetime.now(zone).date()

    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    field = page.locator("#conv-snooze")
    assert not field.is_visible()  # the field and its presets show once the status is snoozed

    page.locator("#conv-status").select_option("snoozed")
    page.get_by_role("button", name="Tomorrow").click()
    assert field.input_value() == f"{today + timedelta(days=1)}T09:00"
    page.get_by_role("button", name="In a week").click()
    assert field.input_value() == f"{today + timedelta(days=7)}T09:00"
    page.get_by_role("button", name="Monday").click()
    monday = today + timedelta(days=(7 - today.weekday()) or 7)
    assert field.input_value() == f"{monday}T09:00"
    screenshot(page, "snooze-presets")

    page.locator("#conversation-card").get_by_role("button", name="Save").click()
    page.locator("#conversation-card .pill-snoozed").wait_for()
    conversation = Conversation.objects.get(pk=conversation.pk)
    assert conversation.status == "snoozed"
    assert conversation.snooze_until == datetime.combine(monday, time(9), zone)
