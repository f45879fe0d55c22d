"""Settings → Validation rules: the object and attribute come from lists of what exists (a rule
on a missing attribute cannot be made), the moment is picked, the rule reads as a sentence."""

import pytest

from kdesk.errors import ValidationFailed
from kdesk.models import Event
from klasses import services
from klasses.models import ValidationRule
from klasses.settings_views.rule_forms import rule_sentence

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
        data={"properties": {"refundAmountNum": {"displayName": "Refund amount"}}},
    )
    return klass


def _rule(org, **kw):
    return services.rule_create(
        org=org,
        actor=None,
        **{
            "resource": "kobject.return",
            "attribute": "data.refundAmountNum",
            "when": "create",
            **kw,
        },
    )


def test_it_refuses_agents_every_page_and_action(client, agent, org, ret):
    rule = _rule(org)
    client.force_login(agent)
    for path in (
        "/settings/rules/",
        "/settings/rules/_new/",
        "/settings/rules/_attributes/?resource=customer",
        "/settings/rules/_preview/",
        f"/settings/rules/{rule.pk}/",
        f"/settings/rules/{rule.pk}/delete/",
    ):
        assert client.get(path).status_code == 403, path
    for path in (
        "/settings/rules/_new/",
        f"/settings/rules/{rule.pk}/",
        f"/settings/rules/{rule.pk}/toggle/",
        f"/settings/rules/{rule.pk}/delete/",
    ):
        assert client.post(path, {}).status_code == 403, path
    rule.refresh_from_db()
    assert rule.active and ValidationRule.objects.count() == 1


def test_refund_amount_required_on_create_by_picking_the_attribute(admin, org, ret, admin_user):
    page = admin.get("/settings/rules/_new/").content.decode()
    assert '<option value="kobject.return">Return</option>' in page
    options = admin.get("/settings/rules/_attributes/?resource=kobject.return").content.decode()
    assert '<option value="data.refundAmountNum">Refund amount</option>' in options
    assert '<option value="title">Title</option>' in options
    response = admin.post(
        "/settings/rules/_new/",
        {
            "resource": "kobject.return",
            "attribute": "data.refundAmountNum",
            "when": "create",
            "op": "required",
            "active": "on",
        },
    )
    assert response.status_code == 302
    rule = ValidationRule.objects.get()
    assert (rule.resource, rule.attribute, rule.when, rule.condition, rule.active) == (
        "kobject.return",
        "data.refundAmountNum",
        "create",
        {},
        True,
    )
    assert Event.objects.get(type="validation_rule.create").actor_id == admin_user.pk
    html = admin.get("/settings/rules/").content.decode()
    assert "A Return cannot be created without Refund amount." in html
    # and it applies
    with pytest.raises(ValidationFailed):
        services.kobject_create(org=org, actor=None, klass=ret, data={"title": "R1"})


def test_an_attribute_that_does_not_exist_cannot_be_picked(admin, org, ret):
    response = admin.post(
        "/settings/rules/_new/",
        {
            "resource": "kobject.return",
            "attribute": "data.ghostStr",
            "when": "create",
            "op": "required",
        },
    )
    assert response.status_code == 400
    error = response.content.decode().split('id="id_attribute_error"')[1].split("</div></div>")[0]
    assert "Select a valid choice" in error
    # nor one of another object
    response = admin.post(
        "/settings/rules/_new/",
        {
            "resource": "customer",
            "attribute": "data.refundAmountNum",
            "when": "create",
            "op": "required",
        },
    )
    assert response.status_code == 400 and not ValidationRule.objects.exists()


@pytest.mark.parametrize(
    "post, field, message",
    [
        ({"op": "gte", "value": ""}, "value", "needs a value"),
        ({"op": "gte", "value": "lots"}, "value", "Write a number"),
        ({"op": "min_length", "value": "-1"}, "value", "whole number"),
        ({"when": "status", "status": "done"}, "when", "Only conversations have a status"),
    ],
)
def test_bad_input_comes_back_beside_the_field(admin, org, ret, post, field, message):
    body = {
        "resource": "kobject.return",
        "attribute": "data.refundAmountNum",
        "when": "create",
        "op": "required",
        **post,
    }
    response = admin.post("/settings/rules/_new/", body)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.split(f'id="id_{field}_error"')[1].split("</div></div>")[0]
    assert not ValidationRule.objects.exists()


