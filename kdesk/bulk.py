"""Many-row inserts and updates for the import paths (KObject bulk, their events).

Django's bulk_create on PostgreSQL sends each column as one array parameter, and psycopg dumps
arrays of JSON in Python, escaping every quote: for a thousand JSON documents that costs more
than the database work. COPY streams rows through psycopg's C writer instead. Other databases
(SQLite in development) use Django's own bulk methods.
"""

import uuid

from django.db import connection, connections, transaction

# Below this many rows the plain ORM statement is as fast and simpler to reason about.
COPY_THRESHOLD = 20


def _use_copy(objs):
    return connection.vendor == "postgresql" and len(objs) >= COPY_THRESHOLD


def _quote(name):
    return connection.ops.quote_name(name)


def _copy_rows(cursor, table, fields, objs, *, adding):
    columns = ", ".join(_quote(f.column) for f in fields)
    # the real connection, not the proxy: its per-attribute context lookup adds up per value
    conn = connections[connection.alias]
    # the raw cursor bypasses Django's wrapper: map psycopg's errors to django.db's ourselves
    with (
        conn.wrap_database_errors,
        cursor.copy(f"COPY {_quote(table)} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objs:
            if adding:
                values = [f.pre_save(obj, True) for f in fields]
            else:
                values = [getattr(obj, f.attname) for f in fields]
            copy.write_row(
                [f.get_db_prep_save(v, conn) for f, v in zip(fields, values, strict=True)]
            )


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


def update(model, objs, field_names):
    """Write `field_names` of existing instances (matched by primary key)."""
    objs = list(objs)
    if not objs:
        return
    if not _use_copy(objs):
        model.objects.bulk_update(objs, field_names, batch_size=500)
        return
    meta = model._meta
    fields = [meta.pk, *(meta.get_field(name) for name in field_names)]
    table = meta.db_table
    scratch = f"bulk_{uuid.uuid4().hex[:12]}"
    columns = ", ".join(_quote(f.column) for f in fields)
    assignments = ", ".join(f"{_quote(f.column)} = s.{_quote(f.column)}" for f in fields[1:])
    with transaction.atomic(), connection.cursor() as wrapper:
        wrapper.execute(
            f"CREATE TEMPORARY TABLE {scratch} ON COMMIT DROP AS "
            f"SELECT {columns} FROM {_quote(table)} WITH NO DATA"
        )
        _copy_rows(wrapper.cursor, scratch, fields, objs, adding=False)
        wrapper.execute(
            f"UPDATE {_quote(table)} AS t SET {assignments} FROM {scratch} AS s "
            f"WHERE t.{_quote(meta.pk.column)} = s.{_quote(meta.pk.column)}"
        )
        wrapper.execute(f"DROP TABLE {scratch}")
