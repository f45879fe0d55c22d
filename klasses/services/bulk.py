"""KObject bulk create and upsert (up to 1000 per call)."""

from django.db import IntegrityError, connection, transaction
from django.db.models import BooleanField, CharField, F, Func, Q, Value
from django.utils import timezone

from kdesk import bulk, table_stats
from kdesk.errors import Conflict, FieldError, Forbidden, ValidationFailed, stale_detail
from kdesk.events import emit_many
from kdesk.models import Event
from kdesk.payload import integral
from klasses import attributes
from klasses.models import (
    Klass,
    KObject,
)
from klasses.representations import kobject_resource
from klasses.services.kobject_fields import (
    _apply,
    _changes,
    _check_refs,
    _event,
    _kobject_fields,
    _kobject_fields_plain,
    _snapshot,
    kobject_rule_errors,
)

BULK_LIMIT = 1000


KOBJECT_COLUMNS = [
    "title",
    "external_id",
    "description",
    "icon",
    "images",
    "tags",
    "customer_id",
    "company_id",
    "data",
    "custom",
    "rev",
    "updated_at",
]


# A new KObject is built from its column values in field order (Django's positional path skips
# the by-name lookup of every field and related descriptor); defaults that are objects (a new
# list or dict) are made per object, the others once.
KOBJECT_ATTNAMES = [f.attname for f in KObject._meta.concrete_fields]
KOBJECT_MADE = [
    (f.attname, f.default)
    for f in KObject._meta.concrete_fields
    if f.has_default() and callable(f.default)
]
KOBJECT_STATIC = {
    f.attname: f.get_default()
    for f in KObject._meta.concrete_fields
    if not (f.has_default() and callable(f.default))
}


KOBJECT_INDEX = {name: i for i, name in enumerate(KOBJECT_ATTNAMES)}
KOBJECT_REFS = ("customer_id", "company_id")  # 0 (unlink) is stored as no link


def _kobject_builder(org, klass, now):
    """fields (from _kobject_fields) -> a new KObject of `klass`: the values every object of
    the batch shares are laid out once; per object only its own fields and fresh mutable
    defaults (a new list or dict) are set."""
    make = bulk.maker(KObject)
    template = [KOBJECT_STATIC.get(name) for name in KOBJECT_ATTNAMES]
    template[KOBJECT_INDEX["org_id"]] = org.pk
    template[KOBJECT_INDEX["klass_id"]] = klass.pk
    fresh = []
    for name, default in KOBJECT_MADE:
        if default is timezone.now:
            template[KOBJECT_INDEX[name]] = now  # one clock for the batch
        else:
            fresh.append((name, KOBJECT_INDEX[name], default))
    index = KOBJECT_INDEX

    def new(fields):
        values = template.copy()
        for name, i, default in fresh:
            if name not in fields:
                values[i] = default()
        for key, value in fields.items():
            values[index[key]] = value
        for key in KOBJECT_REFS:
            if key in fields:
                values[index[key]] = fields[key] or None
        return make(values)

    return new


def _external_key(item):
    """The externalId an item will be stored under (as Payload cleans it), or None."""
    value = item.get("externalId") if isinstance(item, dict) else None
    return value.strip() or None if isinstance(value, str) else None


def kobject_bulk(*, org, actor, klass, items, partial=False, may_create=True, may_update=True):
    """Create or upsert (by externalId) up to 1000 KObjects.

    All-or-nothing by default: any invalid item fails the whole call with every item's errors
    (pointers `/3/data/totalNum`). With `partial`, valid items are written and a per-item result
    list reports each one. An item that matches an existing externalId is an update (defaults
    and required attributes apply only to new objects); `may_create`/`may_update` say which of
    the two the caller is allowed.
    """
    if not isinstance(items, list):
        raise ValidationFailed(
            [FieldError("", "type", "The body must be a JSON array of objects.")]
        )
    if len(items) > BULK_LIMIT:
        raise ValidationFailed(
            [
                FieldError(
                    "", "too_many", f"At most {BULK_LIMIT} objects per call ({len(items)} sent)."
                )
            ]
        )
    if klass.status != Klass.Status.ACTIVE:
        raise ValidationFailed(
            [FieldError("", "disabled", f"The Klass '{klass.name}' is disabled.")]
        )
    # A concurrent call may create or change some of these objects between our lookup and our
    # write; all of this call's work is then rolled back and it runs once more, now seeing them
    # (an upsert's loser updates what the winner created). A second loss is the client's 409.
    for attempt in range(2):
        try:
            return _kobject_bulk_once(org, actor, klass, items, partial, may_create, may_update)
        except _Raced as exc:
            if attempt:
                raise Conflict(str(exc), errors=exc.errors) from None
    raise AssertionError("unreachable")


