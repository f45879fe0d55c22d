"""A mention notification opens its note in view (below the sticky top bar, highlighted) and
marks the notification read; screenshots of the list at three widths."""

import re

import pytest
from playwright.sync_api import expect

from tests.timeline.desk_data import add_events, build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_notification_opens_the_note_visible_and_read(db, signed_in, screenshot):
    from conversations.models import Note, Notification
    from kdesk.models import Event
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="notif-e2e", name="Notif E2E")
    who = people(org)
    customer, _ = build(org, who, orders=False)
    note = Note.objects.filter(org=org).latest("id")
    event = Event.objects.get(org=org, resource="note", resource_id=str(note.pk))
    add_events(org, customer, 40, start=event.created_at)  # newer entries push the note down
    notification = Notification.objects.get(org=org, user=who["lee"], note=note)

    page = signed_in(who["lee"])
    page.goto("/notifications/")
    assert page.locator("#notif-count").inner_text() == "1"
    with page.expect_navigation():
        page.locator(f"#notification-{notification.pk} a.notif-link").click()

    entry = page.locator(f"#entry-{event.pk} .tl-entry")
    entry.wait_for()
    expect(entry).to_have_class(re.compile(r"(^|\s)is-highlighted(\s|$)"))
    expect(entry).to_be_in_viewport(ratio=1)
    box = entry.bounding_box()
    bar = page.locator(".topbar").bounding_box()
    viewport = page.viewport_size
    assert box["y"] >= bar["y"] + bar["height"], (box, bar)
    assert box["y"] + box["height"] <= viewport["height"], (box, viewport)
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert page.locator("#notif-count").is_hidden()
    screenshot(page, "notification-opened")
