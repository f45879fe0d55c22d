"""An admin relates return to order by picking both sides from lists: the sentence says what
the link means as they pick, and the name fills itself in."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_relates_returns_to_an_order(signed_in, screenshot, org):
    from klasses import services
    from klasses.models import Relationship
    from tests.factories import UserFactory

    services.klass_create(org=org, actor=None, data={"name": "order", "displayName": "Order"})
    services.klass_create(org=org, actor=None, data={"name": "return", "displayName": "Return"})
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/relationships/")
    page.get_by_text("No relationships yet").wait_for()
    page.get_by_role("link", name="New relationship").first.click()
    page.wait_for_url("**/_new/")
    page.wait_for_load_state()  # the form's script starts once the page has loaded
    page.get_by_label("From", exact=True).select_option(label="Return")
    page.get_by_label("To", exact=True).select_option(label="Order")
    page.get_by_label("Many to one").check()
    page.locator("#rel-sentence").get_by_text(
        "Many Returns belong to one Order; one Order has many Returns."
    ).wait_for()
    assert page.get_by_label("Name in the API").input_value() == "returns"
    assert page.get_by_label("Recorded as").is_hidden()
    screenshot(page, "settings-relationship-new")
    page.get_by_role("button", name="Create relationship").click()
    page.wait_for_url("**/settings/relationships/")
    assert page.get_by_role(
        "cell", name="One Order has many Returns; each Return belongs to one Order."
    ).is_visible()
    screenshot(page, "settings-relationships")
    rel = Relationship.objects.get()
    assert (rel.from_resource, rel.to_resource, rel.cardinality) == (
        "kobject.order",
        "kobject.return",
        "one_to_many",
    )
