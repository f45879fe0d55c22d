"""KObject writes, one object at a time."""

from django.db import IntegrityError, transaction

from kdesk.errors import Conflict, FieldError, NotFound, ValidationFailed
from kdesk.events import emit
from kdesk.updates import lock_for_write, model_update
from klasses import relationships
from klasses.models import (
    Klass,
    KObject,
)
from klasses.services.kobject_fields import (
    _apply,
    _changes,
    _check_refs,
    _event,
    _kobject_fields,
    _snapshot,
    _values,
    kobject_rule_errors,
)
from klasses.services.links import links_remove


def _body_links(org, klass, data, errors):
    """The body's `relationships`, checked (errors appended): [(relationship, targets)]."""
    if not isinstance(data, dict) or data.get("relationships") is None:
        return []
    try:
        return relationships.body_relationships(org=org, klass=klass, value=data["relationships"])
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return []


@transaction.atomic
def kobject_links_change(*, org, actor, relationship, kobject, data, mode):
    """The relationship endpoints: add (`add`), replace (`replace`) or remove (`remove`) the
    links of one object; the object's rev is left alone (links are their own events)."""
    targets = relationships.parse_linkage(
        org=org, relationship=relationship, data=data, pointer="/data"
    )
    relationships.links_change(
        org=org,
        actor=actor,
        relationship=relationship,
        from_id=kobject.pk,
        targets=targets,
        mode=mode,
    )


def kobject_links(*, org, klass, kobject):
    """The JSON:API `relationships` an object's declared links add to its resource."""
    return relationships.linkage(org=org, resource=f"kobject.{klass.name}", ids=[kobject.pk])[
        str(kobject.pk)
    ]


def _save_unique(obj, pointer="", update_fields=None):
    try:
        with transaction.atomic():
            obj.save(update_fields=update_fields)
    except IntegrityError:
        raise Conflict(
            f"Another {obj.klass.name} already has externalId {obj.external_id!r}.",
            errors=[
                FieldError(
                    f"{pointer}/externalId",
                    "taken",
                    f"externalId {obj.external_id!r} is taken in this Klass.",
                )
            ],
        ) from None


@transaction.atomic
def kobject_create(*, org, actor, klass, data):
    return _create(org=org, actor=actor, klass=klass, data=data)


def _create(*, org, actor, klass, data):
    """kobject_create inside the caller's transaction."""
    if klass.status != Klass.Status.ACTIVE:
        raise ValidationFailed(
            [FieldError("", "disabled", f"The Klass '{klass.name}' is disabled.")]
        )
    fields, errors, _ = _kobject_fields(org, klass, data, creating=True)
    errors += _check_refs(org, [("", fields)])
    links = _body_links(org, klass, data, errors)
    if not errors:
        errors += kobject_rule_errors(org=org, klass=klass, fields=fields)
    if errors:
        raise ValidationFailed(errors)
    obj = KObject(org=org, klass=klass)
    _apply(obj, fields)
    _save_unique(obj)
    relationships.body_links_apply(org=org, actor=actor, kobject=obj, items=links)
    linkage = kobject_links(org=org, klass=klass, kobject=obj) if links else {}
    emit(org=org, actor=actor, **_event(klass, obj, "create", links=linkage))
    return obj


@transaction.atomic
def kobject_update(*, org, actor, klass, kobject, data, rev=None, partial=True):
    """Change one object (`partial`: only what the body carries; else a full replacement of
    data and custom). A body that changes nothing writes nothing and records no event."""
    body_rev = data.get("rev") if isinstance(data, dict) else None
    obj = lock_for_write(
        KObject.objects.filter(klass=klass),
        org=org,
        pk=kobject.pk,
        rev=rev if rev is not None else body_rev,
        resource=klass.name,
        missing=f"No {klass.name} with this id.",
    )
    obj.klass = klass
    fields, errors, _ = _kobject_fields(org, klass, data, creating=not partial, existing=obj)
    errors += _check_refs(org, [("", fields)], kept=obj)
    links = _body_links(org, klass, data, errors)
    if errors:
        raise ValidationFailed(errors)
    errors = kobject_rule_errors(
        org=org, klass=klass, fields=fields, existing=obj, replace=not partial
    )
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(obj)
    changed = model_update(obj, _values(obj, fields, replace=not partial), save=False)
    if changed:
        _save_unique(obj, update_fields=[*changed, "rev", "updated_at"])
    relationships.body_links_apply(org=org, actor=actor, kobject=obj, items=links)
    if changed:
        linkage = kobject_links(org=org, klass=klass, kobject=obj)
        changes = _changes(before, _snapshot(obj))
        emit(org=org, actor=actor, **_event(klass, obj, "update", changes, links=linkage))
    return obj


@transaction.atomic
def kobject_delete(*, org, actor, klass, kobject, rev=None):
    kobject = lock_for_write(
        KObject.objects.filter(klass=klass),
        org=org,
        pk=kobject.pk,
        rev=rev,
        resource=klass.name,
        missing=f"No {klass.name} with this id.",
    )
    snapshot = _event(klass, kobject, "delete")
    links_remove(org=org, actor=actor, resource=f"kobject.{klass.name}", ids=[kobject.pk])
    KObject.objects.filter(org=org, pk=kobject.pk).delete()
    emit(org=org, actor=actor, **snapshot)


def kobject_get(*, org, klass, pk=None, external_id=None):
    if pk is not None:
        obj = KObject.objects.filter(org=org, klass=klass, pk=pk).first()
    else:
        # Through the (klass, externalId) unique index whatever the statistics say: the klass
        # (one of org's) scopes the query, and no other index starts with klass; no ORDER BY.
        obj = next(iter(KObject.objects.filter(klass=klass, external_id=external_id)[:1]), None)
        if obj is not None and obj.org_id != getattr(org, "pk", org):
            obj = None
    if obj is None:
        raise NotFound(f"No {klass.name} with this {'id' if pk is not None else 'externalId'}.")
    return obj


@transaction.atomic
def kobject_upsert(*, org, actor, klass, external_id, data):
    """Create or update the KObject with this externalId; returns (kobject, created)."""
    body = dict(data) if isinstance(data, dict) else data
    if isinstance(body, dict):
        if body.get("externalId") not in (None, external_id):
            raise ValidationFailed(
                [
                    FieldError(
                        "/externalId", "mismatch", "externalId differs from the one in the path."
                    )
                ]
            )
        body["externalId"] = external_id
    existing = (
        KObject.objects.select_for_update()
        .filter(org=org, klass=klass, external_id=external_id)
        .first()
    )
    if existing is None:
        try:
            # Without a savepoint of its own: before the externalId conflict handled here,
            # creating only reads, and the insert that meets it has its own (_save_unique).
            return _create(org=org, actor=actor, klass=klass, data=body), True
        except Conflict as exc:
            # a concurrent upsert created it first: this one updates that object instead
            if not any(e.pointer == "/externalId" for e in exc.errors):
                raise
            existing = (
                KObject.objects.select_for_update()
                .filter(org=org, klass=klass, external_id=external_id)
                .first()
            )
            if existing is None:
                raise
    return kobject_update(org=org, actor=actor, klass=klass, kobject=existing, data=body), False
