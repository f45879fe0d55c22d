"""An agent's Shortcuts page on a phone (390 px): the new-shortcut form comes under the list
instead of lying over it, and the list scrolls inside its card rather than widening the page."""

import pytest

from tests.timeline.desk_data import people

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_shortcuts_page_fits_a_phone(db, signed_in, screenshot):
    from conversations import services
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="shortcuts-phone", name="Shortcuts phone")
    who = people(org)
    for name in ("greeting", "refund-issued", "tracking"):
        services.shortcut_create(
            org=org,
            actor=who["sam"],
            data={"name": name, "payload": "Hi {{customer.firstName}}, " + "thanks! " * 12},
        )
    page = signed_in(who["sam"], viewport={"width": 390, "height": 844})
    page.goto("/shortcuts/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    table = page.locator(".grid-shortcuts > .card").nth(0).bounding_box()
    form = page.locator(".grid-shortcuts > .card").nth(1).bounding_box()
    assert form["y"] >= table["y"] + table["height"], (table, form)
    assert table["x"] + table["width"] <= 390
    page.get_by_role("cell", name="#tracking").wait_for()
    screenshot(page, "shortcuts-phone")
