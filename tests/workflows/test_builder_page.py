"""/settings/workflows/: admins build a workflow from the form (errors beside the fields), save
from the JSON view, dry-run a sample, browse the run log failed first and re-run."""

import json
import re

import pytest

from workflows.models import Run, Workflow

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def order_form(hook_id, **extra):
    data = {
        "name": "Orders from the shop",
        "enabled": "1",
        "trigger_type": "hook",
        "trigger_hook": str(hook_id),
        "match": "and",
        "cond-0-field": "data.order.total",
        "cond-0-op": "gt",
        "cond-0-value": "0",
        "step-0-id": "customer",
        "step-0-action": "customer.upsert",
        "step-0-param-0-key": "email",
        "step-0-param-0-value": "{{ data.email }}",
        "step-3-id": "order",  # rows the page numbered with gaps
        "step-3-action": "kobject.upsert",
        "step-3-param-0-key": "klass",
        "step-3-param-0-value": "order",
        "step-3-param-1-key": "externalId",
        "step-3-param-1-value": "{{ data.order.id }}",
        "step-3-param-4-key": "customer",
        "step-3-param-4-value": "{{ steps.customer.id }}",
        "step-3-param-5-key": "title",
        "step-3-param-5-value": "Order {{ data.order.number }}",
        "step-3-param-6-key": "data",
        "step-3-param-6-value": '{"totalNum": "{{ data.order.total }}"}',
    }
    data.update(extra)
    return data


def test_only_admins_see_it(client, agent, admin_user):
    client.force_login(agent)
    assert client.get("/settings/workflows/").status_code == 403
    assert client.get("/settings/workflows/new/").status_code == 403
    client.logout()
    assert client.get("/settings/workflows/").status_code == 302


def test_the_settings_home_links_it(admin):
    assert b'href="/settings/workflows/"' in admin.get("/settings/").content


