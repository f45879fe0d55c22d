"""Editing a relationship: the sides and how many come filled in, the sentence follows a new
pick, and a narrower choice that existing links break is refused with how many break."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_narrows_a_relationship_that_links_break(signed_in, screenshot, org):
    from klasses import services
    from klasses.models import Link, Relationship
    from tests.factories import UserFactory

    order = services.klass_create(
        org=org, actor=None, data={"name": "order", "displayName": "Order"}
    )
    ret = services.klass_create(
        org=org, actor=None, data={"name": "return", "displayName": "Return"}
    )
    services.klass_update(
        org=org,
        actor=None,
        klass=order,
        data={
            "relationships": [{"name": "returns", "target": "return", "cardinality": "one-to-many"}]
        },
    )
    rel = Relationship.objects.get()
    o = services.kobject_create(org=org, actor=None, klass=order, data={"title": "O1"})
    for n in range(2):
        r = services.kobject_create(org=org, actor=None, klass=ret, data={"title": f"R{n}"})
        Link.objects.create(org=org, relationship=rel, from_id=str(o.pk), to_id=str(r.pk))
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/relationships/")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.wait_for_url(f"**/settings/relationships/{rel.pk}/")
    page.wait_for_load_state()
    expect(page.get_by_label("From", exact=True)).to_have_value("kobject.order")
    expect(page.get_by_label("One to many")).to_be_checked()
    expect(page.get_by_label("Name in the API")).to_be_disabled()
    page.get_by_label("One to one").check()
    expect(page.locator("#rel-sentence")).to_have_text(
        "One Order has one Return; each Return belongs to one Order."
    )
    page.get_by_role("button", name="Save relationship").click()
    error = page.locator("#id_cardinality_error")
    expect(error).to_contain_text("2 of the 2 existing links do not fit")
    expect(page.get_by_label("Name in the API")).to_have_value("returns")
    screenshot(page, "settings-relationship-edit")
    rel.refresh_from_db()
    assert rel.cardinality == "one_to_many"
    page.get_by_label("Many to many").check()
    page.get_by_role("button", name="Save relationship").click()
    page.wait_for_url("**/settings/relationships/")
    expect(page.get_by_role("status")).to_contain_text("Link “returns” saved.")
    rel.refresh_from_db()
    assert rel.cardinality == "many_to_many" and Link.objects.count() == 2
