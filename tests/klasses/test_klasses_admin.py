"""The Django admin ("Klass admin"): every registered model's pages load for an org admin (the
demo admin: role admin, staff, no model permissions); saves go through the services (engine
validation, events, rev, cardinality); an org admin never sees or writes another org's rows."""

import json

import pytest
from django.contrib import admin
from django.test import Client

from conversations import services as conversation_services
from conversations.models import Notification
from customers import services as customer_services
from customers.models import Identity
from kdesk import services as kdesk_services
from kdesk.models import ApiKey, Event, Organization
from klasses import services
from klasses.models import Klass, KObject, KView, Link, Metadata, Relationship, ValidationRule
from tests.events import emitted_since
from tests.factories import define_attributes

pytestmark = pytest.mark.django_db

OUR_APPS = {"kdesk", "customers", "conversations", "klasses"}


def org_admin_client(org, email):
    user, _ = kdesk_services.user_create_or_update(
        org=org, email=email, password="a-long-enough-passphrase", role="admin"
    )
    assert user.is_staff and not user.is_superuser  # what the settings pages and demo create
    client = Client()
    client.force_login(user)
    return client, user


@pytest.fixture
def ada(org):
    return org_admin_client(org, "ada@acme.test")


def populate(org, actor, suffix):
    """One row of every registered model in `org`, written through the services."""
    customer = customer_services.customer_create(
        org=org, actor=actor, data={"name": f"Grace {suffix}", "emails": []}
    )
    company = customer_services.company_create(
        org=org, actor=actor, data={"name": f"Navy {suffix}"}
    )
    klass = services.klass_create(org=org, actor=actor, data={"name": "order"})
    meta, _ = services.metadata_update(
        org=org,
        actor=actor,
        resource="kobject.order",
        data={"properties": {"totalNum": {"min": 0}, "currencyStr": {"enum": ["USD", "EUR"]}}},
    )
    kobject = services.kobject_create(
        org=org,
        actor=actor,
        klass=klass,
        data={"title": f"Order {suffix}", "customer": customer.pk, "data": {"totalNum": 5}},
    )
    rel = services.relationship_create(
        org=org,
        actor=actor,
        data={
            "name": "first-order",
            "from": "customer",
            "to": "kobject.order",
            "cardinality": "one_to_one",
        },
    )
    link = services.link_create(
        org=org, actor=actor, relationship=rel, from_id=customer.pk, to_id=kobject.pk
    )
    define_attributes(org, "conversation", "reasonStr")
    rule = services.rule_create(
        org=org,
        actor=actor,
        resource="conversation",
        attribute="custom.reasonStr",
        when="status",
        status="done",
    )
    kview = services.kview_create(
        org=org,
        actor=actor,
        data={"name": "Orders", "resource": "customer", "context": "timeline", "template": "x"},
    )
    conversation = conversation_services.conversation_create(
        org=org, actor=actor, data={"customer": customer.pk, "name": f"Help {suffix}"}
    )
    message = conversation_services.message_create(
        org=org,
        actor=actor,
        conversation=conversation,
        data={"direction": "in", "channel": "email", "body": "Where is it?"},
    )
    other = kdesk_services.user_create_or_update(
        org=org, email=f"sam-{suffix}@x.test", role="agent", username=f"sam{suffix}"
    )[0]
    team = kdesk_services.team_create(org=org, data={"name": "Billing", "members": [other.pk]})
    note = conversation_services.note_create(
        org=org, actor=actor, conversation=conversation, data={"body": f"@sam{suffix} look"}
    )
    tag = conversation_services.tag_create(org=org, actor=actor, data={"name": "vip"})
    shortcut = conversation_services.shortcut_create(
        org=org, actor=actor, data={"name": "hi", "payload": "Hello"}
    )
    key, _ = kdesk_services.api_key_create(org=org, name="zapier", actor=actor)
    customer_services.customer_update(
        org=org, actor=actor, customer=customer, data={"emails": [{"email": f"g{suffix}@x.io"}]}
    )
    return {
        "organization": org,
        "user": other,
        "team": team,
        "apikey": key,
        "event": Event.objects.filter(org=org).first(),
        "customer": customer,
        "company": company,
        "identity": Identity.objects.get(customer=customer),
        "metadata": meta,
        "klass": klass,
        "kobject": kobject,
        "relationship": rel,
        "link": link,
        "validationrule": rule,
        "kview": kview,
        "conversation": conversation,
        "message": message,
        "note": note,
        "notification": Notification.objects.get(note=note),
        "tag": tag,
        "shortcut": shortcut,
    }