def test_a_workflow_built_from_the_form(admin, web_hook, order_klass):
    page = admin.get("/settings/workflows/new/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'list="wf-events"' in html and "kustomer.conversation.update" in html
    assert "Find or create a customer" in html  # actions by their display names
    r = admin.post("/settings/workflows/new/", order_form(web_hook["id"]))
    assert r.status_code == 302, r.content.decode()[:3000]
    workflow = Workflow.objects.get()
    assert r["Location"] == f"/settings/workflows/{workflow.pk}/"
    assert workflow.trigger == {"type": "hook", "hook": web_hook["id"]}
    assert workflow.conditions == {"and": [{"field": "data.order.total", "op": "gt", "value": 0}]}
    assert [s["id"] for s in workflow.steps] == ["customer", "order"]
    assert workflow.steps[1]["params"]["data"] == {"totalNum": "{{ data.order.total }}"}
    # the page draws it back as rows
    html = admin.get(f"/settings/workflows/{workflow.pk}/").content.decode()
    assert 'value="data.order.total"' in html and 'value="{{ steps.customer.id }}"' in html


def test_errors_are_shown_beside_the_fields(admin, web_hook):
    form = order_form(
        web_hook["id"],
        **{
            "name": "",
            "cond-0-op": "",
            "step-3-action": "",
            "step-0-param-0-value": "{{ data.email",
        },
    )
    r = admin.post("/settings/workflows/new/", form)
    assert r.status_code == 400
    html = r.content.decode()
    assert not Workflow.objects.exists()

    def error_near(field_id):
        block = re.search(
            rf'<div class="field has-error[^"]*">\s*<label for="{re.escape(field_id)}".*?</div>\s*</div>|'
            rf'<label for="{re.escape(field_id)}".*?field-error">([^<]*)<',
            html,
            re.S,
        )
        return block is not None

    assert error_near("wf-name")
    assert error_near("cond-0-op")
    assert error_near("step-1-action")  # the second step block as drawn again
    assert "email: Template syntax error" in html
    # what was typed is kept
    assert 'value="data.order.total"' in html


def test_the_json_view_saves_a_whole_workflow(admin, web_hook):
    body = {
        "name": "From JSON",
        "trigger": {"type": "hook", "hook": web_hook["id"]},
        "conditions": {"or": [{"and": [{"field": "data.a", "op": "exists"}]}]},
        "steps": [{"id": "c", "action": "customer.upsert", "params": {"email": "{{ data.e }}"}}],
    }
    r = admin.post("/settings/workflows/new/", {"json": json.dumps(body), "use_json": "1"})
    assert r.status_code == 302
    workflow = Workflow.objects.get()
    assert workflow.conditions == body["conditions"]
    # nested conditions are kept as JSON when the form is saved again
    html = admin.get(f"/settings/workflows/{workflow.pk}/").content.decode()
    assert 'name="conditions_json"' in html
    bad = admin.post("/settings/workflows/new/", {"json": "{nope", "use_json": "1"})
    assert bad.status_code == 400 and "The JSON is not valid" in bad.content.decode()


def test_the_dry_run_shows_each_step(admin, web_hook, order_klass):
    form = order_form(web_hook["id"])
    form["sample"] = json.dumps(
        {"data": {"email": "ada@x.io", "order": {"id": "A1", "number": "1", "total": 5}}}
    )
    r = admin.post("/settings/workflows/test/", form)
    assert r.status_code == 200, r.content.decode()
    html = r.content.decode()
    assert "Dry run: succeeded" in html and "nothing written" in html
    assert 'data-step-id="customer"' in html and 'data-step-id="order"' in html
    assert "Order 1" in html
    assert not Run.objects.exists()
    form["sample"] = "{bad"
    r = admin.post("/settings/workflows/test/", form)
    assert r.status_code == 400 and "not valid JSON" in r.content.decode()
    # a draft not named yet is tried all the same
    unnamed = {**order_form(web_hook["id"]), "name": "", "sample": '{"data": {}}'}
    assert admin.post("/settings/workflows/test/", unnamed).status_code == 200


def test_the_run_log_lists_failed_runs_first_and_re_runs(admin, api, web_hook, post_hook):
    wid = api.post(
        "/v1/workflows",
        {
            "name": "Customers",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [
                {"id": "c", "action": "customer.upsert", "params": {"email": "{{ data.e }}"}}
            ],
        },
    ).json()["data"]["id"]
    post_hook({"e": "a@x.io"})
    post_hook({"nothing": True})
    post_hook({"e": "b@x.io"})
    failed = Run.objects.get(status=Run.Status.FAILED)
    html = admin.get(f"/settings/workflows/{wid}/runs/").content.decode()
    order = re.findall(r'href="/settings/workflows/\d+/runs/(\d+)/"', html)
    assert order[0] == str(failed.pk) and len(order) == 3
    only_failed = admin.get(f"/settings/workflows/{wid}/runs/?status=failed").content.decode()
    assert re.findall(r'href="/settings/workflows/\d+/runs/(\d+)/"', only_failed) == [
        str(failed.pk)
    ]
    detail = admin.get(f"/settings/workflows/{wid}/runs/{failed.pk}/").content.decode()
    assert "email, phone or externalId" in detail and "Re-run" in detail
    r = admin.post(f"/settings/workflows/{wid}/runs/{failed.pk}/rerun/")
    assert r.status_code == 302
    assert Run.objects.filter(rerun_of=failed).exists()


def test_other_orgs_workflows_are_not_found(admin, other_api):
    hook = other_api.post("/v1/hooks", {"name": "Theirs", "kind": "web"}).json()["data"]["id"]
    theirs = other_api.post(
        "/v1/workflows",
        {
            "name": "Theirs",
            "trigger": {"type": "hook", "hook": hook},
            "steps": [{"id": "c", "action": "customer.upsert", "params": {"email": "x@y.io"}}],
        },
    ).json()["data"]["id"]
    for path in ("", "runs/", "delete/"):
        assert admin.get(f"/settings/workflows/{theirs}/{path}").status_code == 404
    assert admin.post(f"/settings/workflows/{theirs}/test/", {}).status_code == 404


def test_delete_asks_first(admin, api, web_hook):
    wid = api.post(
        "/v1/workflows",
        {
            "name": "Gone soon",
            "trigger": {"type": "hook", "hook": web_hook["id"]},
            "steps": [{"id": "c", "action": "customer.upsert", "params": {"email": "x@y.io"}}],
        },
    ).json()["data"]["id"]
    assert "Delete workflow" in admin.get(f"/settings/workflows/{wid}/delete/").content.decode()
    assert admin.post(f"/settings/workflows/{wid}/delete/").status_code == 302
    assert not Workflow.objects.exists()


def test_field_suggestions_follow_the_trigger(admin, api, web_hook, post_hook):
    post_hook({"order": {"id": "A1", "lines": [{"sku": "x"}]}, "email": "a@x.io"})
    r = admin.get(f"/settings/workflows/fields/?trigger_type=hook&trigger_hook={web_hook['id']}")
    html = r.content.decode()
    assert 'value="data.order.id"' in html and 'value="data.order.lines.0.sku"' in html
    api.put(
        "/v1/metadata/conversation",
        {"properties": {"tierStr": {"displayName": "Tier", "enum": ["gold", "silver"]}}},
    )
    r = admin.get(
        "/settings/workflows/fields/?trigger_type=event&trigger_event=kustomer.conversation.update"
    )
    html = r.content.decode()
    assert 'value="data.attributes.custom.tierStr"' in html and 'data-choices="gold|silver"' in html


def test_a_business_rule_built_from_the_form(admin, api):
    r = admin.post(
        "/settings/workflows/new/",
        {
            "name": "Email is urgent",
            "enabled": "1",
            "trigger_type": "rule",
            "trigger_on": ["create"],
            "match": "and",
            "cond-0-field": "message.channel",
            "cond-0-op": "equals",
            "cond-0-value": "email",
            "step-0-id": "route",
            "step-0-action": "set",
            "step-0-param-0-key": "priority",
            "step-0-param-0-value": "5",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    workflow = Workflow.objects.get()
    assert workflow.trigger == {"type": "rule", "resource": "conversation", "on": ["create"]}
    assert workflow.steps[0]["params"] == {"priority": 5}
    listed = admin.get("/settings/workflows/").content.decode()
    assert "Business rule: when a conversation is created" in listed
    customer = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    api.post(
        f"/v1/customers/{customer}/messages", {"direction": "in", "channel": "email", "body": "Hi"}
    )
    conv = api.get(f"/v1/customers/{customer}/conversations").json()["data"][0]
    assert conv["attributes"]["priority"] == 5
