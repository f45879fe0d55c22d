"""Validation rules apply to every resource that has them (customers, companies,
conversations, messages, KObjects), and a rule can only be made for a resource and an attribute that
exist."""

import pytest

from customers import services as customer_services
from kdesk.errors import NotFound, ValidationFailed
from klasses import attributes, services
from klasses.models import ValidationRule
from tests.customers.factories import CompanyFactory
from tests.factories import define_attributes
from tests.klasses.factories import KlassFactory

pytestmark = pytest.mark.django_db


def pointers(exc):
    return [e.pointer for e in exc.value.errors]


@pytest.fixture
def order(org):
    return KlassFactory(org=org, name="order", display_name="Order")


def rule(org, resource, attribute, when="always", define=True, **kw):
    """A rule; the custom attribute it names is defined first unless `define` is False."""
    head, _, name = attribute.partition(".")
    if define and name and head in ("custom", "data"):
        try:
            define_attributes(org, resource, name)
        except (ValidationFailed, NotFound):
            pass  # not a definable name or resource: the rule itself says what is wrong
    return services.rule_create(
        org=org, actor=None, resource=resource, attribute=attribute, when=when, **kw
    )


def test_kobject_create_checks_the_rules(org, order):
    rule(org, "kobject.order", "data.totalNum", when="create")

    with pytest.raises(ValidationFailed) as exc:
        services.kobject_create(org=org, actor=None, klass=order, data={"title": "#1"})

    assert pointers(exc) == ["/data/totalNum"]
    obj = services.kobject_create(
        org=org, actor=None, klass=order, data={"title": "#1", "data": {"totalNum": 5}}
    )
    assert obj.data == {"totalNum": 5}


def test_kobject_update_and_upsert_check_the_rules(org, order):
    rule(org, "kobject.order", "custom.carrierStr")
    obj = services.kobject_create(
        org=org,
        actor=None,
        klass=order,
        data={"title": "#1", "externalId": "o-1", "custom": {"carrierStr": "UPS"}},
    )

    with pytest.raises(ValidationFailed) as exc:
        services.kobject_update(
            org=org, actor=None, klass=order, kobject=obj, data={"custom": {"carrierStr": None}}
        )
    assert pointers(exc) == ["/custom/carrierStr"]
    with pytest.raises(ValidationFailed) as exc:
        services.kobject_update(
            org=org, actor=None, klass=order, kobject=obj, data={"title": "#1"}, partial=False
        )
    assert pointers(exc) == ["/custom/carrierStr"]
    with pytest.raises(ValidationFailed) as exc:
        services.kobject_upsert(
            org=org, actor=None, klass=order, external_id="o-2", data={"title": "#2"}
        )
    assert pointers(exc) == ["/custom/carrierStr"]
    obj.refresh_from_db()
    assert obj.custom == {"carrierStr": "UPS"} and obj.rev == 1
    services.kobject_update(org=org, actor=None, klass=order, kobject=obj, data={"title": "x"})


def test_a_rule_on_a_standard_kobject_attribute(org, order):
    rule(org, "kobject.order", "externalId", when="create")

    with pytest.raises(ValidationFailed) as exc:
        services.kobject_create(org=org, actor=None, klass=order, data={"title": "#1"})

    assert pointers(exc) == ["/externalId"]


def test_the_bulk_helper_reports_one_items_errors_with_its_pointer(org, order):
    rule(org, "kobject.order", "data.totalNum")
    rules = attributes.rules_for(org, "kobject.order")
    existing = services.kobject_create(
        org=org, actor=None, klass=order, data={"title": "#1", "data": {"totalNum": 3}}
    )

    errors = services.kobject_rule_errors(
        org=org, klass=order, fields={"title": "#2", "data": {}}, pointer="/4", rules=rules
    )
    assert [e.pointer for e in errors] == ["/4/data/totalNum"]
    # an update that leaves the value as it is passes, and the object is not touched
    assert (
        services.kobject_rule_errors(
            org=org, klass=order, fields={"title": "#1b"}, existing=existing, rules=rules
        )
        == []
    )
    assert existing.title == "#1"
    errors = services.kobject_rule_errors(
        org=org, klass=order, fields={"data": {"totalNum": None}}, existing=existing
    )
    assert [e.pointer for e in errors] == ["/data/totalNum"]


