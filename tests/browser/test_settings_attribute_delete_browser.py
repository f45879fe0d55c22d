"""Deleting an attribute: from its editor, the confirmation says how many stored objects have
a value and what becomes of them; after it the list no longer shows it."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_deletes_an_attribute_after_reading_what_happens(signed_in, screenshot, org):
    from klasses import services
    from klasses.models import Metadata
    from tests.factories import UserFactory

    ret = services.klass_create(
        org=org, actor=None, data={"name": "return", "displayName": "Return"}
    )
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.return",
        data={
            "properties": {
                "reasonStr": {"displayName": "Reason"},
                "refundNum": {"displayName": "Refund amount"},
            }
        },
    )
    for n in range(3):
        services.kobject_create(
            org=org, actor=None, klass=ret, data={"title": f"R{n}", "custom": {"reasonStr": "x"}}
        )
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/attributes/return/reasonStr/")
    page.get_by_role("link", name="Delete…").click()
    page.wait_for_url("**/reasonStr/delete/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Delete the attribute “Reason” of Return?"
    )
    expect(page.get_by_text("3 Return objects")).to_be_visible()
    screenshot(page, "settings-attribute-delete")
    page.get_by_role("button", name="Delete “Reason”").click()
    page.wait_for_url("**/settings/attributes/return/")
    expect(page.get_by_role("status")).to_contain_text("Attribute “Reason” deleted.")
    expect(page.get_by_role("link", name="Reason", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Refund amount", exact=True)).to_be_visible()
    assert list(Metadata.objects.get().properties) == ["refundNum"]
