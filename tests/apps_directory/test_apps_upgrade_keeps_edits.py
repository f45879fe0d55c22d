"""An upgrade keeps what an admin changed in the app's features (a label, a view's template, a
hook's name, a workflow's steps or trigger) and takes the new version's values everywhere
else; the response, the installation and the app.upgrade event say what was kept, by display
name. Deactivating, reactivating, uninstalling and installing again go on as before."""

import pytest

from apps_directory.catalog.models import Installation, InstalledFeature
from apps_directory.hooks.models import Hook
from kdesk.models import Event
from klasses.models import Klass, KView, Metadata
from workflows.models import Workflow

pytestmark = pytest.mark.django_db

MY_TEMPLATE = "<p>{{ object.title }}: {{ object.data.statusStr }}</p>"
LABELS = [
    "Order's 'Status' label",
    "the 'Order details' view template",
    "the 'Orders from your shop' hook's name",
    "the 'Orders: add or update an order from the shop' workflow's steps",
]


def _features(data):
    return {f["kind"]: f for f in data["attributes"]["features"]}


def _properties(org):
    return Metadata.objects.get(org=org, resource="kobject.order").properties


def _edit_everything(api, features):
    """What an admin does to the Orders app's features through the API."""
    r = api.put(
        "/v1/metadata/kobject.order", {"properties": {"statusStr": {"displayName": "State"}}}
    )
    assert r.status_code == 200, r.json()
    r = api.put(f"/v1/kviews/{features['kview']['id']}", {"template": MY_TEMPLATE})
    assert r.status_code == 200, r.json()
    r = api.put(f"/v1/hooks/{features['hook']['id']}", {"name": "Shopify orders"})
    assert r.status_code == 200, r.json()
    workflow = Workflow.objects.get(pk=features["workflow"]["id"])
    steps = [*workflow.steps]
    steps[1] = {**steps[1], "params": {**steps[1]["params"], "title": "#{{ data.order.number }}"}}
    r = api.put(f"/v1/workflows/{workflow.pk}", {"steps": steps})
    assert r.status_code == 200, r.json()
    return steps


def test_an_upgrade_without_edits_takes_every_new_value_and_keeps_nothing(api, install, org):
    data = install(version="1.0.0")
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 200, r.json()
    assert r.json()["data"]["attributes"]["keptChanges"] == []
    features = _features(r.json()["data"])
    assert "Track parcel" in KView.objects.get(pk=features["kview"]["id"]).template
    steps = Workflow.objects.get(pk=features["workflow"]["id"]).steps
    assert "itemCountNum" in steps[1]["params"]["data"]
    event = Event.objects.get(org=org, type="app.upgrade")
    assert event.data["keptChanges"] == []
    # what is recorded now is what 2.0.0 wrote
    row = InstalledFeature.objects.get(kind="kview")
    assert row.written["template"].startswith("<dl>") and "Track parcel" in row.written["template"]


def test_an_upgrade_keeps_the_admins_edits_and_says_which(api, install, org,
                                                          django_assert_num_queries):  # fmt: skip
    data = install(version="1.0.0")
    features = _features(data)
    my_steps = _edit_everything(api, features)

    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 200, r.json()
    attributes = r.json()["data"]["attributes"]
    assert attributes["version"] == "2.0.0"
    kept = attributes["keptChanges"]
    assert [k["label"] for k in kept] == LABELS
    assert kept[0] == {"kind": "klass", "key": "order", "id": "order",
                       "field": "attributes/statusStr/displayName",
                       "label": "Order's 'Status' label"}  # fmt: skip
    assert {k["field"] for k in kept[1:]} == {"template", "name", "steps"}

    # the admin's values stand
    properties = _properties(org)
    assert properties["statusStr"]["displayName"] == "State"
    kview = KView.objects.get(pk=features["kview"]["id"])
    assert kview.template == MY_TEMPLATE
    assert Hook.objects.get(pk=features["hook"]["id"]).name == "Shopify orders"
    assert Workflow.objects.get(pk=features["workflow"]["id"]).steps == my_steps
    # the rest is the new version's: its new attributes, the enum, the view's name
    assert properties["itemCountNum"]["displayName"] == "Items"
    assert properties["trackingUrl"]["displayName"] == "Tracking link"
    assert properties["statusStr"]["enum"][0] == "pending"
    assert kview.name == "Order details" and kview.active
    assert Klass.objects.get(org=org, name="order").display_name == "Order"

    event = Event.objects.get(org=org, type="app.upgrade")
    assert [k["label"] for k in event.data["keptChanges"]] == LABELS
    assert event.data["keptChanges"][1]["kind"] == "kview"
    assert event.changes == {"version": {"before": "1.0.0", "after": "2.0.0"}}

    # reading it again costs what it did, and still says what the upgrade kept
    with django_assert_num_queries(2):
        again = api.get(f"/v1/apps/installations/{data['id']}").json()["data"]
    assert again["attributes"]["keptChanges"] == kept


