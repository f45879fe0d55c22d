import pytest

from customers.models import Customer
from kdesk.errors import Conflict, NotFound, ValidationFailed
from klasses import services
from klasses.attributes import check_rules
from tests.factories import define_attributes
from tests.klasses.factories import KlassFactory, KObjectFactory, ValidationRuleFactory

pytestmark = pytest.mark.django_db


def test_required_before_status(org):
    define_attributes(org, "conversation", "resolutionStr")
    services.rule_create(
        org=org,
        actor=None,
        resource="conversation",
        attribute="custom.resolutionStr",
        when="status",
        status="done",
    )
    record = {"status": "done", "custom": {}}
    errors = check_rules(
        org=org, resource="conversation", action="update", record=record, changed={"status"}
    )
    assert [e.pointer for e in errors] == ["/custom/resolutionStr"]
    assert "before the status is set to done" in errors[0].detail
    record["custom"]["resolutionStr"] = "refunded"
    assert (
        check_rules(
            org=org, resource="conversation", action="update", record=record, changed={"status"}
        )
        == []
    )
    assert (
        check_rules(
            org=org,
            resource="conversation",
            action="update",
            record={"status": "open", "custom": {}},
            changed={"status"},
        )
        == []
    )


def test_required_on_create(org):
    ValidationRuleFactory(org=org, resource="customer", attribute="externalId", when="create")
    assert (
        check_rules(org=org, resource="customer", action="create", record={}, changed=set())[
            0
        ].pointer
        == "/externalId"
    )
    assert (
        check_rules(org=org, resource="customer", action="update", record={}, changed=set()) == []
    )


def test_relationship_cardinality(org):
    a = Customer.objects.create(org=org, name="A")
    b = Customer.objects.create(org=org, name="B")
    klass = KlassFactory(org=org, name="order", display_name="Order")
    o1 = KObjectFactory(org=org, klass=klass, title="1")
    o2 = KObjectFactory(org=org, klass=klass, title="2")
    rel = services.relationship_create(
        org=org,
        actor=None,
        data={
            "name": "buyer",
            "from": "customer",
            "to": "kobject.order",
            "cardinality": "one_to_many",
        },
    )
    services.link_create(org=org, actor=None, relationship=rel, from_id=a.pk, to_id=o1.pk)
    services.link_create(org=org, actor=None, relationship=rel, from_id=a.pk, to_id=o2.pk)
    with pytest.raises(Conflict):
        services.link_create(org=org, actor=None, relationship=rel, from_id=b.pk, to_id=o1.pk)
    assert {x[2] for x in services.related(org=org, resource="customer", ident=a.pk)} == {
        str(o1.pk),
        str(o2.pk),
    }
    assert services.related(org=org, resource="kobject.order", ident=o1.pk)[0][2] == str(a.pk)
    one = services.relationship_create(
        org=org,
        actor=None,
        data={
            "name": "primary",
            "from": "customer",
            "to": "kobject.order",
            "cardinality": "one_to_one",
        },
    )
    services.link_create(org=org, actor=None, relationship=one, from_id=a.pk, to_id=o1.pk)
    with pytest.raises(Conflict):
        services.link_create(org=org, actor=None, relationship=one, from_id=a.pk, to_id=o2.pk)
    with pytest.raises(ValidationFailed):
        services.relationship_create(
            org=org,
            actor=None,
            data={
                "name": "m2m",
                "from": "customer",
                "to": "kobject.order",
                "cardinality": "many_to_many",
            },
        )


def test_links_refuse_another_orgs_relationship_or_through_object(org, other_org):
    a = Customer.objects.create(org=org, name="A")
    mine = KlassFactory(org=org, name="order", display_name="Order")
    theirs = KlassFactory(org=other_org, name="order", display_name="Order")
    o1 = KObjectFactory(org=org, klass=mine, title="1")
    foreign = KObjectFactory(org=other_org, klass=theirs, title="x")
    data = {
        "name": "buyer",
        "from": "customer",
        "to": "kobject.order",
        "cardinality": "one_to_many",
    }
    rel = services.relationship_create(org=org, actor=None, data=data)
    other_rel = services.relationship_create(org=other_org, actor=None, data=data)
    with pytest.raises(NotFound):
        services.link_create(org=org, actor=None, relationship=other_rel, from_id=a.pk, to_id=o1.pk)
    with pytest.raises(ValidationFailed) as caught:
        services.link_create(
            org=org, actor=None, relationship=rel, from_id=a.pk, to_id=o1.pk, through=foreign
        )
    assert "/through" in {e.pointer for e in caught.value.errors}
