"""Settings → Relationships: both sides picked from lists of what exists (never typed), the
cardinality said as a sentence, many to one held by the other side, removal asks first."""

import pytest

from kdesk.models import Event
from klasses import services
from klasses.models import Link, Relationship
from klasses.settings_views.forms import plural, sentence

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def klasses(org):
    order = services.klass_create(
        org=org, actor=None, data={"name": "order", "displayName": "Order"}
    )
    ret = services.klass_create(
        org=org, actor=None, data={"name": "return", "displayName": "Return"}
    )
    return order, ret


def test_it_refuses_agents_every_page_and_action(client, agent, org, klasses):
    client.force_login(agent)
    for path in (
        "/settings/relationships/",
        "/settings/relationships/_new/",
        "/settings/relationships/_sentence/",
    ):
        assert client.get(path).status_code == 403, path
    response = client.post(
        "/settings/relationships/_new/",
        {
            "source": "kobject.order",
            "target": "kobject.return",
            "cardinality": "one_to_many",
            "name": "returns",
        },
    )
    assert response.status_code == 403 and not Relationship.objects.exists()


def test_one_order_has_many_returns(admin, org, klasses, admin_user):
    page = admin.get("/settings/relationships/_new/").content.decode()
    # the pickers list what exists, by display name
    assert '<option value="kobject.return">Return</option>' in page
    assert '<option value="customer">Customer</option>' in page
    response = admin.post(
        "/settings/relationships/_new/",
        {
            "source": "kobject.order",
            "target": "kobject.return",
            "cardinality": "one_to_many",
            "name": "returns",
        },
    )
    assert response.status_code == 302
    rel = Relationship.objects.get()
    assert (rel.from_resource, rel.to_resource, rel.cardinality, rel.name) == (
        "kobject.order",
        "kobject.return",
        "one_to_many",
        "returns",
    )
    assert Event.objects.get(type="relationship.create").actor_id == admin_user.pk
    html = admin.get("/settings/relationships/").content.decode()
    assert "One Order has many Returns; each Return belongs to one Order." in html


def test_many_to_one_is_held_by_the_other_side(admin, org, klasses):
    response = admin.post(
        "/settings/relationships/_new/",
        {
            "source": "kobject.return",
            "target": "kobject.order",
            "cardinality": "many_to_one",
            "name": "returns",
        },
    )
    assert response.status_code == 302
    rel = Relationship.objects.get()
    assert (rel.from_resource, rel.to_resource, rel.cardinality) == (
        "kobject.order",
        "kobject.return",
        "one_to_many",
    )


def test_many_to_many_may_go_through_a_join_object(admin, org, klasses):
    services.klass_create(org=org, actor=None, data={"name": "line", "displayName": "Line"})
    response = admin.post(
        "/settings/relationships/_new/",
        {
            "source": "kobject.order",
            "target": "kobject.return",
            "cardinality": "many_to_many",
            "through": "line",
            "name": "returns",
        },
    )
    assert response.status_code == 302
    assert Relationship.objects.get().through_klass.name == "line"


@pytest.mark.parametrize(
    "post, field, message",
    [
        (
            {
                "source": "kobject.order",
                "target": "kobject.nope",
                "cardinality": "one_to_many",
                "name": "x",
            },
            "target",
            "Select a valid choice",
        ),
        (
            {
                "source": "customer",
                "target": "kobject.order",
                "cardinality": "one_to_many",
                "name": "x",
            },
            "source",
            "Select a valid choice",
        ),
        (
            {
                "source": "kobject.return",
                "target": "customer",
                "cardinality": "many_to_one",
                "name": "x",
            },
            "cardinality",
            "each object’s own customer link",
        ),
        (
            {
                "source": "kobject.order",
                "target": "kobject.return",
                "cardinality": "one_to_many",
                "through": "order",
                "name": "x",
            },
            "through",
            "Only a many to many",
        ),
        (
            {
                "source": "kobject.order",
                "target": "kobject.return",
                "cardinality": "one_to_many",
                "name": "9x",
            },
            "name",
            "starting with a letter",
        ),
        (
            {
                "source": "kobject.order",
                "target": "kobject.return",
                "cardinality": "one_to_many",
                "name": "customer",
            },
            "name",
            "own link",
        ),
    ],
)
def test_bad_choices_come_back_beside_the_field(admin, org, klasses, post, field, message):
    response = admin.post("/settings/relationships/_new/", post)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.split(f'id="id_{field}_error"')[1].split("</div></div>")[0]
    assert not Relationship.objects.exists()


