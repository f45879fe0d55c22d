from django.db.models import Exists, Q, Subquery

from kdesk.prepared import PreparedValues
from klasses.models import Klass, KObject, Relationship, ValidationRule
from klasses.representations import KOBJECT_FIELDS


def klasses(*, org):
    return Klass.objects.filter(org=org).order_by("name")


def kobjects(
    *, org, klass, customer_id=None, company_id=None, external_id=None, updated_since=None
):
    qs = KObject.objects.filter(org=org, klass=klass)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if external_id is not None:
        qs = qs.filter(external_id=external_id)
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs


# GET /v1/klasses/{name}/externalId=… in one statement: the Klass (one of org's, by name) in an
# InitPlan, the object through the (klass, external_id) unique index, the only index that
# starts with klass (so the plan does not depend on statistics), and whether the Klass declares
# any relationship, so that an object of a Klass without any needs no query for its links.
_BY_EXTERNAL_ID = PreparedValues(
    lambda org, name, resource, external_id: (
        KObject.objects.filter(
            klass_id=Subquery(Klass.objects.filter(org_id=org, name=name).values("id")[:1]),
            external_id=external_id,
        )
        .annotate(linked=Exists(Relationship.objects.filter(org_id=org, from_resource=resource)))
        .values(*KOBJECT_FIELDS, "linked")[:1]
    ),
    ints=("org",),
    strings=("name", "resource", "external_id"),
)


def kobject_by_external_id(*, org, name, external_id):
    """The KObject's `.values(*KOBJECT_FIELDS)` row plus `linked` (its Klass declares
    relationships), or None (no such Klass or object: klass_get and kobject_get say which)."""
    rows = _BY_EXTERNAL_ID.rows(
        org=getattr(org, "pk", org),
        name=name,
        resource=f"kobject.{name}",
        external_id=external_id,
    )
    return rows[0] if rows else None


def validation_rules(*, org):
    return ValidationRule.objects.filter(org=org).order_by("resource", "id")


def _first_per(qs, partition, order, limit):
    """Rows of `qs`, at most `limit` per value of the `partition` fields (a window, so one
    query)."""
    from django.db.models import F, Window
    from django.db.models.functions import RowNumber

    return qs.annotate(
        _n=Window(RowNumber(), partition_by=[F(p) for p in partition], order_by=order)
    ).filter(_n__lte=limit)


def related_refs(*, org, resource, ids, names, limit):
    """{id: {name: [(resource, id)]}}: what each relation in `names` reaches from each object
    of `resource`, at most `limit` per object and name, in three queries whatever the number of
    ids and names.

    A name is a relationship declared from `resource`, or (the inverse side) a relationship
    into `resource` declared by the Klass called `name` or itself called `name`; from a customer
    or company, a name also reaches the objects of the Klass `name` that name it
    (`customer.related("order")` is the customer's orders)."""
    from django.db.models import F

    from klasses.models import Link

    ids = [str(i) for i in ids]
    names = list(names)
    out = {i: {} for i in ids}
    if not ids or not names:
        return out

    def add(ident, name, ref):
        out[ident].setdefault(name, []).append(ref)

    links = Link.objects.filter(org=org)
    forward = links.filter(
        relationship__from_resource=resource, relationship__name__in=names, from_id__in=ids
    )
    rows = _first_per(forward, ("from_id", "relationship_id"), F("id").asc(), limit)
    for from_id, name, to_resource, to_id in rows.values_list(
        "from_id", "relationship__name", "relationship__to_resource", "to_id"
    ).order_by("id"):
        add(from_id, name, (to_resource, to_id))
    sources = {f"kobject.{n}": n for n in names}
    backward = links.filter(
        Q(relationship__from_resource__in=list(sources)) | Q(relationship__name__in=names),
        relationship__to_resource=resource,
        to_id__in=ids,
    ).exclude(relationship__from_resource=resource, relationship__name__in=names)
    rows = _first_per(backward, ("to_id", "relationship_id"), F("id").asc(), limit)
    for to_id, rel_name, from_resource, from_id in rows.values_list(
        "to_id", "relationship__name", "relationship__from_resource", "from_id"
    ).order_by("id"):
        name = sources.get(from_resource) or rel_name
        add(to_id, name, (from_resource, from_id))
    if resource in ("customer", "company"):
        owned = KObject.objects.filter(
            org=org, klass__name__in=names, **{f"{resource}_id__in": [int(i) for i in ids]}
        )
        rows = _first_per(
            owned, (f"{resource}_id", "klass_id"), [F("created_at").desc(), F("id").desc()], limit
        )
        for owner, klass_name, pk in rows.values_list(f"{resource}_id", "klass__name", "id"):
            add(str(owner), klass_name, (f"kobject.{klass_name}", str(pk)))
    for per in out.values():
        for name, refs in per.items():
            per[name] = list(dict.fromkeys(refs))[:limit]
    return out


def klasses_with_counts(*, org):
    """The org's Klasses for the settings list, each with `object_count` (one query)."""
    from django.db.models import Count

    return (
        Klass.objects.filter(org=org)
        .annotate(object_count=Count("objects_set"))
        .order_by("display_name", "name")
    )