def _stale_rev(item, existing, index, klass):
    """The error of an item whose `rev` is not the stored object's (one it creates has none to
    check), else None."""
    rev = integral(item.get("rev")) if isinstance(item, dict) else None
    if existing is None or rev is None or rev == existing.rev:
        return None
    what = f"{klass} {existing.external_id}"
    return FieldError(f"/{index}/rev", "stale", stale_detail(what, rev, existing.rev))


def _external_ids(keys):
    """`external_id IN keys`; on PostgreSQL as `= ANY(array)`, one parameter instead of a
    thousand placeholders for the driver to split and the server to parse."""
    if connection.vendor != "postgresql":
        return Q(external_id__in=keys)
    from django.contrib.postgres.fields import ArrayField

    array = Value(sorted(keys), output_field=ArrayField(CharField()))
    return Func(
        F("external_id"),
        array,
        arg_joiner=" = ANY(",
        template="%(expressions)s)",
        output_field=BooleanField(),
    )


class _Raced(Conflict):
    """A concurrent call won a race on one of the bulk's rows (the bulk retries once)."""


def _kobject_bulk_once(org, actor, klass, items, partial, may_create, may_update):
    with transaction.atomic():
        # Read the matches first: whether an item creates or updates decides how it validates.
        keys = [_external_key(item) for item in items]
        matches = KObject.objects.filter(org=org, klass=klass).filter(
            _external_ids({k for k in keys if k})
        )
        if not bulk.optimistic():  # elsewhere the update below checks each row's rev itself
            matches = matches.select_for_update()
        existing = {o.external_id: o for o in matches}
        # the object each item updates (None: it creates one), decided once for every step below
        matched = [existing.get(key) for key in keys]
        prepared, item_errors, new_names = [], {}, []
        validator = attributes.validator_for(org, f"kobject.{klass.name}")
        for i, item in enumerate(items):
            new_names.append({})
            fields = _kobject_fields_plain(item, creating=matched[i] is None, validator=validator)
            stale = _stale_rev(item, matched[i], i, klass)
            if fields is not None and stale is None:  # valid as it stands, nothing undefined
                prepared.append(fields)
                continue
            fields, errors, _ = _kobject_fields(
                org,
                klass,
                item,
                creating=matched[i] is None,
                pointer=f"/{i}",
                validator=validator,
                undefined=new_names[i],
                existing=matched[i],
            )
            if stale is not None:
                errors.append(stale)
            if isinstance(item, dict) and "relationships" in item:
                errors.append(
                    FieldError(
                        f"/{i}/relationships",
                        "unsupported",
                        "Bulk calls do not set relationships: link objects through "
                        "/v1/klasses/{name}/{id}/relationships/{rel}.",
                    )
                )
            if errors:
                item_errors[i] = errors
            prepared.append(fields)
        for error in _check_refs(org, [(f"/{i}", f) for i, f in enumerate(prepared)]):
            index = int(error.pointer.split("/")[1])
            item_errors.setdefault(index, []).append(error)
        rules = attributes.rules_for(org, f"kobject.{klass.name}")
        if rules:  # one query for the rules; nothing per item when there are none
            for i, fields in enumerate(prepared):
                if i in item_errors:
                    continue
                errors = kobject_rule_errors(
                    org=org,
                    klass=klass,
                    fields=fields,
                    existing=matched[i],
                    pointer=f"/{i}",
                    rules=rules,
                )
                if errors:
                    item_errors[i] = errors
        seen = {}
        for i, fields in enumerate(prepared):
            ext = fields.get("external_id")
            if ext:
                if ext in seen:
                    item_errors.setdefault(i, []).append(
                        FieldError(
                            f"/{i}/externalId",
                            "duplicate",
                            f"externalId {ext!r} repeats item {seen[ext]}.",
                        )
                    )
                seen.setdefault(ext, i)
        good = [i for i in range(len(prepared)) if i not in item_errors]
        _bulk_check_permission(good, matched, may_create, may_update)
        if item_errors and not partial:
            raise ValidationFailed([e for i in sorted(item_errors) for e in item_errors[i]])
        # definitions are recorded only for attributes that items actually written introduce
        undefined = {}
        for i in good:
            undefined.update(new_names[i])
        attributes.record(org, f"kobject.{klass.name}", undefined)
        now = timezone.now()
        new = _kobject_builder(org, klass, now)
        to_create, to_update, events, results = [], [], [], {}
        for i in good:
            fields, obj = prepared[i], matched[i]
            if obj is None:
                to_create.append((i, new(fields)))
            else:
                before = _snapshot(obj)
                _apply(obj, fields)
                obj.rev += 1
                obj.updated_at = now
                to_update.append((i, obj, _changes(before, _snapshot(obj))))
        try:
            bulk.insert(KObject, [o for _, o in to_create])
        except IntegrityError:
            # a concurrent call created one of these externalIds after our lookup; nothing
            # more runs in this transaction: the error leaves the atomic block above, which
            # rolls all of this call's work back before the retry
            raise _Raced(
                "Another request created some of these externalIds at the same time; retry.",
                errors=[
                    FieldError(f"/{i}/externalId", "taken", "externalId was taken meanwhile.")
                    for i, o in to_create
                    if o.external_id
                ],
            ) from None
        if bulk.update(KObject, [o for _, o, _ in to_update], KOBJECT_COLUMNS, version="rev") < len(
            to_update
        ):
            raise _Raced(
                "Some of these objects changed while this call ran; nothing was written. Retry."
            )
        # as _event(klass, obj, "create") builds them, with the batch's names formatted once
        created, resource = f"kobject.{klass.name}.create", f"kobject.{klass.name}"
        for i, obj in to_create:
            data = kobject_resource(obj, klass.name)
            events.append(
                {
                    "type": created,
                    "resource": resource,
                    "resource_id": obj.id,
                    "customer_id": obj.customer_id,
                    "rev": obj.rev,
                    "data": data,
                    "changes": {},
                }
            )
            results[i] = ("created", data)
        for i, obj, changes in to_update:
            events.append(_event(klass, obj, "update", changes))
            results[i] = ("updated", events[-1]["data"])
        emit_many(org=org, actor=actor, events=events)
        if to_create:
            # the first import into a fresh install gets real plans right away
            transaction.on_commit(lambda: table_stats.analyze_if_never(KObject, Event))
    out = []
    for i in range(len(items)):
        if i in results:
            status, resource = results[i]  # the event's snapshot is the response's resource
            out.append({"index": i, "status": status, "data": resource})
        else:
            out.append({"index": i, "status": "failed", "errors": item_errors.get(i, [])})
    return out


def _bulk_check_permission(good, matched, may_create, may_update):
    creates = [i for i in good if matched[i] is None]
    updates = [i for i in good if matched[i] is not None]
    denied = []
    if not may_create and creates:
        denied += [
            FieldError(f"/{i}", "forbidden", "Creating objects needs the create scope.")
            for i in creates
        ]
    if not may_update and updates:
        denied += [
            FieldError(f"/{i}", "forbidden", "Updating objects needs the update scope.")
            for i in updates
        ]
    if denied:
        raise Forbidden(
            f"{len(denied)} item(s) need a permission this key does not have.", errors=denied
        )