def registered():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in OUR_APPS
    ]


def url(model, action, *args):
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def two_orgs(org, other_org, ada):
    _, user = ada
    mine = populate(org, user, "a")
    boss, _ = kdesk_services.user_create_or_update(
        org=other_org, email="boss@globex.test", role="admin"
    )
    theirs = populate(other_org, boss, "b")
    return mine, theirs


def test_every_registered_model_is_covered(two_orgs):
    mine, _ = two_orgs
    assert {m._meta.model_name for m, _ in registered()} == set(mine)


def test_the_demo_admin_can_use_the_klass_admin(ada, two_orgs):
    client, _ = ada
    r = client.get("/admin/klasses/klass/")
    assert r.status_code == 200
    assert "Klasses" in r.content.decode()
    index = client.get("/admin/").content.decode()
    for name in ("Klasses", "KObjects", "Customers", "Conversations"):
        assert name in index


def test_every_page_loads_for_an_org_admin(ada, two_orgs):
    client, _ = ada
    mine, _ = two_orgs
    for model, model_admin in registered():
        name = model._meta.model_name
        r = client.get(url(model, "changelist"))
        assert r.status_code == 200, name
        r = client.get(url(model, "add"))
        expected = 200 if model_admin.has_add_permission(r.wsgi_request) else 403
        assert r.status_code == expected, name
        r = client.get(url(model, "change", mine[name].pk))
        assert r.status_code == 200, (name, r.status_code)


def test_a_superuser_sees_every_org(two_orgs):
    from kdesk.models import User

    mine, theirs = two_orgs
    root = User.objects.create_superuser("root@kdesk.test", org=mine["organization"])
    client = Client()
    client.force_login(root)
    for model, _ in registered():
        name = model._meta.model_name
        r = client.get(url(model, "changelist"))
        assert r.status_code == 200, name
        shown = {o.pk for o in r.context["cl"].result_list}
        assert {mine[name].pk, theirs[name].pk} <= shown, name
        assert client.get(url(model, "change", theirs[name].pk)).status_code == 200, name
        assert client.get(url(model, "add")).status_code in (200, 403), name


def test_changelists_filters_and_choices_hold_only_the_own_org(ada, two_orgs):
    client, _ = ada
    mine, theirs = two_orgs
    for model, _ in registered():
        name = model._meta.model_name
        r = client.get(url(model, "changelist"))
        shown = {o.pk for o in r.context["cl"].result_list}
        assert mine[name].pk in shown, name
        assert theirs[name].pk not in shown, name
        html = r.content.decode()
        assert "Globex" not in html, name  # no org filter, column or related filter choice
    r = client.get(url(KObject, "add"))
    choices = r.context["adminform"].form.fields["klass"].queryset
    assert list(choices) == [mine["klass"]]


def test_another_orgs_rows_cannot_be_opened_or_changed(ada, two_orgs):
    client, _ = ada
    _, theirs = two_orgs
    for model, _ in registered():
        name = model._meta.model_name
        r = client.get(url(model, "change", theirs[name].pk))
        assert r.status_code == 302, name  # "doesn't exist", as for a missing id
        assert r.url == "/admin/", name
    kobject = theirs["kobject"]
    r = client.post(url(KObject, "change", kobject.pk), kobject_form(title="Mine now"))
    assert r.status_code == 302 and r.url == "/admin/"
    r = client.post(url(KObject, "delete", kobject.pk), {"post": "yes"})
    kobject.refresh_from_db()
    assert (kobject.title, kobject.rev) == ("Order b", 1)


