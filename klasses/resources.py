"""KObjects as the core sees them (kdesk.resources): what a list returns, how a row is
represented, what can be searched (a KObject's Klass by name) and what validation rules may
name."""

from django.db.models import F, Q

from kdesk.resources import Criterion, Resource, RuleField
from kdesk.search.fields import Field, foreign_key, standard_fields
from klasses import customer_hooks
from klasses.models import Klass
from klasses.representations import KOBJECT_FIELDS, kobject_resource
from klasses.schema.search import attribute_type, attribute_value


def klass_rows(org, _field, **lookup):
    """Klasses by name: `value` lookups are on the Klass name."""
    by_name = {key.replace("value", "name", 1): v for key, v in lookup.items()}
    return Klass.objects.filter(org=org, **by_name).values("id")


def kobject_row_resource(row):
    """A KObject from a search row (which carries its Klass name as `klass_name`)."""
    return kobject_resource(row, row["klass_name"])


def _any_klass(_field):
    # Every KObject has a Klass: the column says it without a subquery.
    return Q(klass_id__isnull=False)


KLASS = Criterion(column="klass_id", rows=klass_rows, exists=_any_klass, sort_by="klass__name")


def _text(label):
    return RuleField(kind="text", label=label)


KOBJECT = Resource(
    name="kobject",
    model="klasses.KObject",
    label="KObject",
    plural="kobjects",
    fields=KOBJECT_FIELDS,
    computed={"klass_name": F("klass__name")},
    represent=kobject_row_resource,
    search=standard_fields(
        klass=Field("klass", "klass"),
        klass_id=Field("int", "klass_id"),
        external_id=Field("text", "external_id", nullable=True),
        title=Field("text", "title"),
        description=Field("text", "description", sortable=False),
        icon=Field("text", "icon"),
        images=Field("array", "images", sortable=False),
        tags=Field("array", "tags", sortable=False),
        **foreign_key("customer_id"),
        **foreign_key("company_id"),
    ),
    json_columns=("custom", "data"),
    criteria={"klass": KLASS},
    attribute_type=attribute_type,
    attribute_value=attribute_value,
    rule_fields={
        "title": _text("Title"),
        "externalId": _text("External ID"),
        "description": _text("Description"),
        "images": RuleField(kind="array", label="Images"),
        "icon": _text("Icon"),
        "tags": RuleField(kind="array", label="Tags"),
        "customer": RuleField(kind="int", label="Customer"),
        "company": RuleField(kind="int", label="Company"),
    },
    custom=False,
    # `kobject.<klass name>.create`: the Klass name is part of every KObject event's type.
    events=("kobject.{klass}.create", "kobject.{klass}.update", "kobject.{klass}.delete"),
    # KObjects and relationship links naming a customer lose it when it is deleted, and name
    # the target when it is merged, through this app's services and their events.
    on_customer_delete=customer_hooks.customer_deleted,
    on_customer_merge=customer_hooks.customers_merged,
)

RESOURCES = (KOBJECT,)