def test_a_condition_and_a_status_rule(admin, org, ret):
    admin.post(
        "/settings/rules/_new/",
        {
            "resource": "kobject.return",
            "attribute": "data.refundAmountNum",
            "when": "always",
            "op": "gte",
            "value": "0",
            "active": "on",
        },
    )
    assert ValidationRule.objects.get().condition == {"op": "gte", "value": 0}
    services.metadata_update(
        org=org,
        actor=None,
        resource="conversation",
        data={"properties": {"reasonStr": {"displayName": "Reason"}}},
    )
    response = admin.post(
        "/settings/rules/_new/",
        {
            "resource": "conversation",
            "attribute": "custom.reasonStr",
            "when": "status",
            "status": "done",
            "op": "required",
            "active": "on",
        },
    )
    assert response.status_code == 302
    html = admin.get("/settings/rules/").content.decode()
    assert "When a Return is created or changed, Refund amount must be at least 0." in html
    assert "A conversation cannot be set to done without Reason." in html


def test_edit_toggle_and_delete(admin, org, ret):
    rule = _rule(org)
    page = admin.get(f"/settings/rules/{rule.pk}/").content.decode()
    assert "A Return cannot be created without Refund amount." in page
    response = admin.post(
        f"/settings/rules/{rule.pk}/",
        {
            "resource": "kobject.return",
            "attribute": "data.refundAmountNum",
            "when": "update",
            "op": "lte",
            "value": "500",
            "message": "Too much",
            "active": "on",
            "rev": rule.rev,
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.when, rule.condition, rule.message) == (
        "update",
        {"op": "lte", "value": 500},
        "Too much",
    )
    stale = admin.post(
        f"/settings/rules/{rule.pk}/",
        {
            "resource": "kobject.return",
            "attribute": "data.refundAmountNum",
            "when": "create",
            "op": "required",
            "rev": rule.rev - 1,
        },
    )
    assert stale.status_code == 400 and "Someone else changed this rule" in stale.content.decode()
    admin.post(f"/settings/rules/{rule.pk}/toggle/", {})
    rule.refresh_from_db()
    assert not rule.active
    admin.post(f"/settings/rules/{rule.pk}/toggle/", {"active": "on"})
    rule.refresh_from_db()
    assert rule.active
    assert "stops being checked" in admin.get(f"/settings/rules/{rule.pk}/delete/").content.decode()
    assert ValidationRule.objects.exists()
    admin.post(f"/settings/rules/{rule.pk}/delete/")
    assert not ValidationRule.objects.exists()


def test_another_orgs_rule_is_not_found(admin, other_org):
    services.metadata_update(
        org=other_org, actor=None, resource="customer", data={"properties": {"tierStr": {}}}
    )
    rule = services.rule_create(
        org=other_org, actor=None, resource="customer", attribute="custom.tierStr", when="create"
    )
    for path in (f"/settings/rules/{rule.pk}/", f"/settings/rules/{rule.pk}/delete/"):
        assert admin.get(path).status_code == 404
    assert admin.post(f"/settings/rules/{rule.pk}/toggle/").status_code == 404
    assert admin.post(f"/settings/rules/{rule.pk}/delete/").status_code == 404
    assert ValidationRule.objects.get().active


def test_the_list_costs_the_same_whatever_its_length(admin, org, ret, django_assert_num_queries):
    for when in ("create", "update", "always"):
        _rule(org, when=when)
    # session, user, org, unread count, live cursor, resources, definitions, rules
    with django_assert_num_queries(8):
        admin.get("/settings/rules/")


def test_the_preview_reads_the_rule(admin, org, ret):
    url = (
        "/settings/rules/_preview/?resource=kobject.return&attribute=data.refundAmountNum"
        "&when=create&op=required"
    )
    assert "A Return cannot be created without Refund amount." in admin.get(url).content.decode()
    assert "Pick an object" in admin.get("/settings/rules/_preview/").content.decode()


def test_sentences():
    assert rule_sentence("Order", "Total", "update", "", "in", ["a", "b"]) == (
        "When an Order is changed, Total must be one of a, b."
    )
