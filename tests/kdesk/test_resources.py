"""Every registered resource (kdesk.resources) is complete: the core reads nothing else about
it, so a missing or wrong piece is a search, rule or webhook that fails at run time."""

import inspect
import re

import pytest
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from kdesk import resources, scopes
from kdesk.resources import AlreadyRegistered, Criterion, Resource, RuleField
from kdesk.search.fields import CRITERION_OPS, KIND_OPS, SUFFIX_KIND, contexts

RESOURCES = resources.all_resources()
RULE_KINDS = {"text", "int", "datetime", "bool", "array"}
EVENT = re.compile(r"^[a-z_]+(\.([a-z_]+|\{[a-z_]+\}))+$")


def by_name(resource):
    return resource.name


def _column(model, name):
    """The model field behind a `.values()` / filter name (`company_id` is the attname)."""
    for field in model._meta.concrete_fields:
        if name in (field.name, field.attname):
            return field
    raise FieldDoesNotExist(f"{model._meta.label} has no column {name!r}")


def test_what_is_registered():
    # The domain apps register from AppConfig.ready(), in app order: the queryContexts (and
    # every list naming them, e.g. "queryContext must be one of ...") keep this order.
    assert resources.names() == (
        "user",
        "team",
        "customer",
        "company",
        "conversation",
        "message",
        "note",
        "kobject",
    )
    assert tuple(contexts()) == (
        "customer",
        "company",
        "conversation",
        "message",
        "note",
        "kobject",
    )


@pytest.mark.parametrize("resource", RESOURCES, ids=by_name)
def test_resource_is_complete(resource):
    model = resource.get_model()
    assert resource.model == model._meta.label
    assert resources.for_model(model) is resource
    assert _column(model, "org").related_model._meta.label == "kdesk.Organization", (
        "every resource is scoped to an organization"
    )
    # People read the label and plural, never the internal name.
    assert resource.label and resource.label[0].isupper()
    assert resource.plural_name and resource.plural_name != resource.name
    assert resource.scope_name in scopes.RESOURCE_ACTIONS
    assert "read" in scopes.RESOURCE_ACTIONS[resource.scope_name]
    assert callable(resource.represent)
    assert resource.fields and "id" in resource.fields
    for name in resource.fields:
        _column(model, name)
    assert resource.events
    for event in resource.events:
        assert EVENT.match(event), event
    for name in resource.json_columns:
        assert isinstance(_column(model, name), models.JSONField), name
    if resource.custom:  # metadata describes it: its values have a column
        assert "custom" in resource.json_columns
    if resource.json_columns:
        assert callable(resource.attribute_type) and callable(resource.attribute_value)
    for name, rule_field in resource.rule_fields.items():
        assert isinstance(rule_field, RuleField)
        assert re.fullmatch(r"[a-z][A-Za-z]*", name), f"{name}: API (camelCase) names"
        assert rule_field.kind in RULE_KINDS, (name, rule_field.kind)
        assert rule_field.label and rule_field.label[0].isupper(), name
        assert all(isinstance(choice, str) and choice for choice in rule_field.choices)
    hooks = {
        "on_customer_delete": {"org", "actor", "customer_id"},
        "on_customer_merge": {"org", "actor", "source_id", "target_id"},
    }
    for attribute, params in hooks.items():
        hook = getattr(resource, attribute)
        if hook is not None:
            assert set(inspect.signature(hook).parameters) >= params, attribute


@pytest.mark.parametrize("resource", [r for r in RESOURCES if r.search], ids=by_name)
def test_search_fields_map_to_real_columns(resource):
    model = resource.get_model()
    assert {"id", "rev", "created_at", "updated_at"} <= set(resource.search)
    for name, field in resource.search.items():
        assert re.fullmatch(r"[a-z][a-z_]*", name), f"{name}: criteria are snake_case"
        if field.kind in resource.criteria:
            criterion = resource.criteria[field.kind]
            assert isinstance(criterion, Criterion)
            _column(model, criterion.column)
            assert callable(criterion.rows)
            if criterion.sort_by:
                model.objects.order_by(criterion.sort_by).query.get_compiler("default").as_sql()
            continue
        assert field.kind in KIND_OPS and not field.kind.startswith("json_"), (name, field.kind)
        column = _column(model, field.column)
        if column.null:  # a sort must place the nulls
            assert field.nullable, name
        if field.kind == "array":
            assert isinstance(column, models.JSONField), name
    assert set(resource.criteria) <= {f.kind for f in resource.search.values()}
    # The list query compiles: every `.values()` name and computed expression resolves.
    qs = model.objects.values(*resource.fields, **resource.computed)
    qs.query.get_compiler("default").as_sql()


def test_criterion_kinds_take_the_lookup_operators():
    assert set(CRITERION_OPS) == {"equals", "not_equals", "contains", "starts_with", "in", "exists"}
    assert set(SUFFIX_KIND.values()) <= set(KIND_OPS)


def _one_of_each(org):
    """One stored row per registered resource, written straight through the models."""
    get = apps.get_model
    user = get("kdesk.User").objects.create_user(
        "res@example.com", "correct horse battery", org=org, username="res", display_name="Res"
    )
    team = get("kdesk.Team").objects.create(org=org, name="Billing", slug="billing")
    team.members.add(user)
    company = get("customers.Company").objects.create(org=org, name="Globex")
    customer = get("customers.Customer").objects.create(org=org, name="Ann", company=company)
    conversation = get("conversations.Conversation").objects.create(org=org, customer=customer)
    message = get("conversations.Message").objects.create(
        org=org,
        conversation=conversation,
        customer=customer,
        direction="in",
        channel="email",
        body="Hello",
    )
    note = get("conversations.Note").objects.create(
        org=org, conversation=conversation, customer=customer, author=user, body="Called back"
    )
    klass = get("klasses.Klass").objects.create(org=org, name="order", display_name="Order")
    kobject = get("klasses.KObject").objects.create(
        org=org, klass=klass, customer=customer, title="#1001"
    )
    return {
        "user": user,
        "team": team,
        "customer": customer,
        "company": company,
        "conversation": conversation,
        "message": message,
        "note": note,
        "kobject": kobject,
    }


@pytest.mark.django_db
def test_each_resource_represents_a_stored_row(org):
    made = _one_of_each(org)
    missing = set(resources.names()) - set(made)
    assert not missing, f"Add a row for {missing} to _one_of_each"
    for resource in RESOURCES:
        instance = made[resource.name]
        if resource.search:
            # What search and lists hand the representation: a `.values()` row.
            model = resource.get_model()
            row = model.objects.values(*resource.fields, **resource.computed).get(pk=instance.pk)
        else:
            row = instance
        out = resource.represent(row)
        # A KObject's type carries its Klass: `kobject.order`.
        assert out["type"] == resource.name or out["type"].startswith(f"{resource.name}.")
        assert out["id"] == str(instance.pk)
        assert isinstance(out["attributes"], dict) and out["attributes"]


def test_a_name_is_registered_once():
    customer = resources.get("customer")
    resources.register(customer)  # the same declaration again (ready() run twice): no-op
    impostor = Resource(name="customer", model="kdesk.User", label="Customer")
    with pytest.raises(AlreadyRegistered):
        resources.register(impostor)
    assert resources.get("customer") is customer
    assert resources.find("nothing") is None
    with pytest.raises(KeyError):
        resources.get("nothing")