def test_a_name_the_object_already_uses_is_refused_not_overwritten(admin, org, klasses):
    services.klass_update(
        org=org,
        actor=None,
        klass=klasses[0],
        data={
            "relationships": [
                {"name": "returns", "target": "customer", "cardinality": "one-to-one"}
            ]
        },
    )
    response = admin.post(
        "/settings/relationships/_new/",
        {
            "source": "kobject.order",
            "target": "kobject.return",
            "cardinality": "one_to_many",
            "name": "returns",
        },
    )
    assert response.status_code == 400
    assert "Order already has a link named “returns”" in response.content.decode()
    assert Relationship.objects.get().to_resource == "customer"


def test_the_sentence_follows_the_picks(admin, org, klasses):
    url = "/settings/relationships/_sentence/?source=kobject.order&target=kobject.return"
    assert (
        "One Order has many Returns" in admin.get(f"{url}&cardinality=one_to_many").content.decode()
    )
    assert "Pick both sides" in admin.get("/settings/relationships/_sentence/").content.decode()


def test_removing_asks_first_naming_the_links_that_go(admin, org, klasses):
    order, ret = klasses
    services.klass_update(
        org=org,
        actor=None,
        klass=order,
        data={
            "relationships": [{"name": "returns", "target": "return", "cardinality": "one-to-many"}]
        },
    )
    rel = Relationship.objects.get()
    o = services.kobject_create(org=org, actor=None, klass=order, data={"title": "O"})
    for n in range(2):
        r = services.kobject_create(org=org, actor=None, klass=ret, data={"title": f"R{n}"})
        services.link_create(org=org, actor=None, relationship=rel, from_id=o.pk, to_id=r.pk)
    page = admin.get(f"/settings/relationships/{rel.pk}/delete/").content.decode()
    assert "2 existing connections" in page and Link.objects.count() == 2
    response = admin.post(f"/settings/relationships/{rel.pk}/delete/")
    assert response.status_code == 302
    assert not Relationship.objects.exists() and not Link.objects.exists()
    assert Event.objects.filter(type="relationship.delete").count() == 1


def test_another_orgs_relationship_is_not_found(admin, other_org):
    other = services.klass_create(org=other_org, actor=None, data={"name": "secret"})
    services.klass_update(
        org=other_org,
        actor=None,
        klass=other,
        data={
            "relationships": [{"name": "owner", "target": "customer", "cardinality": "one-to-one"}]
        },
    )
    rel = Relationship.objects.get()
    assert admin.get(f"/settings/relationships/{rel.pk}/delete/").status_code == 404
    assert admin.post(f"/settings/relationships/{rel.pk}/delete/").status_code == 404
    assert "owner" not in admin.get("/settings/relationships/").content.decode()


def test_the_list_costs_the_same_whatever_its_length(
    admin, org, klasses, django_assert_num_queries
):
    services.klass_update(
        org=org,
        actor=None,
        klass=klasses[0],
        data={
            "relationships": [
                {"name": f"r{n}", "target": "return", "cardinality": "one-to-one"} for n in range(5)
            ]
        },
    )
    # session, user, org, unread count, live cursor, resources, relationships with counts
    with django_assert_num_queries(7):
        admin.get("/settings/relationships/")


def test_sentences_read_well():
    assert plural("Company") == "Companies" and plural("Box") == "Boxes"
    assert sentence("many_to_one", "Return", "Order") == (
        "Many Returns belong to one Order; one Order has many Returns."
    )
    assert sentence("many_to_many", "Student", "Course", "Enrolment") == (
        "A Student has many Courses, and a Course has many Students, each link recorded as an "
        "Enrolment."
    )
    assert sentence("many_to_many", "Order", "Item").startswith("An Order has many Items")