def klass(*, org, name):
    """One Klass by its machine name, or None."""
    return Klass.objects.filter(org=org, name=name).first()


def klass_name_taken(*, org, name):
    """The existing Klass name that `name` clashes with (names ignore case), or None."""
    return Klass.objects.filter(org=org, name__iexact=name).values_list("name", flat=True).first()


def kobject_count(*, org, klass):
    return KObject.objects.filter(org=org, klass=klass).count()


def klass_dependents(*, org, klass):
    """Relationships declared elsewhere that name this Klass (as target or join Klass): they
    keep it from being deleted."""
    from klasses.models import Relationship

    resource = f"kobject.{klass.name}"
    return list(
        Relationship.objects.filter(org=org)
        .filter(Q(to_resource=resource) | Q(through_klass=klass))
        .exclude(from_resource=resource)
        .order_by("from_resource", "name")
    )


STANDARD_LABELS = {
    "customer": "Customer",
    "company": "Company",
    "conversation": "Conversation",
    "message": "Message",
}


def resource_choices(*, org, standard=tuple(STANDARD_LABELS)):
    """[(resource, display name)]: the standard objects named, then the org's Klasses, for
    pickers (people choose from what exists; they never type `kobject.return`)."""
    klasses = Klass.objects.filter(org=org).order_by("display_name", "name")
    return [(r, STANDARD_LABELS[r]) for r in standard] + [
        (f"kobject.{name}", display or name)
        for name, display in klasses.values_list("name", "display_name")
    ]


def attribute_definitions(*, org, resource):
    """(definitions {name: definition}, rev) of a resource; ({}, 0) before any."""
    from klasses.models import Metadata

    row = Metadata.objects.filter(org=org, resource=resource).values("properties", "rev").first()
    if row is None:
        return {}, 0
    return row["properties"] or {}, row["rev"]


def attribute_dependents(*, org, resource, name):
    """([rules], [kviews]) that name the attribute `name` of `resource`: the rules on it, and
    the KViews whose template or URL mentions it as a word (two queries)."""
    import re

    from klasses.models import KView

    rules = list(
        ValidationRule.objects.filter(
            org=org, resource=resource, attribute__in=[f"custom.{name}", f"data.{name}", name]
        ).order_by("id")
    )
    word = re.compile(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])")
    kviews = [
        v
        for v in KView.objects.filter(org=org)
        .filter(Q(template__contains=name) | Q(url_template__contains=name))
        .order_by("name")
        if word.search(v.template) or word.search(v.url_template)
    ]
    return rules, kviews


def attribute_value_count(*, org, resource, name):
    """How many stored rows of `resource` carry a value for the custom attribute `name`."""
    if resource.startswith("kobject."):
        qs = KObject.objects.filter(org=org, klass__name=resource[len("kobject.") :])
        return qs.filter(Q(data__has_key=name) | Q(custom__has_key=name)).count()
    from kdesk import resources

    model = resources.get(resource).get_model()
    return model.objects.filter(org=org, custom__has_key=name).count()


def attribute_counts(*, org):
    """{resource: number of defined attributes} for the org (one query)."""
    from klasses.models import Metadata

    rows = Metadata.objects.filter(org=org).values_list("resource", "properties")
    return {resource: len(props or {}) for resource, props in rows}


def relationships_with_counts(*, org):
    """The org's declared relationships, each with `link_count` (one query)."""
    from django.db.models import Count

    from klasses.models import Relationship

    return (
        Relationship.objects.filter(org=org)
        .select_related("through_klass")
        .annotate(link_count=Count("links"))
        .order_by("from_resource", "name")
    )


def relationship(*, org, pk):
    from django.db.models import Count

    from klasses.models import Relationship

    return (
        Relationship.objects.filter(org=org, pk=pk)
        .select_related("through_klass")
        .annotate(link_count=Count("links"))
        .first()
    )


def links_breaking(*, relationship, cardinality):
    """How many of the relationship's links a narrower `cardinality` (stored spelling) would
    not allow: those of a target linked more than once (and, for one to one, of a source
    linked more than once). One query."""
    from django.db.models import Count, Q

    from klasses.models import Link, Relationship

    if cardinality == Relationship.Cardinality.MANY_TO_MANY:
        return 0
    links = Link.objects.filter(relationship=relationship)

    def shared(column):
        return links.values(column).annotate(n=Count("id")).filter(n__gt=1).values(column)

    breaking = Q(to_id__in=shared("to_id"))
    if cardinality == Relationship.Cardinality.ONE_TO_ONE:
        breaking |= Q(from_id__in=shared("from_id"))
    return links.filter(breaking).count()


def relationship_definitions(*, org, klass):
    """The relationships a Klass declares, as its definition body lists them."""
    from klasses import relationships

    return relationships.definitions_for(org=org, klass_names=[klass.name])[klass.name]


def rules(*, org):
    return ValidationRule.objects.filter(org=org).order_by("resource", "id")


def rule(*, org, pk):
    return ValidationRule.objects.filter(org=org, pk=pk).first()


def all_attribute_definitions(*, org):
    """{resource: {name: definition}} of every resource of the org (one query)."""
    from klasses.models import Metadata

    rows = Metadata.objects.filter(org=org).values_list("resource", "properties")
    return {resource: props or {} for resource, props in rows}
