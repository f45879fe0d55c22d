"""Switching conversation in the card's dropdown changes the address and brings that
conversation's newest entry into view."""

import pytest
from playwright.sync_api import expect

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_switching_conversation_moves_url_and_timeline(db, signed_in):
    from conversations import services as conv
    from kdesk.models import Event
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="switch-e2e", name="Switch E2E")
    who = people(org)
    customer, first = build(org, who, orders=False)
    second = conv.conversation_create(
        org=org, actor=None, customer=customer, data={"name": "Refund request"}
    )
    for i in range(25):
        conv.message_create(
            org=org,
            actor=None,
            conversation=second,
            data={"direction": "in", "channel": "chat", "body": f"Chat line {i}"},
        )
    note = Event.objects.filter(customer_id=customer.pk, resource="note").latest("id")

    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/?conversation={second.pk}")
    page.select_option("#conversation-select", str(first.pk))
    page.wait_for_url(f"**/customers/{customer.pk}/?conversation={first.pk}&view=open.all")
    entry = page.locator(f"#entry-{note.pk}")
    # wholly inside the viewport once the smooth scroll has brought it there
    expect(entry).to_be_in_viewport(ratio=1)
    assert page.locator("#conversation-select").input_value() == str(first.pk)
    page.go_back()
    page.wait_for_url(f"**/customers/{customer.pk}/?conversation={second.pk}")
