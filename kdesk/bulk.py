"""Many-row inserts and updates for the import paths (KObject bulk, their events).

Django's bulk_create on PostgreSQL sends each column as one array parameter, and psycopg dumps
arrays of JSON in Python, escaping every quote: for a thousand JSON documents that costs more
than the database work. COPY streams rows through psycopg's C writer instead. Other databases
(SQLite in development) use Django's own bulk methods.
"""

import functools
import json
import operator
import uuid

import orjson
from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import signals
from django.db.models.base import ModelState

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


def _dumps_json(encoder):
    """JSON text for a COPY: orjson (several times faster than json.dumps on the documents a bulk
    writes), with json.dumps and the field's encoder for what orjson refuses (keys that are not
    strings, integers past 64 bits, types only the encoder knows)."""
    fallback = functools.partial(json.dumps, cls=encoder)

    def dumps(value):
        if not value and type(value) in EMPTY_JSON:
            return EMPTY_JSON[type(value)]  # most images, tags and custom values
        try:
            return orjson.dumps(value, option=ORJSON_OPTIONS).decode()
        except TypeError:
            return fallback(value)

    return dumps


# Datetimes and dataclasses go to the fallback, so that they are written as the field's encoder
# writes them (or refused as json.dumps refuses them), never in an orjson-only form.
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS

EMPTY_JSON = {list: "[]", dict: "{}"}  # what json.dumps would write


def _row_maker(fields, conn, adding):
    """A function obj -> the list of values COPY writes for `fields`: the columns in one
    itemgetter call, then only those that need more than their Python value prepared."""
    names = [f.attname for f in fields]
    from_dict = operator.itemgetter(*names)
    from_attrs = operator.attrgetter(*names)

    def get(obj):
        # the loaded columns sit in the instance's __dict__: no descriptor per value; a
        # deferred one is read through its attribute
        try:
            return from_dict(obj.__dict__)
        except KeyError:
            return from_attrs(obj)

    fixes = []
    for index, field in enumerate(fields):
        target = field.target_field if field.is_relation else field
        kind = target.get_internal_type()
        if adding and (getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)):
            # pre_save sets the attribute (the caller reads it back), so it runs per object
            fixes.append((index, _auto(field, conn)))
        elif kind in PLAIN_TYPES:
            continue
        elif kind == "JSONField":
            dumps = _dumps_json(field.encoder)
            fixes.append((index, lambda obj, v, dumps=dumps: None if v is None else dumps(v)))
        elif kind == "DateTimeField" and settings.USE_TZ:
            fixes.append((index, _aware_text(field.get_db_prep_save, conn)))
        else:
            prep = field.get_db_prep_save
            fixes.append((index, lambda obj, v, prep=prep: prep(v, conn)))
    single = len(names) == 1  # itemgetter of one name gives the value, not a tuple

    def row(obj):
        values = [get(obj)] if single else list(get(obj))
        for index, fix in fixes:
            values[index] = fix(obj, values[index])
        return values

    return row


def _aware_text(prep, conn):
    """An aware datetime as the text psycopg's dumper writes for it (str()), made once for the
    datetime a whole batch shares (created_at, updated_at): dumping a datetime costs more than
    the rest of its row. Django's preparation (naive-time warnings) only for the others."""
    last = [None, None]

    def fix(obj, v):
        if v is None:
            return None
        if v is last[0]:
            return last[1]
        if getattr(v, "tzinfo", None) is None:
            return prep(v, conn)
        last[0], last[1] = v, str(v)
        return last[1]

    return fix


def _auto(field, conn):
    return lambda obj, _: field.get_db_prep_save(field.pre_save(obj, True), conn)


def _copy_rows(cursor, table, fields, objs, *, adding):
    columns = ", ".join(_quote(f.column) for f in fields)
    # the real connection, not the proxy: its per-attribute context lookup adds up per value
    conn = connections[connection.alias]
    row = _row_maker(fields, conn, adding)
    # the raw cursor bypasses Django's wrapper: map psycopg's errors to django.db's ourselves
    with (
        conn.wrap_database_errors,
        cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        write = copy.write_row
        for obj in objs:
            write(row(obj))


def maker(model):
    """A function (column values in concrete-field order) -> a new, unsaved `model` instance.

    Model.__init__ matches every value to its field and sends pre_init/post_init for each
    instance: a quarter of the Python time of a thousand-object import. With no receiver of
    those signals for `model`, the values are set on the instance directly (what __init__ ends
    up storing for concrete fields); otherwise __init__ runs as usual.
    """
    names = tuple(f.attname for f in model._meta.concrete_fields)
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return lambda values: model(*values)
    new = model.__new__

    def make(values):
        obj = new(model)
        obj.__dict__.update(zip(names, values, strict=True))
        obj._state = ModelState()
        return obj

    return make


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
    alias = connection.alias
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
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
