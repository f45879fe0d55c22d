"""Done and next from the keyboard: `e` closes the conversation and opens the next one of the
agent's inbox view; `?` lists the keys."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_e_closes_and_opens_the_next_conversation(db, signed_in, screenshot):
    from conversations import services as conv
    from conversations.models import Conversation
    from tests.customers.factories import CustomerFactory
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="next-e2e", name="Next E2E")
    who = people(org)
    customer, first = build(org, who, orders=False)
    conv.conversation_update(
        org=org,
        actor=who["ada"],
        conversation=first,
        data={"custom": {"resolutionStr": "answered"}},
    )
    other = CustomerFactory(org=org, name="Ken Tanaka")
    second = conv.conversation_create(org=org, actor=None, customer=other, data={"name": "Refund"})
    conv.message_create(
        org=org,
        actor=None,
        conversation=second,
        data={"direction": "in", "channel": "chat", "body": "Can I get a refund?"},
    )

    page = signed_in(who["sam"])
    page.goto("/inbox/")
    page.locator(f"[data-inbox-row][href*='conversation={first.pk}']").click()
    page.wait_for_url(f"**/customers/{customer.pk}/?conversation={first.pk}&view=open.all")

    page.locator("h1").first.click()
    page.keyboard.press("?")
    page.locator("#keys-help").wait_for(state="visible")
    assert "Done and next" in page.locator("#keys-help").inner_text()
    screenshot(page, "keys-help")
    page.keyboard.press("Escape")
    page.locator("#keys-help").wait_for(state="hidden")

    page.keyboard.press("e")
    page.wait_for_url(f"**/customers/{other.pk}/?conversation={second.pk}&view=open.all")
    assert Conversation.objects.get(pk=first.pk).status == "done"
    assert page.locator("#conversation-select").input_value() == str(second.pk)


def test_e_in_a_saved_view_stays_in_that_view(db, signed_in):
    from conversations import services as conv
    from conversations.models import Conversation
    from tests.customers.factories import CustomerFactory
    from tests.factories import OrganizationFactory
    from timeline.services import saved_view_create

    org = OrganizationFactory(slug="next-saved-e2e", name="Next Saved E2E")
    who = people(org)
    customer, first = build(org, who, orders=False)
    conv.conversation_update(
        org=org,
        actor=who["ada"],
        conversation=first,
        data={"custom": {"resolutionStr": "answered"}, "priority": 5},
    )
    urgent = CustomerFactory(org=org, name="Grace Hopper")
    in_view = conv.conversation_create(
        org=org, actor=None, customer=urgent, data={"name": "Outage", "priority": 5}
    )
    newest = CustomerFactory(org=org, name="Ken Tanaka")
    conv.conversation_create(org=org, actor=None, customer=newest, data={"name": "Hello"})
    view = saved_view_create(
        org=org, actor=who["sam"], name="Urgent", team_id=None, filters={"priority": 5}
    )

    page = signed_in(who["sam"])
    page.goto(f"/inbox/?view={view.pk}")
    page.locator(f"[data-inbox-row][href*='conversation={first.pk}']").click()
    page.wait_for_url(f"**/customers/{customer.pk}/?conversation={first.pk}&view=saved.{view.pk}")

    page.locator("h1").first.click()
    page.keyboard.press("e")
    page.wait_for_url(f"**/customers/{urgent.pk}/?conversation={in_view.pk}&view=saved.{view.pk}")
    assert Conversation.objects.get(pk=first.pk).status == "done"
