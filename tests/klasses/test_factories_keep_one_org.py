"""The klasses factories build rows that belong together: one organization throughout."""

import pytest

from klasses.models import Klass
from tests.factories import OrganizationFactory
from tests.klasses.factories import (
    KlassFactory,
    KObjectFactory,
    KViewFactory,
    MetadataFactory,
    RelationshipFactory,
    ValidationRuleFactory,
)

pytestmark = pytest.mark.django_db


def test_a_kobject_lives_in_its_klass_organization():
    obj = KObjectFactory(klass__name="order", data={"totalNum": 3})
    assert obj.org_id == obj.klass.org_id
    assert (obj.klass.name, obj.klass.display_name, obj.external_id) == ("order", "Order", None)


def test_the_same_klass_name_in_one_org_is_one_klass():
    org = OrganizationFactory()
    assert KlassFactory(org=org, name="order") == KlassFactory(org=org, name="order")
    assert Klass.objects.filter(org=org).count() == 1


def test_a_relationship_goes_from_a_klass_of_its_org():
    rel = RelationshipFactory(to_resource="company")
    source = Klass.objects.get(name=rel.from_resource.removeprefix("kobject."))
    assert source.org_id == rel.org_id


def test_metadata_rules_and_kviews_take_what_they_are_given():
    org = OrganizationFactory()
    meta = MetadataFactory(org=org, properties={"tierStr": {"type": "string"}})
    rule = ValidationRuleFactory(org=org, attribute="custom.tierStr")
    view = KViewFactory(org=org)
    assert (meta.resource, rule.resource, view.resource) == ("customer",) * 3
    assert {meta.org_id, rule.org_id, view.org_id} == {org.pk}