def test_company_writes_check_the_rules(org):
    rule(org, "company", "externalId", when="create")
    rule(org, "company", "custom.segmentStr")

    with pytest.raises(ValidationFailed) as exc:
        customer_services.company_create(org=org, actor=None, data={"name": "Acme"})
    assert sorted(pointers(exc)) == ["/custom/segmentStr", "/externalId"]

    company = customer_services.company_create(
        org=org,
        actor=None,
        data={"name": "Acme", "externalId": "c-1", "custom": {"segmentStr": "smb"}},
    )
    with pytest.raises(ValidationFailed) as exc:
        customer_services.company_update(
            org=org, actor=None, company=company, data={"custom": {"segmentStr": None}}
        )
    assert pointers(exc) == ["/custom/segmentStr"]
    customer_services.company_update(
        org=org, actor=None, company=company, data={"externalId": None}
    )  # "create" rules do not apply to updates


def test_a_customer_rule_on_its_company(org):
    rule(org, "customer", "company")
    with pytest.raises(ValidationFailed) as exc:
        customer_services.customer_create(org=org, actor=None, data={"name": "Ada"})
    assert pointers(exc) == ["/company"]
    company = CompanyFactory(org=org)
    customer_services.customer_create(
        org=org, actor=None, data={"name": "Ada", "company": str(company.pk)}
    )


@pytest.mark.parametrize(
    "resource, attribute, when, status, pointer",
    [
        ("nonsense", "name", "always", "", "/resource"),
        ("kobject.nothing", "title", "always", "", "/resource"),
        ("note", "body", "always", "", "/resource"),
        ("message", "status", "always", "", "/attribute"),
        ("customer", "nonsense", "always", "", "/attribute"),
        ("customer", "custom.tier", "always", "", "/attribute"),
        ("customer", "custom.a.bStr", "always", "", "/attribute"),
        ("customer", "data.totalNum", "always", "", "/attribute"),
        ("kobject.order", "status", "always", "", "/attribute"),
        ("company", "name", "status", "done", "/when"),
        ("conversation", "name", "status", "closed", "/status"),
        ("conversation", "name", "sometimes", "", "/when"),
    ],
)
def test_rule_create_refuses_what_does_not_exist(
    org, order, resource, attribute, when, status, pointer
):
    with pytest.raises(ValidationFailed) as exc:
        rule(org, resource, attribute, when=when, status=status)

    assert pointers(exc) == [pointer]
    assert not ValidationRule.objects.exists()


@pytest.mark.parametrize(
    "resource, attribute",
    [
        ("customer", "externalId"),
        ("customer", "custom.tierStr"),
        ("company", "domains"),
        ("conversation", "assignedTeam"),
        ("kobject.order", "data.totalNum"),
        ("kobject.order", "custom.noteTxt"),
        ("kobject.order", "customer"),
    ],
)
def test_rule_create_accepts_real_attributes(org, order, resource, attribute):
    assert rule(org, resource, attribute).pk


def test_a_custom_attribute_a_rule_names_must_be_defined(org, order):
    with pytest.raises(ValidationFailed) as exc:
        rule(org, "customer", "custom.tierStr", define=False)
    assert pointers(exc) == ["/attribute"]
    assert exc.value.errors[0].code == "undefined"
    with pytest.raises(ValidationFailed):
        rule(org, "kobject.order", "data.totalNum", define=False)
    define_attributes(org, "kobject.order", "totalNum")
    assert rule(org, "kobject.order", "data.totalNum", define=False).pk
