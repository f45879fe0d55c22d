"""Merging a duplicate customer in the browser: from the customer page, find the duplicate,
read the preview, confirm; the kept customer's page then shows the moved conversation."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_merging_a_duplicate_from_the_customer_page(db, signed_in, screenshot):
    from conversations import services as conv
    from customers.models import Customer
    from customers.services import customer_create
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="merge-e2e", name="Merge E2E")
    who = people(org)
    grace, _ = build(org, who, orders=False)
    dupe = customer_create(
        org=org,
        actor=None,
        data={"name": "G. Hopper", "emails": [{"type": "work", "email": "gh@navy.example"}]},
    )
    conv.message_create(
        org=org,
        actor=None,
        customer=dupe,
        data={"direction": "in", "channel": "email", "subject": "Second account", "body": "Hi"},
    )

    page = signed_in(who["sam"])
    page.goto(f"/customers/{grace.pk}/")
    page.get_by_role("link", name="Merge…").click()
    page.get_by_label("Find the duplicate").fill("Hopper")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="G. Hopper").click()
    page.locator(".merge-list").first.wait_for()
    assert "gh@navy.example" in page.locator(".merge-list").nth(1).inner_text()
    screenshot(page, "customer-merge-preview")
    assert Customer.objects.filter(pk=dupe.pk).exists()

    page.get_by_role("button", name="Merge into Grace Hopper").click()
    page.wait_for_url(f"**/customers/{grace.pk}/")
    assert "Merged G. Hopper into Grace Hopper" in page.locator("body").inner_text()
    page.locator("#conversation-select, select[name=conversation]").first.wait_for()
    assert "Second account" in page.locator("#conversation-wrap").inner_text()
    assert not Customer.objects.filter(pk=dupe.pk).exists()
