"""KView writes: admin-written cards and iframes on the desk."""

from django.db import transaction

from kdesk.events import emit
from kdesk.payload import Payload
from kdesk.updates import lock_for_write, model_update
from klasses.models import (
    Klass,
    KView,
)
from klasses.representations import kview_resource
from klasses.services.changes import changes_of

# ---- KViews -----------------------------------------------------------------------------------

KVIEW_FIELDS = {
    "name",
    "resource",
    "context",
    "kind",
    "template",
    "urlTemplate",
    "position",
    "active",
    "rev",
}


# (attribute, field, the cleared value, None where it cannot be cleared)
KVIEW_CLEARED = (
    ("name", "name", None),
    ("resource", "resource", None),
    ("context", "context", None),
    ("kind", "kind", None),
    ("template", "template", ""),
    ("urlTemplate", "url_template", ""),
    ("position", "position", 0),
    ("active", "active", None),
)


def _kview_fields(org, data, *, creating, current=None):
    """(fields to set, body rev). `current`: the KView an update changes, so that the kind it
    ends up with is checked against the template it ends up with."""
    p = Payload(data, allowed=KVIEW_FIELDS)
    fields = {
        "name": p.string("name", max_length=120, required=creating, blank=False),
        "resource": p.string("resource", max_length=120, required=creating, blank=False),
        "context": p.choice("context", KView.Context.values, required=creating),
        "kind": p.choice("kind", KView.Kind.values),
        "template": p.string("template", max_length=50000),
        "url_template": p.string("urlTemplate", max_length=2048),
        "position": p.integer("position", minimum=-1000, maximum=1000),
        "active": p.boolean("active"),
    }
    for attribute, field, cleared in KVIEW_CLEARED:
        if not creating and attribute in p.data and p.data[attribute] is None:
            if cleared is None:
                p.error(attribute, "required", f"{attribute} is required: it cannot be cleared.")
            else:
                fields[field] = cleared
    resource = fields["resource"]
    if resource and resource not in ("customer", "conversation"):
        if (
            not resource.startswith("kobject.")
            or not Klass.objects.filter(org=org, name=resource[8:]).exists()
        ):
            p.error(
                "resource",
                "invalid",
                "resource is customer, conversation or kobject.<an existing Klass>.",
            )
    kind = fields["kind"] or (current.kind if current is not None else "template")
    template = (
        fields["template"] if fields["template"] is not None else getattr(current, "template", "")
    )
    url = (
        fields["url_template"]
        if fields["url_template"] is not None
        else getattr(current, "url_template", "")
    )
    if kind == "iframe" and not url:
        p.error("urlTemplate", "required", "An iframe KView needs a urlTemplate.")
    if kind == "template" and not template:
        p.error("template", "required", "A template KView needs a template.")
    if fields["template"]:
        from klasses.kviews import syntax_error

        problem = syntax_error(fields["template"])
        if problem:
            p.error("template", "syntax", problem)
    if fields["url_template"]:
        from klasses.kviews import url_template_error

        problem = url_template_error(fields["url_template"])
        if problem:
            p.error("urlTemplate", "invalid", problem)
    p.raise_if_errors()
    return {k: v for k, v in fields.items() if v is not None}, p.data.get("rev")


@transaction.atomic
def kview_create(*, org, actor, data):
    fields, _ = _kview_fields(org, data, creating=True)
    kview = KView.objects.create(org=org, **fields)
    emit(
        org=org,
        type="kview.create",
        resource="kview",
        resource_id=kview.pk,
        actor=actor,
        rev=1,
        data=kview_resource(kview),
    )
    return kview


@transaction.atomic
def kview_update(*, org, actor, kview, data, rev=None):
    body_rev = data.get("rev") if isinstance(data, dict) else None
    kview = lock_for_write(
        KView,
        org=org,
        pk=kview.pk,
        rev=rev if rev is not None else body_rev,
        resource="KView",
        missing="No KView with this id.",
    )
    fields, _ = _kview_fields(org, data, creating=False, current=kview)
    changes = changes_of(kview, fields, {"url_template": "urlTemplate"})
    if not model_update(kview, fields):
        return kview
    emit(
        org=org,
        type="kview.update",
        resource="kview",
        resource_id=kview.pk,
        actor=actor,
        rev=kview.rev,
        data=kview_resource(kview),
        changes=changes,
    )
    return kview


@transaction.atomic
def kview_delete(*, org, actor, kview, rev=None):
    kview = lock_for_write(
        KView, org=org, pk=kview.pk, rev=rev, resource="KView", missing="No KView with this id."
    )
    snapshot = kview_resource(kview)
    kview.delete()
    emit(
        org=org,
        type="kview.delete",
        resource="kview",
        resource_id=snapshot["id"],
        actor=actor,
        data=snapshot,
    )
