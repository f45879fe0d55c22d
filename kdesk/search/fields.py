"""What can be searched: the queryContexts, read from the resource register (kdesk.resources).

Every registered resource with search fields is a queryContext; the app that owns it declares
its model, its `Field`s, the JSON columns holding typed attributes, how a row is represented and
the criteria only it can answer (customer identities, a KObject's Klass name). The core names
no app.

A field name in a criterion is `<context>_<field>` (snake_case). Standard fields map to a
column (or to a `Criterion` the owning resource declares for the field's kind); typed attributes
are `<context>_<json column>_<attributeName>` (`customer_custom_tierStr`,
`kobject_data_orderTotalNum`), typed by their suffix (the resource's `attribute_type`).

Kinds of standard fields and the operators they take:

    text      equals not_equals contains starts_with gt gte lt lte in exists
    int       equals not_equals gt gte lt lte in exists   (ids may be given as strings)
    datetime  equals not_equals gt gte lt lte in exists   (ISO-8601; naive = UTC)
    array     equals not_equals contains in exists        (membership of one element;
                                                           `in` = holds any of the values)
    any kind the resource answers with a Criterion (identity: a customer's email/phone/social;
    klass: a KObject's Klass name)
              equals not_equals contains starts_with in exists
"""

from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import AppRegistryNotReady

from kdesk import resources


@dataclass(frozen=True)
class Field:
    kind: str  # text | int | datetime | array | a kind of the resource's criteria
    column: str = ""  # model field (for a criterion: what it passes on, e.g. the Identity kind)
    nullable: bool = False
    sortable: bool = True
    element: str = "text"  # array elements: text | int


@dataclass(frozen=True)
class Context:
    name: str
    model_path: str  # "app.Model"
    scope: str  # resource of the read scope
    fields: dict = field(default_factory=dict)
    json_columns: tuple = ("custom",)  # columns holding typed attributes (custom, data)
    values: tuple = ()  # the `.values()` field names for the representation
    resource: resources.Resource | None = None


def _f(kind, column, **kw):
    return Field(kind=kind, column=column, **kw)


def standard_fields(**extra):
    """The fields every searchable resource has (id, rev, created_at, updated_at), and `extra`."""
    base = {
        "id": _f("int", "id"),
        "rev": _f("int", "rev"),
        "created_at": _f("datetime", "created_at"),
        "updated_at": _f("datetime", "updated_at"),
    }
    base.update(extra)
    return base


def foreign_key(column):
    """A foreign key, reachable as `<name>` and `<name>_id`."""
    name = column[:-3]
    spec = _f("int", column, nullable=True)
    return {name: spec, column: spec}


_cache = {"version": None, "contexts": {}}


def contexts():
    """{queryContext name: Context}, in app order, from the register."""
    if _cache["version"] != resources.version():
        if not apps.ready:  # the register fills in the apps' ready(): not complete before
            raise AppRegistryNotReady("The queryContexts are known once every app is ready.")
        _cache["contexts"] = {
            r.name: Context(
                name=r.name,
                model_path=r.model,
                scope=r.scope_name,
                fields=r.search,
                json_columns=r.json_columns,
                values=r.fields,
                resource=r,
            )
            for r in resources.all_resources()
            if r.search
        }
        _cache["version"] = resources.version()
    return _cache["contexts"]


def context_names():
    return tuple(contexts())


def __getattr__(name):
    # `CONTEXTS` / `CONTEXT_NAMES` read the register when asked, not when this module loads
    # (it loads before the apps are ready).
    if name == "CONTEXTS":
        return contexts()
    if name == "CONTEXT_NAMES":
        return context_names()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


OPS = ("equals", "not_equals", "contains", "starts_with", "gt", "gte", "lt", "lte", "in", "exists")

KIND_OPS = {
    "text": OPS,
    "int": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "datetime": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "array": ("equals", "not_equals", "contains", "in", "exists"),
    # typed JSON attributes, by suffix family
    "json_text": OPS,
    "json_num": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "json_at": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "json_bool": ("equals", "not_equals", "in", "exists"),
    "json_obj": ("equals", "not_equals", "exists"),
}

# kinds a resource answers with a Criterion
CRITERION_OPS = ("equals", "not_equals", "contains", "starts_with", "in", "exists")

# attribute type suffix → JSON kind
SUFFIX_KIND = {
    "Str": "json_text",
    "Txt": "json_text",
    "Url": "json_text",
    "Id": "json_text",
    "Tree": "json_text",
    "Num": "json_num",
    "At": "json_at",
    "Bool": "json_bool",
    "Obj": "json_obj",
}


def get_model(context):
    return apps.get_model(contexts()[context].model_path)