def test_an_edit_to_the_new_versions_own_value_is_not_reported(api, install, org):
    from apps_directory.catalog.manifest import catalog

    data = install(version="1.0.0")
    kview = _features(data)["kview"]["id"]
    v2 = next(f for f in catalog.get("orders", "2.0.0").features if f.kind == "kview")
    api.put(f"/v1/kviews/{kview}", {"template": v2.spec["template"]})  # the admin went ahead
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.json()["data"]["attributes"]["keptChanges"] == []
    assert "Track parcel" in KView.objects.get(pk=kview).template


def test_a_workflow_an_admin_pointed_at_their_own_hook_stays_on_it(api, install):
    data = install(version="1.0.0")
    features = _features(data)
    mine = api.post("/v1/hooks", {"name": "Our own shop", "kind": "web"}).json()["data"]["id"]
    r = api.put(f"/v1/workflows/{features['workflow']['id']}",
                {"trigger": {"type": "hook", "hook": mine}})  # fmt: skip
    assert r.status_code == 200, r.json()
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 200, r.json()
    labels = [k["label"] for k in r.json()["data"]["attributes"]["keptChanges"]]
    assert labels == ["the 'Orders: add or update an order from the shop' workflow's trigger"]
    workflow = Workflow.objects.get(pk=features["workflow"]["id"])
    assert str(workflow.hook_id) == mine and workflow.trigger == {"type": "hook", "hook": mine}
    assert "itemCountNum" in workflow.steps[1]["params"]["data"]  # its steps are 2.0.0's


def test_a_feature_the_admin_deleted_comes_back_from_the_new_version(api, install):
    data = install(version="1.0.0")
    features = _features(data)
    api.put(f"/v1/kviews/{features['kview']['id']}", {"template": MY_TEMPLATE})
    assert api.delete(f"/v1/kviews/{features['kview']['id']}").status_code == 204
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert r.status_code == 200, r.json()
    assert r.json()["data"]["attributes"]["keptChanges"] == []
    kview = KView.objects.get(pk=_features(r.json()["data"])["kview"]["id"])
    assert "Track parcel" in kview.template


def test_an_installation_from_before_the_record_compares_with_its_versions_manifest(api, install):
    data = install(version="1.0.0")
    features = _features(data)
    api.put(f"/v1/hooks/{features['hook']['id']}", {"name": "Shopify orders"})
    InstalledFeature.objects.update(written=None)  # as rows installed before it was recorded
    r = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    assert [k["field"] for k in r.json()["data"]["attributes"]["keptChanges"]] == ["name"]
    assert Hook.objects.get(pk=features["hook"]["id"]).name == "Shopify orders"
    assert "Track parcel" in KView.objects.get(pk=features["kview"]["id"]).template
    assert all(row.written for row in InstalledFeature.objects.all())


def test_deactivate_reactivate_uninstall_and_install_again_after_a_kept_edit(api, install, org):
    data = install(version="1.0.0")
    features = _features(data)
    _edit_everything(api, features)
    api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"})
    url = f"/v1/apps/installations/{data['id']}"

    assert api.put(url, {"status": "inactive"}).status_code == 200
    assert not Hook.objects.get(pk=features["hook"]["id"]).enabled
    r = api.put(url, {"status": "active"})
    assert r.status_code == 200
    assert Hook.objects.get(pk=features["hook"]["id"]).enabled
    assert Hook.objects.get(pk=features["hook"]["id"]).name == "Shopify orders"
    assert len(r.json()["data"]["attributes"]["keptChanges"]) == len(LABELS)

    assert api.delete(url).status_code == 204
    assert not InstalledFeature.objects.exists()
    again = install()
    assert again["attributes"]["keptChanges"] == []
    assert Hook.objects.get().name == "Orders from your shop"
    assert Installation.objects.get().version == "2.0.0"


