"""The apps directory through the API: list, install, upgrade, deactivate, reactivate and
uninstall the shipped Orders app, end to end (a shop's hook call becomes an order)."""

import json

import pytest

from apps_directory.catalog.models import Installation
from apps_directory.hooks.models import Hook
from kdesk.models import Event
from klasses.models import Klass, KObject, KView, Metadata
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

ORDER = {
    "email": "ada@example.com",
    "name": "Ada",
    "order": {"id": "A-1", "number": "1001", "total": 42.5, "currency": "EUR",
              "status": "paid", "placedAt": "2026-12-01T10:00:00Z"},
}  # fmt: skip


def _features(data):
    return {f["kind"]: f for f in data["attributes"]["features"]}


def _call_hook(client, run_commits, hook_id, body):
    hook = Hook.objects.get(pk=hook_id)
    r = run_commits(client.post, hook.path, json.dumps(body), content_type="application/json")
    return r


def test_the_directory_lists_orders_at_its_latest_version(api):
    r = api.get("/v1/apps")
    assert r.status_code == 200
    body = r.json()
    assert body["meta"]["total"] == len(body["data"]) >= 1
    orders = next(a for a in body["data"] if a["id"] == "orders")
    assert orders["type"] == "app"
    assert orders["attributes"]["version"] == "2.0.0"
    assert orders["attributes"]["versions"] == ["1.0.0", "2.0.0"]
    names = {(f["kindLabel"], f["displayName"]) for f in orders["attributes"]["features"]}
    assert ("Object type", "Order") in names and ("Hook", "Orders from your shop") in names
    assert orders["relationships"] == {}


def test_install_creates_every_feature_and_records_the_event(api, install, org):
    data = install(version="1.0.0")
    assert data["attributes"]["version"] == "1.0.0"
    assert data["attributes"]["status"] == "active"
    assert data["attributes"]["upgradeAvailable"] is True
    features = _features(data)
    klass = Klass.objects.get(org=org, name="order")
    assert klass.app == "Orders" and klass.display_name == "Order"
    properties = Metadata.objects.get(org=org, resource="kobject.order").properties
    assert {"numberStr", "totalNum", "statusStr", "placedAt"} <= set(properties)
    assert "itemCountNum" not in properties
    kview = KView.objects.get(org=org, pk=features["kview"]["id"])
    assert kview.resource == "kobject.order" and kview.context == "timeline" and kview.active
    hook = Hook.objects.get(org=org, pk=features["hook"]["id"])
    workflow = Workflow.objects.get(org=org, pk=features["workflow"]["id"])
    assert workflow.hook_id == hook.pk and workflow.enabled
    event = Event.objects.get(org=org, type="app.install")
    assert event.resource_id == data["id"] and event.data["version"] == "1.0.0"
    # the directory now points at it
    listed = next(a for a in api.get("/v1/apps").json()["data"] if a["id"] == "orders")
    assert listed["relationships"]["installation"]["data"]["id"] == data["id"]
    assert api.get(f"/v1/apps/installations/{data['id']}").json()["data"] == data


def test_the_hook_call_puts_the_order_on_the_customer(install, client, run_commits, org):
    features = _features(install(version="1.0.0"))
    r = _call_hook(client, run_commits, features["hook"]["id"], ORDER)
    assert r.status_code == 202
    order = KObject.objects.get(org=org, klass__name="order", external_id="A-1")
    assert order.customer.name == "Ada"
    assert order.data["totalNum"] == 42.5 and order.data["statusStr"] == "paid"
    assert order.title == "Order 1001"