def test_an_agent_cannot_enter(org):
    agent, _ = kdesk_services.user_create_or_update(org=org, email="sam@acme.test")
    client = Client()
    client.force_login(agent)
    assert client.get("/admin/klasses/klass/").status_code == 302


# ---- KObjects: the engine validates, the service writes ----------------------------------------


@pytest.fixture
def order(org, ada):
    _, user = ada
    klass = services.klass_create(org=org, actor=user, data={"name": "order"})
    services.metadata_update(
        org=org,
        actor=user,
        resource="kobject.order",
        data={"properties": {"totalNum": {"min": 0}, "currencyStr": {"enum": ["USD", "EUR"]}}},
    )
    return klass


def kobject_form(**extra):
    data = {
        "customer": "",
        "company": "",
        "external_id": "",
        "title": "Order A-1",
        "description": "",
        "icon": "",
        "images": "[]",
        "data": '{"totalNum": 10, "currencyStr": "USD"}',
        "custom": "{}",
        "tags": "[]",
    }
    data.update(extra)
    return data


def test_an_invalid_data_value_is_shown_on_the_form_and_nothing_is_written(ada, order):
    client, _ = ada
    events = Event.objects.count()
    r = client.post(
        url(KObject, "add"),
        kobject_form(klass=order.pk, data='{"totalNum": -1, "currencyStr": "GBP"}'),
    )
    assert r.status_code == 200
    errors = r.context["adminform"].form.errors["data"]
    assert any(e.startswith("/data/totalNum") for e in errors), errors
    assert any(e.startswith("/data/currencyStr") for e in errors), errors
    assert not KObject.objects.exists()
    assert Event.objects.count() == events


