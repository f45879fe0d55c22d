"""An admin builds the order workflow by hand in the browser: trigger, condition, two steps
with their params, a dry run with a sample payload, save; then a call to the hook shows a run
in the run log."""

import json

import httpx
import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_builds_the_order_workflow(signed_in, screenshot, server, org):
    from apps_directory.hooks.services import hook_create
    from klasses.services import klass_create
    from tests.factories import UserFactory
    from workflows.models import Run, Workflow

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    hook = hook_create(org=org, actor=admin, data={"name": "Shop orders", "kind": "web"})
    klass_create(org=org, actor=admin, data={"name": "order", "displayName": "Order"})
    page = signed_in(admin)
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Workflows").click()
    page.wait_for_url("**/settings/workflows/")
    page.get_by_role("link", name="New workflow").click()
    page.wait_for_url("**/settings/workflows/new/")

    # saving an empty form names what is missing beside the fields
    page.get_by_role("button", name="Save workflow").click()
    assert page.locator(".field.has-error label[for=wf-name]").is_visible()

    page.get_by_label("Name", exact=True).fill("Orders from the shop")
    page.get_by_label("Start this workflow").select_option("hook")
    assert page.get_by_label("Hook", exact=True).is_visible()
    assert not page.get_by_label("Event", exact=True).is_visible()
    page.get_by_label("Hook", exact=True).select_option(str(hook.pk))

    page.get_by_role("button", name="Add condition").click()
    page.locator("[name=cond-0-field]").fill("data.order.total")
    page.locator("[name=cond-0-op]").select_option("gt")
    page.locator("[name=cond-0-value]").fill("0")

    first = page.locator("[data-step]").nth(0)
    first.locator("[name$=-id]").first.fill("customer")
    first.get_by_label("Action").select_option("customer.upsert")
    first.get_by_role("button", name="Add param").click()
    first.get_by_label("Param name").last.fill("email")
    first.get_by_label("Param value").last.fill("{{ data.email }}")
    first.get_by_role("button", name="Add param").click()
    first.get_by_label("Param name").last.fill("name")
    first.get_by_label("Param value").last.fill("{{ data.name }}")

    page.get_by_role("button", name="Add step").click()
    second = page.locator("[data-step]").nth(1)
    second.locator("[name$=-id]").first.fill("order")
    second.get_by_label("Action").select_option("kobject.upsert")
    # the action's required params appear as rows
    assert second.get_by_label("Param name").nth(0).input_value() == "klass"
    assert second.get_by_label("Param name").nth(1).input_value() == "externalId"
    second.get_by_label("Param value").nth(0).fill("order")
    second.get_by_label("Param value").nth(1).fill("{{ data.order.id }}")
    for key, value in (
        ("customer", "{{ steps.customer.id }}"),
        ("title", "Order {{ data.order.number }}"),
        ("data", '{"totalNum": "{{ data.order.total }}"}'),
    ):
        second.get_by_role("button", name="Add param").click()
        second.get_by_label("Param name").last.fill(key)
        second.get_by_label("Param value").last.fill(value)

    order = {
        "email": "ada@shop.test",
        "name": "Ada",
        "order": {"id": "A1", "number": "1001", "total": 42},
    }
    page.get_by_label("Sample payload (JSON)").fill(json.dumps({"data": order}))
    page.get_by_role("button", name="Dry run").click()
    result = page.locator("#wf-dry-run-result")
    result.get_by_text("Dry run: succeeded").wait_for()
    assert result.locator('[data-step-id="order"]').is_visible()
    screenshot(page, "workflow-builder-dry-run")
    from customers.models import Customer

    assert not Customer.objects.exists()  # the dry run wrote nothing

    page.get_by_role("button", name="Save workflow").click()
    page.wait_for_url("**/settings/workflows/*/")
    page.get_by_text("Workflow “Orders from the shop” saved.").wait_for()
    workflow = Workflow.objects.get()
    assert [s["id"] for s in workflow.steps] == ["customer", "order"]

    # the shop calls the hook; the run shows in the log
    r = httpx.post(f"{server}{hook.path}", json=order, timeout=30)
    assert r.status_code == 202
    run = None
    for _ in range(100):
        run = Run.objects.filter(status__in=["succeeded", "failed"]).first()
        if run:
            break
        import time

        time.sleep(0.1)
    assert run is not None and run.status == "succeeded", run and run.error
    page.get_by_role("link", name="Run log").click()
    page.wait_for_url("**/runs/")
    page.get_by_role("link", name=f"Run {run.pk}").click()
    page.get_by_text("Succeeded").first.wait_for()
    assert page.locator('[data-step-id="order"]').is_visible()
    screenshot(page, "workflow-run")