def test_upgrade_applies_the_newer_manifest_to_what_the_app_created(api, install, org, client,
                                                                    run_commits):  # fmt: skip
    data = install(version="1.0.0")
    before = _features(data)
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 200, r.json()
    after = r.json()["data"]
    assert after["attributes"]["version"] == "2.0.0"
    assert after["attributes"]["upgradeAvailable"] is False
    assert {k: f["id"] for k, f in _features(after).items()} == {
        k: f["id"] for k, f in before.items()
    }  # the same records, changed
    properties = Metadata.objects.get(org=org, resource="kobject.order").properties
    assert {"itemCountNum", "trackingUrl"} <= set(properties)
    template = KView.objects.get(pk=before["kview"]["id"]).template
    assert "itemCountNum" in template and "Track parcel" in template
    event = Event.objects.get(org=org, type="app.upgrade")
    assert event.changes == {"version": {"before": "1.0.0", "after": "2.0.0"}}
    order = {**ORDER, "order": {**ORDER["order"], "itemCount": 3}}
    _call_hook(client, run_commits, before["hook"]["id"], order)
    assert KObject.objects.get(org=org, external_id="A-1").data["itemCountNum"] == 3


def test_an_older_or_unknown_version_is_refused(api, install):
    data = install()
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "1.0.0"})
    assert r.status_code == 409  # a version the directory has, refused by where this one stands
    assert r.json()["errors"][0]["source"]["pointer"] == "/version"
    assert "cannot go back" in r.json()["errors"][0]["detail"]
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "9.0.0"})
    assert r.status_code == 400 and "no version 9.0.0" in r.json()["errors"][0]["detail"]


def test_deactivate_turns_features_off_and_keeps_data_reactivate_restores(api, install, org,
                                                                          client, run_commits):  # fmt: skip
    data = install(version="1.0.0")
    features = _features(data)
    _call_hook(client, run_commits, features["hook"]["id"], ORDER)
    r = api.put(f"/v1/apps/installations/{data['id']}", {"status": "inactive"})
    assert r.status_code == 200, r.json()
    assert r.json()["data"]["attributes"]["status"] == "inactive"
    assert not Hook.objects.get(pk=features["hook"]["id"]).enabled
    assert not Workflow.objects.get(pk=features["workflow"]["id"]).enabled
    assert not KView.objects.get(pk=features["kview"]["id"]).active
    klass = Klass.objects.get(org=org, name="order")
    assert klass.status == "active" and KObject.objects.filter(klass=klass).count() == 1
    assert Event.objects.filter(org=org, type="app.deactivate").count() == 1
    # an upgrade waits for the reactivation
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 409 and "Reactivate Orders" in r.json()["errors"][0]["detail"]
    r = api.put(f"/v1/apps/installations/{data['id']}", {"status": "active"})
    assert r.status_code == 200
    assert Hook.objects.get(pk=features["hook"]["id"]).enabled
    assert Workflow.objects.get(pk=features["workflow"]["id"]).enabled
    assert KView.objects.get(pk=features["kview"]["id"]).active
    assert Event.objects.filter(org=org, type="app.reactivate").count() == 1


def test_reactivate_leaves_off_what_an_admin_had_turned_off(api, install):
    data = install()
    features = _features(data)
    api.put(f"/v1/workflows/{features['workflow']['id']}", {"enabled": False})
    api.put(f"/v1/apps/installations/{data['id']}", {"status": "inactive"})
    api.put(f"/v1/apps/installations/{data['id']}", {"status": "active"})
    assert not Workflow.objects.get(pk=features["workflow"]["id"]).enabled
    assert Hook.objects.get(pk=features["hook"]["id"]).enabled


def test_reactivate_and_upgrade_in_one_request(api, install):
    data = install(version="1.0.0")
    api.put(f"/v1/apps/installations/{data['id']}", {"status": "inactive"})
    r = api.put(f"/v1/apps/installations/{data['id']}", {"status": "active", "version": "2.0.0"})
    assert r.status_code == 200, r.json()
    assert r.json()["data"]["attributes"]["version"] == "2.0.0"
    assert r.json()["data"]["attributes"]["status"] == "active"