THREE = """
app = "gadgets"
version = "{version}"
title = "Gadgets"
summary = "Gadgets."

[[hooks]]
key = "in"
name = "Gadgets in ({version})"
kind = "web"

[[webhooks]]
key = "out"
name = "Gadgets out"
url = "http://127.0.0.1:9/{version}"
events = ["kustomer.customer.create"]
"""


@pytest.fixture
def gadgets(test_catalog, allow_private):
    test_catalog(
        {f"gadgets/{v}.toml": THREE.format(version=v) for v in ("1.0.0", "2.0.0", "3.0.0")}
    )


def test_an_edit_is_kept_upgrade_after_upgrade(api, install, gadgets):
    from apps_directory.webhooks.models import OutboundWebhook

    data = install(app="gadgets", version="1.0.0")
    features = _features(data)
    url = f"/v1/apps/installations/{data['id']}"
    api.put(f"/v1/hooks/{features['hook']['id']}", {"name": "Gadget intake"})

    r = api.put(url, {"version": "2.0.0"})
    assert [k["label"] for k in r.json()["data"]["attributes"]["keptChanges"]] == [
        "the 'Gadgets in (2.0.0)' hook's name"
    ]
    assert OutboundWebhook.objects.get().url == "http://127.0.0.1:9/2.0.0"  # untouched: taken
    r = api.put(url, {"version": "3.0.0"})
    assert len(r.json()["data"]["attributes"]["keptChanges"]) == 1
    assert Hook.objects.get().name == "Gadget intake"
    assert OutboundWebhook.objects.get().url == "http://127.0.0.1:9/3.0.0"


def test_a_webhooks_fields_are_read_as_stored(api, install, gadgets):
    install(app="gadgets", version="1.0.0")
    row = InstalledFeature.objects.get(kind="webhook")
    assert row.written == {"name": "Gadgets out", "url": "http://127.0.0.1:9/1.0.0",
                           "events": ["kustomer.customer.create"]}  # fmt: skip


def test_the_document_describes_the_kept_changes(api, install):
    data = install(version="1.0.0")
    _edit_everything(api, _features(data))
    kept = api.put(f"/v1/apps/installations/{data['id']}", {"version": "2.0.0"}).json()["data"][
        "attributes"
    ]["keptChanges"]
    document = api.get("/v1/schema", headers={"Accept": "application/vnd.oai.openapi+json"})
    schemas = document.json()["components"]["schemas"]

    def resolve(node):
        while "$ref" in node:
            node = schemas[node["$ref"].rsplit("/", 1)[1]]
        return node

    resource = resolve(schemas["AppInstallationDocument"]["properties"]["data"])
    attributes = resolve(resource["properties"]["attributes"])
    item = resolve(attributes["properties"]["keptChanges"]["items"])
    assert set(item["required"]) == set(item["properties"]) == set(kept[0])


def test_the_upgrade_locks_each_feature_it_reads_until_it_commits(api, install, org):
    """An admin's edit cannot land between the upgrade's read of a feature and its write (and be
    overwritten by the value read a moment before): every read takes the rows' locks."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from apps_directory.catalog import customizations

    if connection.vendor != "postgresql":
        pytest.skip("SQLite locks the whole database for a write; no row locks to check")
    install(version="1.0.0")
    rows = InstalledFeature.objects.filter(installation__org=org)
    assert {row.kind for row in rows} >= {"klass", "kview", "hook", "workflow"}
    for row in rows:
        with transaction.atomic(), CaptureQueriesContext(connection) as queries:
            assert customizations.get(row.kind).read(org, row.object_id) is not None
        reads = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
        assert reads and all(sql.rstrip().endswith("FOR UPDATE") for sql in reads), reads
