"""Settings → Relationships → Edit: both sides and how many picked from lists again, the
sentence shown, and a narrower "how many" checked against the links that exist, saying how
many of them would break."""

import pytest

from kdesk.models import Event
from klasses import services
from klasses.models import Link, Relationship

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def rel(org):
    order = services.klass_create(
        org=org, actor=None, data={"name": "order", "displayName": "Order"}
    )
    services.klass_create(org=org, actor=None, data={"name": "return", "displayName": "Return"})
    services.klass_update(
        org=org,
        actor=None,
        klass=order,
        data={
            "relationships": [
                {"name": "returns", "target": "return", "cardinality": "many-to-many"}
            ]
        },
    )
    return Relationship.objects.get()


def _link(org, rel, pairs):
    order, ret = (services.klass_get(org=org, name=n) for n in ("order", "return"))
    orders = [
        services.kobject_create(org=org, actor=None, klass=order, data={"title": f"O{n}"})
        for n in range(3)
    ]
    returns = [
        services.kobject_create(org=org, actor=None, klass=ret, data={"title": f"R{n}"})
        for n in range(3)
    ]
    # rows made directly: the link service wants a join object for every many to many
    for a, b in pairs:
        Link.objects.create(
            org=org, relationship=rel, from_id=str(orders[a].pk), to_id=str(returns[b].pk)
        )


def _post(admin, rel, **changes):
    data = {"source": "kobject.order", "target": "kobject.return", "cardinality": "many_to_many"}
    data.update(changes)
    return admin.post(f"/settings/relationships/{rel.pk}/", data)


def test_the_form_comes_filled_in_with_the_sentence(admin, rel):
    page = admin.get(f"/settings/relationships/{rel.pk}/").content.decode()
    assert '<option value="kobject.order" selected>Order</option>' in page
    assert '<option value="kobject.return" selected>Return</option>' in page
    assert 'value="many_to_many"' in page and "checked" in page
    assert "Save relationship" in page and "0 links use it." in page
    assert "<strong>An Order has many Returns, and a Return has many Orders.</strong>" in page
    assert (
        f'href="/settings/relationships/{rel.pk}/"'
        in admin.get("/settings/relationships/").content.decode()
    )


def test_narrowing_without_links_saves_and_says_what_it_means(admin, org, rel, admin_user):
    response = _post(admin, rel, cardinality="one_to_many")
    assert response.status_code == 302
    rel.refresh_from_db()
    assert rel.cardinality == "one_to_many" and rel.name == "returns"
    event = Event.objects.filter(type="relationship.update").get()
    assert event.actor_id == admin_user.pk
    page = admin.get("/settings/relationships/").content.decode()
    assert "One Order has many Returns; each Return belongs to one Order." in page


def test_a_narrower_cardinality_that_links_break_says_how_many(admin, org, rel):
    # return 0 is linked to two orders (2 links); order 1 links two returns (fine one to many)
    _link(org, rel, [(0, 0), (1, 0), (1, 1), (2, 2)])
    response = _post(admin, rel, cardinality="one_to_many")
    assert response.status_code == 400
    page = response.content.decode()
    assert "2 of the 4 existing links do not fit: a Return is linked to more than one Order" in (
        page
    )
    assert "keep “Many to many”" in page
    rel.refresh_from_db()
    assert rel.cardinality == "many_to_many"
    # one to one also counts the order that links two returns
    page = _post(admin, rel, cardinality="one_to_one").content.decode()
    assert "3 of the 4 existing links do not fit" in page
    assert Link.objects.count() == 4


def test_links_that_fit_keep_and_the_change_saves(admin, org, rel):
    _link(org, rel, [(0, 0), (0, 1), (1, 2)])
    assert _post(admin, rel, cardinality="one_to_many").status_code == 302
    rel.refresh_from_db()
    assert rel.cardinality == "one_to_many" and Link.objects.count() == 3


def test_sides_change_only_without_links(admin, org, rel):
    services.klass_create(org=org, actor=None, data={"name": "refund", "displayName": "Refund"})
    # held by the other side now: many returns to one order is the return's one to many
    assert _post(admin, rel, source="kobject.return", target="customer", cardinality="one_to_many")
    moved = Relationship.objects.get()
    assert (moved.from_resource, moved.to_resource, moved.name) == (
        "kobject.return",
        "customer",
        "returns",
    )
    _post(admin, moved, source="kobject.return", target="kobject.refund", cardinality="one_to_one")
    moved.refresh_from_db()
    assert moved.to_resource == "kobject.refund"


def test_moving_a_linked_relationship_is_refused_beside_the_field(admin, org, rel):
    _link(org, rel, [(0, 0)])
    response = _post(admin, rel, target="customer")
    assert response.status_code == 400
    assert "has links; remove them first" in response.content.decode()
    response = _post(admin, rel, source="kobject.return", target="kobject.order")
    assert response.status_code == 400
    assert "remove them before changing sides" in response.content.decode()
    rel.refresh_from_db()
    assert (rel.from_resource, rel.to_resource) == ("kobject.order", "kobject.return")


def test_agents_are_refused_and_other_orgs_not_found(admin, agent, rel, other_org):
    other = services.klass_create(org=other_org, actor=None, data={"name": "secret"})
    services.klass_update(
        org=other_org,
        actor=None,
        klass=other,
        data={
            "relationships": [{"name": "owner", "target": "customer", "cardinality": "one-to-one"}]
        },
    )
    theirs = Relationship.objects.get(org=other_org)
    assert admin.get(f"/settings/relationships/{theirs.pk}/").status_code == 404
    assert _post(admin, theirs, source="kobject.secret").status_code == 404
    admin.force_login(agent)
    assert admin.get(f"/settings/relationships/{rel.pk}/").status_code == 403
    assert _post(admin, rel, cardinality="one_to_one").status_code == 403
    rel.refresh_from_db()
    assert rel.cardinality == "many_to_many"
