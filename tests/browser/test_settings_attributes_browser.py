"""An admin with no knowledge of suffixes gives the "return" object an enum, a date and a
number with a minimum of 0 by picking types; each type shows only its own options."""

import re

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_defines_typed_attributes_with_the_type_picker(signed_in, screenshot, org):
    from klasses import services
    from klasses.models import Metadata
    from tests.factories import UserFactory

    services.klass_create(org=org, actor=None, data={"name": "return", "displayName": "Return"})
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/objects/return/")
    page.get_by_role("link", name="Attributes", exact=True).last.click()
    page.wait_for_url("**/settings/attributes/return/")
    page.get_by_text("No attributes yet").wait_for()
    screenshot(page, "settings-attributes-empty")

    # a choice from a list: Text (short) with allowed values
    page.get_by_role("link", name="Add attribute").first.click()
    page.wait_for_url("**/_new/")
    page.wait_for_load_state()  # the type picker starts once the page has loaded
    page.get_by_label("Display name", exact=True).fill("Return reason")
    assert page.get_by_label("Name in the API").input_value() == "returnReason"
    assert page.locator("[data-suffix]").inner_text() == "Str"
    assert page.get_by_label("Minimum", exact=True).is_hidden()  # numbers only
    values = page.locator('[data-list="enum"] [name="enum_value"]')
    values.first.fill("damaged")
    page.locator('[data-list="enum"] [name="enum_label"]').first.fill("Arrived damaged")
    values.first.press("Enter")  # Enter adds the next row
    values.nth(1).fill("wrong_size")
    screenshot(page, "settings-attribute-enum")
    page.get_by_role("button", name="Add attribute").click()
    page.wait_for_url("**/settings/attributes/return/")

    # a date
    page.get_by_role("link", name="Add attribute").first.click()
    page.wait_for_url("**/_new/")
    page.wait_for_load_state()  # the type picker starts once the page has loaded
    page.get_by_label("Display name", exact=True).fill("Received")
    page.get_by_role("radio", name=re.compile("^Date and time")).check()
    assert page.locator("[data-suffix]").inner_text() == "At"
    assert page.locator("#enum-editor").is_hidden()
    page.get_by_role("button", name="Add attribute").click()
    page.wait_for_url("**/settings/attributes/return/")

    # a number with a minimum of 0; a wrong minimum first
    page.get_by_role("link", name="Add attribute").first.click()
    page.wait_for_url("**/_new/")
    page.wait_for_load_state()  # the type picker starts once the page has loaded
    page.get_by_label("Display name", exact=True).fill("Refund amount")
    page.get_by_role("radio", name=re.compile("^Number")).check()
    assert page.locator("[data-suffix]").inner_text() == "Num"
    assert page.get_by_label("Fewest characters", exact=True).is_hidden()
    page.get_by_label("Minimum", exact=True).fill("zero")
    page.get_by_role("checkbox", name="Required").check()
    page.get_by_role("button", name="Add attribute").click()
    page.wait_for_load_state()
    assert page.locator("#id_min_error").get_by_text("Write a number").is_visible()
    assert page.get_by_label("Display name", exact=True).input_value() == "Refund amount"
    screenshot(page, "settings-attribute-error")
    page.get_by_label("Minimum", exact=True).fill("0")
    page.get_by_role("button", name="Add attribute").click()
    page.wait_for_url("**/settings/attributes/return/")
    screenshot(page, "settings-attributes")

    props = Metadata.objects.get(resource="kobject.return").properties
    assert props["returnReasonStr"]["enum"] == ["damaged", "wrong_size"]
    assert props["receivedAt"]["type"] == "At"
    assert props["refundAmountNum"]["min"] == 0 and props["refundAmountNum"]["required"]

    # reorder with the keyboard-reachable buttons
    page.get_by_role("button", name="Move Refund amount up").click()
    page.wait_for_load_state()
    rows = page.locator("tbody tr td:first-child a").all_inner_texts()
    assert rows.index("Refund amount") < rows.index("Received")
