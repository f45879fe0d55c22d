"""An admin builds a business rule on messages in the browser (the field suggestions follow
the resource picked), saves it, and moves it above another rule in the list."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_builds_a_message_rule_and_orders_it(signed_in, screenshot, org):
    from tests.factories import UserFactory
    from workflows.services import workflow_create

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    workflow_create(
        org=org,
        actor=admin,
        data={
            "name": "Everything normal",
            "trigger": {"type": "rule", "resource": "conversation", "on": ["create"]},
            "steps": [{"id": "set", "action": "set", "params": {"priority": 3}}],
        },
    )
    page = signed_in(admin)
    page.goto("/settings/workflows/new/")
    page.get_by_label("Name", exact=True).fill("Email is urgent")
    page.get_by_label("Start this workflow").select_option("rule")
    page.get_by_label("Apply to").select_option("message")
    # the suggestions are now the message's and its conversation's
    expect(page.locator('#wf-fields option[value="message.channel"]')).to_have_count(1)
    expect(page.locator('#wf-fields option[value="conversation.priority"]')).to_have_count(1)
    expect(page.locator('#wf-fields option[value="data.attributes.status"]')).to_have_count(0)
    page.get_by_role("button", name="Add condition").click()
    page.locator("[name=cond-0-field]").fill("message.channel")
    page.locator("[name=cond-0-op]").select_option("equals")
    page.locator("[name=cond-0-value]").fill("email")
    step = page.locator("[data-step]").nth(0)
    step.locator("[name$=-id]").first.fill("set")
    step.get_by_label("Action").select_option("set")
    step.get_by_role("button", name="Add param").click()
    step.get_by_label("Param name").last.fill("priority")
    step.get_by_label("Param value").last.fill("5")
    page.get_by_role("button", name="Save workflow").click()
    page.wait_for_url("**/settings/workflows/*/")
    page.get_by_text("Workflow “Email is urgent” saved.").wait_for()

    page.goto("/settings/workflows/")
    rows = page.locator("tbody tr")
    expect(rows.nth(1)).to_contain_text("Business rule: when a message is created")
    page.get_by_role("button", name="Move Email is urgent up").click()
    page.wait_for_url("**/settings/workflows/")
    expect(rows.nth(0)).to_contain_text("Email is urgent")
    expect(rows.nth(1)).to_contain_text("Everything normal")
    screenshot(page, "workflow-rules-order")
