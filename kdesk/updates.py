"""One way to change a stored record: lock it in its organization, check the revision the caller
read, write only what changed.

The rule for no-op updates is the same everywhere: when no field changes, nothing is written, the
revision stays, and the caller records no event (`model_update` returns an empty list).
"""

from django.utils import timezone

from kdesk.errors import NotFound, check_rev
from kdesk.events import emit


def lock_for_write(model_or_qs, *, org, pk, rev=None, resource="resource", missing=None):
    """The row `pk` of `org`, locked for this transaction, after checking `rev` (when given).

    A queryset that locks already keeps its own lock (e.g. `select_for_update(of=("self",))`
    beside a `select_related` of nullable relations, which PostgreSQL cannot lock)."""
    qs = model_or_qs if hasattr(model_or_qs, "select_for_update") else model_or_qs.objects
    if not getattr(getattr(qs, "query", None), "select_for_update", False):
        qs = qs.select_for_update()
    row = qs.filter(org=org, pk=pk).first()
    if row is None:
        raise NotFound(missing or f"No {resource} with this id.")
    if hasattr(row, "rev"):
        check_rev(row.rev, rev, resource=resource)
    return row


def model_update(instance, fields, *, now=None, save=True, extra=()):
    """Set `fields` on `instance`; bump `rev` and `updated_at` and save when anything changed.

    Returns the names that changed (empty: nothing written). `extra` names columns the caller
    changed itself that must be saved too. With `save=False` the caller saves (e.g. together with
    rows of another table) and passes the returned names plus rev/updated_at to `save()`."""
    changed = [name for name, value in fields.items() if getattr(instance, name) != value]
    if not changed and not extra:
        return []
    for name in changed:
        setattr(instance, name, fields[name])
    update_fields = [*changed, *extra]
    if hasattr(instance, "rev"):
        instance.rev += 1
        update_fields.append("rev")
    if hasattr(instance, "updated_at"):
        instance.updated_at = now or timezone.now()
        update_fields.append("updated_at")
    if save:
        instance.save(update_fields=update_fields)
    return changed or list(extra)


def model_changes(instance, fields, *, labels=None, **options):
    """`model_update`, returning what events record: `{label: {"before", "after"}}` per changed
    field (empty: nothing written). `labels` maps a field to the name events use for it, or to
    None to keep it out of `changes` (it is still written)."""
    labels = labels or {}
    before = {name: getattr(instance, name) for name in fields}
    changed = model_update(instance, fields, **options)
    out = {}
    for name in changed:
        label = labels.get(name, name)
        if name in fields and label:
            out[label] = {"before": before[name], "after": fields[name]}
    return out


def emit_for(instance, type, *, org, actor, resource, data, changes=None):
    """The event of a create or update of `instance`, at its current revision."""
    emit(
        org=org,
        type=type,
        resource=resource,
        resource_id=instance.pk,
        actor=actor,
        rev=getattr(instance, "rev", None),
        data=data,
        changes=changes,
    )


def delete_with_event(instance, type, *, org, actor, resource, data):
    """Delete a locked row and record `type` with what it held (`data`, taken before)."""
    pk = instance.pk
    instance.delete()
    emit(org=org, type=type, resource=resource, resource_id=pk, actor=actor, data=data)
