"""An install or upgrade is one transaction: a feature that fails leaves nothing of the others,
and the client reads which feature of which app failed and why. Outbound webhooks, which the
shipped apps do not use, go through the same steps here."""

import pytest

from apps_directory.catalog.models import Installation, InstalledFeature
from apps_directory.hooks.models import Hook
from apps_directory.webhooks.models import OutboundWebhook
from kdesk.models import Event
from klasses.models import Klass, KView, Metadata
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

BASE = """
app = "gadgets"
version = "{version}"
title = "Gadgets"
summary = "Gadgets on the timeline."

[[klasses]]
name = "gadget"
displayName = "Gadget"
attributes = {{ sizeNum = {{ displayName = "Size" }} }}

[[kviews]]
key = "card"
name = "Gadget card"
klass = "gadget"
context = "insight-card"
template = "<p>{{{{ object.title }}}}</p>"

[[hooks]]
key = "in"
name = "Gadgets in"
kind = "web"

[[webhooks]]
key = "out"
name = "Gadgets out"
url = "http://127.0.0.1:9/gadgets"
events = ["kustomer.kobject.gadget.create"]
"""
GOOD_WORKFLOW = """
[[workflows]]
key = "take"
name = "Take gadgets"
trigger = { type = "hook", hook = "in" }
steps = [{ id = "c", action = "customer.upsert", params = { email = "{{ data.email }}" } }]
"""
BAD_WORKFLOW = """
[[workflows]]
key = "broken"
name = "Broken gadgets"
trigger = { type = "hook", hook = "in" }
steps = [{ id = "x", action = "gadget.explode", params = {} }]
"""
COUNTED = (Installation, InstalledFeature, Klass, KView, Metadata, Hook, OutboundWebhook, Workflow,
           Event)  # fmt: skip


def _counts():
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture
def gadgets(test_catalog, allow_private):
    def use(v1_extra="", v2_extra=None):
        files = {"gadgets/1.0.0.toml": BASE.format(version="1.0.0") + v1_extra}
        if v2_extra is not None:
            files["gadgets/2.0.0.toml"] = BASE.format(version="2.0.0") + v2_extra
        test_catalog(files)

    return use


def test_a_failing_feature_leaves_nothing(api, gadgets):
    gadgets(GOOD_WORKFLOW + BAD_WORKFLOW)
    before = _counts()
    r = api.post("/v1/apps/installations", {"app": "gadgets"})
    assert r.status_code == 400, r.json()
    errors = r.json()["errors"]
    assert errors[0]["source"]["pointer"] == "/app"
    assert errors[0]["detail"].startswith(
        "Gadgets could not set up its workflow “Broken gadgets”: "
    )
    assert "The action is one of" in errors[0]["detail"]
    assert _counts() == before


def test_a_failing_upgrade_changes_nothing(api, gadgets, install):
    gadgets(GOOD_WORKFLOW, v2_extra=GOOD_WORKFLOW + BAD_WORKFLOW)
    data = install(app="gadgets", version="1.0.0")
    before = _counts()
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 400
    assert "Broken gadgets" in r.json()["errors"][0]["detail"]
    assert _counts() == before
    assert Installation.objects.get().version == "1.0.0"


def test_a_webhook_feature_follows_the_app(api, gadgets, install):
    gadgets(GOOD_WORKFLOW)
    data = install(app="gadgets")
    webhook = OutboundWebhook.objects.get()
    assert webhook.enabled and webhook.name == "Gadgets out"
    api.put(f"/v1/apps/installations/{data['id']}", {"status": "inactive"})
    off = OutboundWebhook.objects.get()
    assert not off.enabled and off.disabled_at is not None
    api.put(f"/v1/apps/installations/{data['id']}", {"status": "active"})
    on = OutboundWebhook.objects.get()
    assert on.enabled and on.disabled_at is None
    # each switch is the webhook's own update event, as an admin's switch is
    switches = Event.objects.filter(type="outbound_webhook.update", resource_id=str(webhook.pk))
    assert [e.changes for e in switches.order_by("id")] == [
        {"enabled": {"before": True, "after": False}},
        {"enabled": {"before": False, "after": True}},
    ]
    assert api.delete(f"/v1/apps/installations/{data['id']}").status_code == 204
    assert not OutboundWebhook.objects.exists()


def test_a_version_that_drops_a_feature_removes_it_on_upgrade(api, gadgets, install):
    gadgets(GOOD_WORKFLOW, v2_extra="")
    data = install(app="gadgets", version="1.0.0")
    assert Workflow.objects.count() == 1
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 200
    assert not Workflow.objects.exists()
    assert "workflow" not in {f["kind"] for f in r.json()["data"]["attributes"]["features"]}


def test_a_feature_an_admin_deleted_is_made_again_by_the_upgrade(api, gadgets, install):
    gadgets(GOOD_WORKFLOW, v2_extra=GOOD_WORKFLOW)
    data = install(app="gadgets", version="1.0.0")
    hook = Hook.objects.get()
    api.delete(f"/v1/hooks/{hook.pk}")
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 200, r.json()
    new_hook = Hook.objects.get()
    assert Workflow.objects.get().hook_id == new_hook.pk