def test_uninstall_removes_what_it_made_and_keeps_a_klass_with_records(api, install, org, client,
                                                                       run_commits):  # fmt: skip
    data = install()
    features = _features(data)
    _call_hook(client, run_commits, features["hook"]["id"], ORDER)
    r = api.delete(f"/v1/apps/installations/{data['id']}")
    assert r.status_code == 204
    assert not Installation.objects.filter(org=org).exists()
    assert not Hook.objects.filter(org=org).exists()
    assert not Workflow.objects.filter(org=org).exists()
    assert not KView.objects.filter(org=org).exists()
    klass = Klass.objects.get(org=org, name="order")
    assert klass.status == "disabled" and KObject.objects.filter(klass=klass).count() == 1
    assert Metadata.objects.filter(org=org, resource="kobject.order").exists()
    event = Event.objects.get(org=org, type="app.uninstall")
    assert event.data["kept"] == ["Order"]
    assert api.get(f"/v1/apps/installations/{data['id']}").status_code == 404
    # installing it again takes the kept Klass back, with its records
    again = install()
    klass.refresh_from_db()
    assert klass.status == "active" and KObject.objects.filter(klass=klass).count() == 1
    assert _features(again)["klass"]["id"] == "order"


def test_uninstall_deletes_an_empty_klass(api, install, org):
    data = install()
    assert api.delete(f"/v1/apps/installations/{data['id']}").status_code == 204
    assert not Klass.objects.filter(org=org).exists()
    assert not Metadata.objects.filter(org=org, resource="kobject.order").exists()


def test_installing_twice_is_a_409(api, install):
    install()
    r = api.post("/v1/apps/installations", {"app": "orders"})
    assert r.status_code == 409
    assert r.json()["errors"][0]["code"] == "installed"
    assert "installed already" in r.json()["errors"][0]["detail"]


def test_unknown_app_or_version_is_a_400_naming_it(api):
    r = api.post("/v1/apps/installations", {"app": "nope"})
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["source"]["pointer"] == "/app" and "no app called 'nope'" in error["detail"]
    r = api.post("/v1/apps/installations", {"app": "orders", "version": "3.0.0"})
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/version"
    r = api.post("/v1/apps/installations", {"version": "1.0.0", "extra": 1})
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert r.status_code == 400 and pointers == {"/app", "/extra"}
    assert not Installation.objects.exists()


def test_a_klass_name_the_org_uses_is_a_409_and_nothing_is_made(api, org):
    api.post("/v1/klasses", {"name": "Order", "displayName": "Purchase"})
    r = api.post("/v1/apps/installations", {"app": "orders"})
    assert r.status_code == 409
    detail = r.json()["errors"][0]["detail"]
    assert "object type named 'Order' (Purchase)" in detail
    assert not Installation.objects.exists()
    assert not Hook.objects.exists() and not Workflow.objects.exists()
    assert not KView.objects.exists()
    assert not Event.objects.filter(type__startswith="app.").exists()


def test_a_stale_rev_is_a_409(api, install):
    data = install()
    r = api.put(f"/v1/apps/installations/{data['id']}", {"status": "inactive", "rev": 99})
    assert r.status_code == 409
    assert Installation.objects.get().status == "active"


def test_the_document_offers_the_shipped_apps_and_versions(api):
    response = api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"})
    schemas = response.json()["components"]["schemas"]

    def enum(prop):  # inline, or in the components the generator moved it to (null apart)
        if "$ref" in prop:
            return enum(schemas[prop["$ref"].rsplit("/", 1)[1]])
        parts = prop.get("allOf", []) + prop.get("oneOf", [])
        values = [v for part in parts for v in enum(part)] if parts else prop.get("enum", [])
        return [v for v in values if v is not None]

    create = schemas["AppInstallationCreateBodyRequest"]["properties"]
    assert enum(create["app"]) == ["orders"]
    assert enum(create["version"]) == ["1.0.0", "2.0.0"]
    update = schemas["AppInstallationBodyRequest"]["properties"]
    assert enum(update["version"]) == ["1.0.0", "2.0.0"]
