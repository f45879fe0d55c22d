"""Many-row inserts and updates for the import paths (KObject bulk, their events).

Django's bulk_create on PostgreSQL sends each column as one array parameter, and psycopg dumps
arrays of JSON in Python, escaping every quote: for a thousand JSON documents that costs more
than the database work. COPY streams rows through psycopg's C writer instead. Other databases
(SQLite in development) use Django's own bulk methods.
"""

import functools
import json
import uuid

from django.conf import settings
from django.db import connection, connections, transaction

# Below this many rows the plain ORM statement is as fast and simpler to reason about.
COPY_THRESHOLD = 20


def _use_copy(objs):
    return connection.vendor == "postgresql" and len(objs) >= COPY_THRESHOLD


def _quote(name):
    return connection.ops.quote_name(name)


# Columns whose Python value psycopg writes as it is: no per-value Django preparation.
PLAIN_TYPES = frozenset(
    {
        "AutoField",
        "BigAutoField",
        "BigIntegerField",
        "BooleanField",
        "CharField",
        "IntegerField",
        "PositiveIntegerField",
        "PositiveSmallIntegerField",
        "SmallIntegerField",
        "TextField",
    }
)


def _preparer(field, conn, adding):
    """A function obj -> the value COPY writes for `field`."""
    target = field.target_field if field.is_relation else field
    kind = target.get_internal_type()
    auto = adding and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False))
    if auto:
        return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), conn)
    name = field.attname
    if kind in PLAIN_TYPES:
        return lambda obj: getattr(obj, name)
    if kind == "JSONField":
        # COPY's text format takes the JSON text itself: one json.dumps, no adapter object; an
        # empty list or object (most images, tags and custom values) needs no encoder at all
        dumps = functools.partial(json.dumps, cls=field.encoder)

        def json_text(obj):
            value = getattr(obj, name)
            if value is None:
                return None
            return EMPTY_JSON.get(type(value), dumps)(value) if not value else dumps(value)

        return json_text
    if kind == "DateTimeField" and settings.USE_TZ:
        # an aware datetime is written as it is; Django's preparation (naive-time warnings)
        # only for the others
        prep = field.get_db_prep_save
        return lambda obj: (
            v
            if (v := getattr(obj, name)) is None or getattr(v, "tzinfo", None) is not None
            else prep(v, conn)
        )
    return lambda obj: field.get_db_prep_save(getattr(obj, name), conn)


EMPTY_JSON = {list: lambda _: "[]", dict: lambda _: "{}"}  # what json.dumps would write


def _copy_rows(cursor, table, fields, objs, *, adding):
    columns = ", ".join(_quote(f.column) for f in fields)
    # the real connection, not the proxy: its per-attribute context lookup adds up per value
    conn = connections[connection.alias]
    prepare = [_preparer(f, conn, adding) for f in fields]
    # the raw cursor bypasses Django's wrapper: map psycopg's errors to django.db's ourselves
    with (
        conn.wrap_database_errors,
        cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            copy.write_row([p(obj) for p in prepare])


def insert(model, objs):
    """Insert new model instances; each gets its primary key, in the order given."""
    objs = list(objs)
    if not objs:
        return objs
    if not _use_copy(objs):
        return model.objects.bulk_create(objs)
    meta = model._meta
    pk = meta.pk
    with connection.cursor() as wrapper:
        wrapper.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [meta.db_table, pk.column, len(objs)],
        )
        ids = sorted(row[0] for row in wrapper.fetchall())
        for obj, value in zip(objs, ids, strict=True):
            setattr(obj, pk.attname, value)
        _copy_rows(wrapper.cursor, meta.db_table, meta.concrete_fields, objs, adding=True)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def optimistic():
    """Whether update(..., version=) checks versions itself, so callers need not lock the rows
    they read (locking a row is a write of its own: for a large batch that costs more than the
    update)."""
    return connection.vendor == "postgresql"


def update(model, objs, field_names, *, version=None):
    """Write `field_names` of existing instances (matched by primary key); returns how many rows
    changed. With `version` (a counter field the caller has already incremented), a row is
    written only while the database still holds the version before it, so an update that
    raced another writer changes fewer rows than given (optimistic() databases only)."""
    objs = list(objs)
    if not objs:
        return 0
    if not (_use_copy(objs) or (version and optimistic())):
        model.objects.bulk_update(objs, field_names, batch_size=500)
        return len(objs)
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in field_names)]
    table = meta.db_table
    scratch = f"bulk_{uuid.uuid4().hex[:12]}"
    columns = ", ".join(_quote(f.column) for f in fields)
    assignments = ", ".join(f"{_quote(f.column)} = s.{_quote(f.column)}" for f in fields[1:])
    where = f"t.{_quote(meta.pk.column)} = s.{_quote(meta.pk.column)}"
    if version:
        column = _quote(meta.get_field(version).column)
        where += f" AND t.{column} = s.{column} - 1"
    with transaction.atomic(), connection.cursor() as wrapper:
        wrapper.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {_quote(table)} WITH NO DATA"
        )
        _copy_rows(wrapper.cursor, scratch, fields, objs, adding=False)
        wrapper.execute(
            f"UPDATE {_quote(table)} AS t SET {assignments} FROM {scratch} AS s WHERE {where}"
        )
        changed = wrapper.rowcount
        wrapper.execute(f"DROP TABLE {scratch}")
    return changed
