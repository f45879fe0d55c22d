"""An admin adds "refund amount required on create" by picking the object and then the
attribute from the list that object has; the rule reads back as a sentence as they pick."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_adds_a_rule_by_picking_the_attribute(signed_in, screenshot, org):
    from klasses import services
    from klasses.models import ValidationRule
    from tests.factories import UserFactory

    services.klass_create(org=org, actor=None, data={"name": "return", "displayName": "Return"})
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.return",
        data={"properties": {"refundAmountNum": {"displayName": "Refund amount"}}},
    )
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/rules/")
    page.get_by_text("No rules yet").wait_for()
    page.get_by_role("link", name="New rule").first.click()
    page.wait_for_url("**/_new/")
    page.wait_for_load_state()  # htmx and the form's script start once the page has loaded
    assert page.get_by_label("Status", exact=True).is_hidden()
    page.get_by_label("Object", exact=True).select_option(label="Return")
    attribute = page.get_by_label("Attribute")
    attribute.locator("option", has_text="Refund amount").wait_for(state="attached")
    attribute.select_option(label="Refund amount")
    page.locator("#rule-sentence").get_by_text(
        "A Return cannot be created without Refund amount."
    ).wait_for()
    assert page.get_by_label("Value", exact=True).is_hidden()
    page.get_by_label("Rule", exact=True).select_option(label="Must be at least")
    page.get_by_label("Value", exact=True).fill("0")
    page.locator("#rule-sentence").get_by_text(
        "When a Return is created, Refund amount must be at least 0."
    ).wait_for()
    page.get_by_label("Rule", exact=True).select_option(label="Must be filled in")
    screenshot(page, "settings-rule-new")
    page.get_by_role("button", name="Add rule").click()
    page.wait_for_url("**/settings/rules/")
    assert page.get_by_role(
        "link", name="A Return cannot be created without Refund amount."
    ).is_visible()
    screenshot(page, "settings-rules")
    rule = ValidationRule.objects.get()
    assert (rule.attribute, rule.when, rule.condition) == ("data.refundAmountNum", "create", {})
