"""Shortcuts in the desk: picking one in a reply applies its conversation tags when the reply
is sent, and another agent's shared shortcut is copied, not edited."""

import pytest

from conversations import services
from conversations.models import Shortcut
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def desk_org(db):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="shortcut-e2e", name="Shortcut E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=False)
    shortcut = services.shortcut_create(
        org=org,
        actor=who["lee"],
        data={
            "name": "refund",
            "payload": "Hi {{customer.firstName}}, your refund is on its way.",
            "conversation": {"tags": {"operator": "append", "value": ["refund"]}},
        },
    )
    return org, who, customer, conversation, shortcut


def test_a_picked_shortcut_tags_the_conversation(desk_org, signed_in, screenshot):
    org, who, customer, conversation, _ = desk_org
    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    page.locator("#compose-body").click()
    page.keyboard.type("#ref")
    page.wait_for_selector("#compose-suggest li:has-text('#refund')")
    page.keyboard.press("Enter")
    assert page.input_value("#compose-body") == "Hi Grace, your refund is on its way."
    page.keyboard.press("Control+Enter")
    page.wait_for_selector(".tl-entry:has-text('your refund is on its way')")
    page.wait_for_selector(".tl-conversation:has-text('refund')")
    screenshot(page, "desk-shortcut-tags")
    conversation.refresh_from_db()
    assert "refund" in conversation.tags


def test_another_agents_shortcut_is_copied(desk_org, signed_in):
    org, who, _, _, shortcut = desk_org
    page = signed_in(who["sam"])
    page.goto("/shortcuts/")
    row = page.locator(f"#shortcut-{shortcut.pk}")
    assert row.locator("a:has-text('Edit')").count() == 0
    row.locator("button:has-text('Copy')").click()
    page.wait_for_url("**/edit/")
    copy = Shortcut.objects.get(owner=who["sam"])
    assert page.input_value("#sc-name") == copy.name == "refund-copy"
    assert page.input_value("#sc-tags") == "refund"
    page.fill("#sc-payload", "Hi {{customer.firstName}}, all done.")
    page.click("button:has-text('Save changes')")
    page.wait_for_url("**/shortcuts/")
    copy.refresh_from_db()
    shortcut.refresh_from_db()
    assert copy.payload == "Hi {{customer.firstName}}, all done."
    assert shortcut.payload == "Hi {{customer.firstName}}, your refund is on its way."
