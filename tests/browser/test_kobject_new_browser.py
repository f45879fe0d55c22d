"""A new KObject from the desk, in the browser: the customer page's "New object" opens the
form; a bad total is refused beside its field with the typed values kept; fixed, the order is
created and shows on the customer's timeline."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_adding_an_order_from_the_customer_page(db, signed_in, screenshot):
    from klasses.models import KObject
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="kobject-e2e", name="KObject E2E")
    who = people(org)
    customer, _ = build(org, who, orders=True)

    page = signed_in(who["sam"])
    page.goto(f"/customers/{customer.pk}/")
    page.get_by_role("link", name="New object").click()
    page.get_by_role("link", name="Order").click()
    page.get_by_label("Title").fill("Order #7001")
    page.get_by_label("Order number").fill("7001")
    page.get_by_label("Total").fill("-3")
    page.get_by_role("button", name="Add order").click()
    page.locator(".field.has-error").first.wait_for()
    assert page.get_by_label("Title").input_value() == "Order #7001"
    assert page.get_by_label("Total").input_value() == "-3"
    assert "Total" in page.locator(".field.has-error").inner_text()
    screenshot(page, "kobject-new-error")
    assert not KObject.objects.filter(org=org, title="Order #7001").exists()

    page.get_by_label("Total").fill("42")
    page.get_by_role("button", name="Add order").click()
    page.wait_for_url(f"**/customers/{customer.pk}/")
    page.locator(".tl-entry:has-text('Order #7001')").first.wait_for()
    obj = KObject.objects.get(org=org, title="Order #7001")
    assert obj.customer_id == customer.pk and obj.data["totalNum"] == 42
    screenshot(page, "kobject-new-created")
