"""The resource register: each kind of record describes itself once, in the app that owns it.

An app declares its resources in its own `resources.py` and registers them from
`AppConfig.ready()`, the way Django's admin registry works: explicitly, and in app order. The
core (search, validation rules, metadata, the customer merge and delete, webhooks, workflows)
reads this register instead of importing the apps, so adding a resource or a field is one edit in
the app that owns it.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps


@dataclass(frozen=True)
class RuleField:
    """A standard field that validation rules (and workflow conditions) may name."""

    kind: str  # text | int | datetime | bool | array
    label: str = ""  # the display name people see
    choices: tuple = ()  # allowed values, when the field is an enum


@dataclass(frozen=True)
class Criterion:
    """A search kind the owning app answers through another table (a customer's email lives in
    Identity, a KObject's Klass name in Klass): the engine keeps the grammar and the errors,
    the app knows the rows.

    `rows(org, field, **lookup)` is a one-column `.values()` subquery matched against `column`
    of the searched row; `lookup` is `value=`, `value__in=`, `value__icontains=`,
    `value__istartswith=`, or nothing (the row has any). `clean(field, text)` turns a string
    into the stored form for equals/not_equals/in (ValueError(detail) when it cannot be one);
    `clean_partial(text)` does the same for contains/starts_with. `exists(field)`, when given,
    is the Q a row has a value by (cheaper than a subquery when the column says it)."""

    column: str
    rows: Callable
    clean: Callable | None = None
    clean_partial: Callable | None = None
    exists: Callable | None = None
    sort_by: str = ""  # the ORM path a sort on it orders by; empty: not sortable


@dataclass(frozen=True)
class Resource:
    name: str  # "customer": the search context, rule resource and event prefix
    model: str  # "app_label.ModelName"
    label: str  # what people read: "Customer"
    scope: str = ""  # the API scope resource; the name when empty
    plural: str = ""  # "customers"; the name + "s" when empty
    # Reading: the `.values()` names the representation needs, and the representation itself.
    fields: tuple = ()
    computed: dict = field(default_factory=dict)  # more `.values()` names: name -> expression
    # A `.values(*fields, **computed)` row -> JSON:API resource (what search and lists hand it);
    # a resource that is not searched represents an instance.
    represent: Callable | None = None
    # Searching (a resource with search fields is a queryContext): kdesk.search.fields.Field
    # per criterion name, the JSON columns holding typed attributes, and the special criteria.
    search: dict = field(default_factory=dict)
    json_columns: tuple = ("custom",)
    criteria: dict = field(default_factory=dict)  # Field.kind -> Criterion
    # Typed attributes in the JSON columns: attribute_type(name) -> type suffix ("Num"),
    # ValueError(message) for a name that is not typed; attribute_value(suffix, value) -> the
    # stored form of a value searched for, ValueError(detail) when it cannot be one.
    attribute_type: Callable | None = None
    attribute_value: Callable | None = None
    # Validation rules and workflow conditions: standard fields they may name.
    rule_fields: dict = field(default_factory=dict)
    # Metadata describes its custom attributes (`PUT /v1/metadata/<name>`), kept in the
    # `custom` JSON column; KObjects are described per Klass instead (`kobject.<klass name>`).
    custom: bool = True
    events: tuple = ()  # the event types this resource records
    # Hooks run inside the caller's transaction; the owning app's services emit its own events.
    on_customer_delete: Callable | None = None  # fn(*, org, actor, customer_id)
    on_customer_merge: Callable | None = None  # fn(*, org, actor, source_id, target_id)

    @property
    def scope_name(self):
        return self.scope or self.name

    @property
    def plural_name(self):
        return self.plural or f"{self.name}s"

    def get_model(self):
        return apps.get_model(self.model)


_register: dict[str, Resource] = {}
_version = 0  # bumped on every registration, so readers may cache what they derive


class AlreadyRegistered(Exception):
    pass


def register(*resources):
    for resource in resources:
        current = _register.get(resource.name)
        if current is not None and current != resource:
            raise AlreadyRegistered(f"A resource named {resource.name!r} is registered already.")
        _register[resource.name] = resource
    global _version
    _version += 1


def version():
    return _version


def get(name):
    """The resource called `name`; KeyError when none is registered."""
    return _register[name]


def find(name):
    return _register.get(name)


def names():
    return tuple(_register)


def all_resources():
    return tuple(_register.values())


def for_model(model):
    label = model._meta.label
    for resource in _register.values():
        if resource.model == label:
            return resource
    raise KeyError(label)


def customer_deleted(*, org, actor, customer_id):
    """Let every resource remove or unlink what belongs to a customer about to be deleted."""
    for resource in _register.values():
        if resource.on_customer_delete is not None:
            resource.on_customer_delete(org=org, actor=actor, customer_id=customer_id)


def customers_merged(*, org, actor, source_id, target_id):
    """Let every resource move what belongs to `source_id` onto `target_id`."""
    for resource in _register.values():
        if resource.on_customer_merge is not None:
            resource.on_customer_merge(
                org=org, actor=actor, source_id=source_id, target_id=target_id
            )