def test_an_admin_add_and_edit_record_events_and_bump_rev(ada, order, org):
    client, user = ada
    r = client.post(url(KObject, "add"), kobject_form(klass=order.pk))
    assert r.status_code == 302, r.content.decode()[:2000]
    obj = KObject.objects.get()
    assert (obj.org, obj.rev, obj.data["totalNum"]) == (org, 1, 10)
    r = client.post(
        url(KObject, "change", obj.pk),
        kobject_form(loaded_rev=1, data='{"totalNum": 12, "currencyStr": "USD"}'),
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    obj.refresh_from_db()
    assert (obj.rev, obj.data["totalNum"]) == (2, 12)
    update = Event.objects.filter(type="kobject.order.update").get()
    assert update.actor == user and update.rev == 2
    assert update.changes["data.totalNum"] == {"before": 10, "after": 12}
    assert emitted_since(resource="kobject.order") == [
        "kobject.order.create",
        "kobject.order.update",
    ]


def test_an_edit_prepared_against_an_older_rev_is_refused_on_the_form(ada, order, org):
    client, user = ada
    obj = services.kobject_create(org=org, actor=user, klass=order, data={"title": "A"})
    services.kobject_update(org=org, actor=user, klass=order, kobject=obj, data={"title": "B"})
    r = client.post(url(KObject, "change", obj.pk), kobject_form(loaded_rev=1, title="C"))
    assert r.status_code == 200
    assert "stale" in r.content.decode()
    obj.refresh_from_db()
    assert (obj.title, obj.rev) == ("B", 2)
    form = r.context["adminform"].form
    assert form["loaded_rev"].value() == "2"  # saving again now overwrites knowingly
    r = client.post(url(KObject, "change", obj.pk), kobject_form(loaded_rev=2, title="C"))
    assert r.status_code == 302
    obj.refresh_from_db()
    assert (obj.title, obj.rev) == ("C", 3)


def test_a_kobject_delete_goes_through_the_service(ada, order, org):
    client, user = ada
    obj = services.kobject_create(org=org, actor=user, klass=order, data={"title": "A"})
    r = client.post(url(KObject, "delete", obj.pk), {"post": "yes"})
    assert r.status_code == 302
    assert not KObject.objects.exists()
    assert Event.objects.filter(type="kobject.order.delete").count() == 1


def test_a_kobject_cannot_point_at_another_orgs_customer(ada, order, other_org):
    client, _ = ada
    stranger = customer_services.customer_create(
        org=other_org, actor=None, data={"name": "Stranger"}
    )
    r = client.post(url(KObject, "add"), kobject_form(klass=order.pk, customer=stranger.pk))
    assert r.status_code == 200
    assert "customer" in r.context["adminform"].form.errors
    assert not KObject.objects.exists()


# ---- Klasses and metadata -----------------------------------------------------------------------


def test_klass_add_and_change_go_through_the_services(ada, org):
    client, _ = ada
    data = {"name": "order", "display_name": "Order", "description": "", "icon": "", "color": ""}
    data.update(images="[]", status="active")
    r = client.post(url(Klass, "add"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    klass = Klass.objects.get()
    assert klass.org == org
    r = client.post(url(Klass, "change", klass.pk), {**data, "display_name": "Orders"})
    assert r.status_code == 302
    klass.refresh_from_db()
    assert (klass.display_name, klass.rev) == ("Orders", 2)
    assert emitted_since(resource="klass") == ["klass.create", "klass.update"]
    r = client.post(url(Klass, "add"), {**data, "name": "customer"})
    assert r.status_code == 200 and "standard object" in r.content.decode()
    page = client.get(url(Klass, "change", klass.pk)).content.decode()
    assert url(Metadata, "add") + "?resource=kobject.order" in page


def test_a_definition_change_existing_rows_violate_is_refused(ada, order, org):
    client, user = ada
    services.kobject_create(
        org=org, actor=user, klass=order, data={"title": "A", "data": {"totalNum": 5}}
    )
    meta = Metadata.objects.get(resource="kobject.order")
    rev = meta.rev
    edited = {**meta.properties, "totalNum": {**meta.properties["totalNum"], "max": 0}}
    form = {"properties": json.dumps(edited), "loaded_rev": rev}  # every definition, one edited
    r = client.post(url(Metadata, "change", meta.pk), form)
    assert r.status_code == 200
    assert "1 existing row(s) would violate" in r.content.decode()
    meta.refresh_from_db()
    assert meta.rev == rev and "max" not in meta.properties["totalNum"]
    assert not Event.objects.filter(type="metadata.update", rev=rev + 1).exists()
    r = client.post(url(Metadata, "change", meta.pk), {**form, "force": "on"}, follow=True)
    assert "left as they are" in r.content.decode()
    meta.refresh_from_db()
    assert meta.rev == rev + 1 and meta.properties["totalNum"]["max"] == 0
    assert Event.objects.filter(type="metadata.update", rev=rev + 1).count() == 1


def test_metadata_for_an_unknown_resource_is_an_error_on_the_form(ada):
    client, _ = ada
    r = client.post(url(Metadata, "add"), {"resource": "kobject.nope", "properties": "{}"})
    assert r.status_code == 200 and "Unknown resource" in r.content.decode()
    assert not Metadata.objects.exists()


# ---- relationships and links: cardinality through link_create -----------------------------------


@pytest.fixture
def one_to_one(ada, order, org):
    client, user = ada
    r = client.post(
        url(Relationship, "add"),
        {
            "name": "first-order",
            "from_resource": "customer",
            "to_resource": "kobject.order",
            "cardinality": "one_to_one",
            "through_klass": "",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Event.objects.filter(type="relationship.create").count() == 1
    customer = customer_services.customer_create(org=org, actor=user, data={"name": "Grace"})
    a, b = (
        services.kobject_create(org=org, actor=user, klass=order, data={"title": t}) for t in "AB"
    )
    return Relationship.objects.get(), customer, a, b


def test_links_keep_the_cardinality(ada, one_to_one):
    client, _ = ada
    rel, customer, a, b = one_to_one
    link = {"relationship": rel.pk, "from_id": customer.pk, "to_id": a.pk, "through": ""}
    r = client.post(url(Link, "add"), link)
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Event.objects.filter(type="relationship.link").count() == 1
    r = client.post(url(Link, "add"), {**link, "to_id": b.pk})
    assert r.status_code == 200
    assert "already has a" in r.content.decode()
    assert Link.objects.count() == 1
    r = client.post(url(Link, "add"), {**link, "to_id": 999999})
    assert r.status_code == 200
    assert "No kobject.order 999999" in str(r.context["adminform"].form.errors["to_id"])
    r = client.post(url(Link, "add"), {**link, "to_id": "abc"})
    assert r.status_code == 200 and "to_id" in r.context["adminform"].form.errors
    assert Link.objects.count() == 1
    assert client.get(url(Link, "change", Link.objects.get().pk)).status_code == 200
    assert (
        client.post(url(Link, "delete", Link.objects.get().pk), {"post": "yes"}).status_code == 403
    )


def test_a_link_cannot_use_another_orgs_relationship_or_ids(ada, one_to_one, other_org):
    client, _ = ada
    rel, customer, a, _ = one_to_one
    theirs = services.relationship_create(
        org=other_org,
        actor=None,
        data={"name": "x", "from": "customer", "to": "customer", "cardinality": "one_to_many"},
    )
    stranger = customer_services.customer_create(org=other_org, actor=None, data={"name": "S"})
    r = client.post(
        url(Link, "add"),
        {"relationship": theirs.pk, "from_id": stranger.pk, "to_id": stranger.pk, "through": ""},
    )
    assert r.status_code == 200 and "relationship" in r.context["adminform"].form.errors
    r = client.post(
        url(Link, "add"),
        {"relationship": rel.pk, "from_id": stranger.pk, "to_id": a.pk, "through": ""},
    )
    assert r.status_code == 200 and "from_id" in r.context["adminform"].form.errors
    assert not Link.objects.exists()


def test_what_has_no_service_is_read_only(ada, two_orgs):
    client, _ = ada
    mine, _ = two_orgs
    for model in (Relationship, Link, ValidationRule, Organization, ApiKey, Event):
        obj = mine[model._meta.model_name]
        r = client.get(url(model, "change", obj.pk))
        assert r.status_code == 200 and r.context["title"].startswith("View"), model
        assert client.post(url(model, "change", obj.pk), {}).status_code == 403, model
    for model in (Klass, Metadata, Relationship, ValidationRule, Event):
        obj = mine[model._meta.model_name]
        assert client.post(url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert client.get(url(Organization, "add")).status_code == 403


def test_a_kview_edit_goes_through_the_service(ada, org):
    client, user = ada
    kview = services.kview_create(
        org=org,
        actor=user,
        data={"name": "Orders", "resource": "customer", "context": "timeline", "template": "x"},
    )
    data = {
        "name": "Orders",
        "resource": "customer",
        "context": "timeline",
        "kind": "template",
        "template": "{% bad",
        "url_template": "",
        "position": 0,
        "active": "on",
        "loaded_rev": 1,
    }
    r = client.post(url(KView, "change", kview.pk), data)
    assert r.status_code == 200 and "template" in r.context["adminform"].form.errors
    r = client.post(url(KView, "change", kview.pk), {**data, "template": "{{ customer.name }}"})
    assert r.status_code == 302
    kview.refresh_from_db()
    assert kview.rev == 2 and Event.objects.filter(type="kview.update").count() == 1


def test_api_keys_are_revoked_through_the_service(ada, org):
    client, user = ada
    key, _ = kdesk_services.api_key_create(org=org, name="zapier", actor=user)
    r = client.post(url(ApiKey, "changelist"), {"action": "revoke", "_selected_action": [key.pk]})
    assert r.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert Event.objects.filter(type="api_key.revoke").count() == 1


# ---- people and teams (kdesk) -------------------------------------------------------------------


def test_people_are_written_by_the_user_service(ada, org):
    from kdesk.models import User

    client, user = ada
    r = client.post(
        url(User, "add"),
        {
            "email": "Lee@Acme.test",
            "display_name": "Lee Chen",
            "username": "lee",
            "role": "agent",
            "usable_password": "true",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    lee = User.objects.get(email="lee@acme.test")
    assert (lee.org, lee.role, lee.is_staff, lee.is_superuser) == (org, "agent", False, False)
    assert lee.check_password("a-long-enough-passphrase")
    change = {"display_name": "Lee C.", "username": "lee", "role": "admin", "is_superuser": "on"}
    r = client.post(url(User, "change", lee.pk), change)
    assert r.status_code == 302, r.content.decode()[:3000]
    lee.refresh_from_db()
    assert (lee.display_name, lee.role, lee.is_staff) == ("Lee C.", "admin", True)
    assert not lee.is_superuser  # read-only here: an org admin cannot make a superuser
    assert [
        t
        for t, rid in emitted_since(resource="user", fields=("type", "resource_id"))
        if rid == str(lee.pk)
    ] == ["user.create", "user.update"]
    r = client.post(url(User, "change", lee.pk), {**change, "username": user.username})
    assert r.status_code == 200
    assert "/username: The username ada is taken." in r.context["adminform"].form.errors["username"]
    lee.refresh_from_db()
    assert lee.username == "lee"


def test_an_org_admin_cannot_edit_a_superuser_or_a_machine_user(ada, org):
    from kdesk.models import User

    client, _ = ada
    root = User.objects.create_superuser("root@kdesk.test", org=org)
    key, _ = kdesk_services.api_key_create(org=org, name="zapier")
    for person in (root, key.user):
        assert client.get(url(User, "change", person.pk)).context["title"].startswith("View")
        r = client.post(url(User, "change", person.pk), {"display_name": "x", "role": "agent"})
        assert r.status_code == 403
        assert client.get(f"/admin/kdesk/user/{person.pk}/password/").status_code == 403


def test_teams_are_created_by_the_team_service(ada, org, other_org):
    from kdesk.models import Team

    client, user = ada
    stranger = kdesk_services.user_create_or_update(org=other_org, email="x@globex.test")[0]
    r = client.post(url(Team, "add"), {"name": "Billing", "slug": "", "members": [stranger.pk]})
    assert r.status_code == 200 and "members" in r.context["adminform"].form.errors
    r = client.post(url(Team, "add"), {"name": "Billing", "slug": "billing", "members": [user.pk]})
    assert r.status_code == 302, r.content.decode()[:3000]
    team = Team.objects.get()
    assert (team.org, list(team.members.all())) == (org, [user])
    assert Event.objects.filter(type="team.create").count() == 1
    r = client.post(url(Team, "add"), {"name": "Billing 2", "slug": "billing", "members": []})
    assert r.status_code == 200 and "billing exists" in r.content.decode()


def test_kobjects_filter_by_customer_within_the_org(ada, two_orgs, org):
    client, _ = ada
    mine, theirs = two_orgs
    kobject = mine["kobject"]
    assert kobject.customer_id
    other = KObject.objects.create(org=org, klass=kobject.klass, title="Unrelated order")
    r = client.get(url(KObject, "changelist") + f"?customer={kobject.customer_id}")
    assert r.status_code == 200
    listed = {o.pk for o in r.context["cl"].result_list}
    assert kobject.pk in listed and other.pk not in listed
    foreign = theirs["kobject"]
    r = client.get(url(KObject, "changelist") + f"?customer={foreign.customer_id}")
    assert r.status_code == 200 and not list(r.context["cl"].result_list)
