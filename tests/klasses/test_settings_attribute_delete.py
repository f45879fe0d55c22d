"""Settings → Attributes → Delete: the confirmation says how many stored rows carry a value and
what becomes of them; a validation rule or a KView that uses the attribute blocks it, named."""

import pytest

from kdesk.models import Event
from klasses import services
from klasses.models import KObject, Metadata

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def ret(org):
    klass = services.klass_create(
        org=org, actor=None, data={"name": "return", "displayName": "Return"}
    )
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.return",
        data={
            "properties": {
                "reasonStr": {"displayName": "Reason"},
                "refundNum": {"displayName": "Refund amount"},
            }
        },
    )
    return klass


def _props(org, resource="kobject.return"):
    return Metadata.objects.get(org=org, resource=resource).properties


def test_the_confirmation_counts_stored_values_and_deleting_keeps_them(admin, org, ret, admin_user):
    for n in range(3):
        data = {"title": f"R{n}", "custom": {"reasonStr": "damaged"}} if n < 2 else {"title": "R"}
        services.kobject_create(org=org, actor=None, klass=ret, data=data)
    page = admin.get("/settings/attributes/return/reasonStr/delete/").content.decode()
    assert "Delete the attribute “Reason” of Return?" in page
    assert "<strong>2 Return objects</strong> have a value for it" in page
    assert "The values stay stored" in page
    response = admin.post("/settings/attributes/return/reasonStr/delete/")
    assert response.status_code == 302 and response["Location"] == "/settings/attributes/return/"
    assert list(_props(org)) == ["refundNum"]
    # the values themselves are not touched
    assert sum("reasonStr" in {**o.data, **o.custom} for o in KObject.objects.all()) == 2
    event = Event.objects.filter(type="metadata.update").latest("id")
    assert event.actor_id == admin_user.pk
    assert event.changes["reasonStr"]["before"]["displayName"] == "Reason"
    assert event.changes["reasonStr"]["after"] is None
    assert "Attribute “Reason” deleted." in admin.get(response["Location"]).content.decode()


def test_a_standard_object_attribute_without_values_says_nothing_is_affected(admin, org):
    services.metadata_update(
        org=org,
        actor=None,
        resource="customer",
        data={"properties": {"tierStr": {"displayName": "Tier"}}},
    )
    page = admin.get("/settings/attributes/customer/tierStr/delete/").content.decode()
    assert "No Customer records have a value for it" in page
    assert admin.post("/settings/attributes/customer/tierStr/delete/").status_code == 302
    assert _props(org, "customer") == {}


def test_a_rule_or_a_kview_that_uses_it_blocks_it_by_name(admin, org, ret):
    rule = services.rule_create(
        org=org,
        actor=None,
        resource="kobject.return",
        attribute="data.refundNum",
        when="create",
        message="A return needs its refund amount",
    )
    services.kview_create(
        org=org,
        actor=None,
        data={
            "name": "Return card",
            "resource": "kobject.return",
            "context": "timeline",
            "template": "<p>{{ object.data.refundNum }}</p>",
        },
    )
    page = admin.get("/settings/attributes/return/refundNum/delete/").content.decode()
    assert "“Refund amount” cannot be deleted yet." in page
    assert f'href="/settings/rules/{rule.pk}/">A return needs its refund amount' in page
    assert ">Return card</a>" in page and "Delete “Refund amount”" not in page
    response = admin.post("/settings/attributes/return/refundNum/delete/")
    assert response.status_code == 409
    assert "refundNum" in _props(org)
    # a name that merely contains another is no use of it
    assert (
        "cannot be deleted"
        not in admin.get("/settings/attributes/return/reasonStr/delete/").content.decode()
    )


def test_a_stale_page_does_not_delete(admin, org, ret):
    rev = Metadata.objects.get(org=org).rev
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.return",
        data={"properties": {"reasonStr": {"displayName": "Why"}}},
    )
    response = admin.post("/settings/attributes/return/reasonStr/delete/", {"rev": rev})
    assert response.status_code == 409 and "reasonStr" in _props(org)
    assert "Someone else changed these attributes" in response.content.decode()


def test_agents_are_refused_and_other_orgs_not_found(admin, agent, org, ret, other_org):
    services.klass_create(org=other_org, actor=None, data={"name": "secret"})
    services.metadata_update(
        org=other_org,
        actor=None,
        resource="kobject.secret",
        data={"properties": {"codeStr": {}}},
    )
    assert admin.get("/settings/attributes/secret/codeStr/delete/").status_code == 404
    assert admin.post("/settings/attributes/secret/codeStr/delete/").status_code == 404
    assert admin.get("/settings/attributes/return/nopeStr/delete/").status_code == 404
    admin.force_login(agent)
    assert admin.get("/settings/attributes/return/reasonStr/delete/").status_code == 403
    assert admin.post("/settings/attributes/return/reasonStr/delete/").status_code == 403
    assert "reasonStr" in _props(org)
