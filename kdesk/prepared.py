"""`.values()` queries for the hottest reads, compiled by the ORM once and then only re-bound.

Building and compiling a queryset costs more than the indexed lookup it runs (a join, a dozen
columns: about a millisecond of Python per request). A PreparedValues builds its queryset once
per database connection with marker arguments, keeps the SQL and the column converters, and
afterwards binds new values in the markers' places, so the ORM stays the single definition of
the query.

On PostgreSQL the query is also a prepared statement of the connection: Django sends every query
as text with its values inlined (psycopg's client-side binding), which PostgreSQL parses and
plans anew each time, about 0.1 ms of its CPU for an indexed lookup that takes 0.03 ms to run.
Bound on the server instead and prepared on first use, it is planned once per connection. After
five runs PostgreSQL may keep one generic plan for every value: the lookups are written so that
only their unique index serves them, whatever the values and the statistics, and
tests/kdesk/test_lookup_plans.py checks their generic plans too. Off with
DATABASE_PREPARED_STATEMENTS=false, for a connection pooler that does not keep a session's
prepared statements (PgBouncer in transaction mode before 1.21).
"""

import itertools
import weakref

import orjson
from django.conf import settings
from django.db import connections
from django.db.models import NOT_PROVIDED, JSONField, signals

_serial = itertools.count(1)


class _Slot(str):
    """A parameter position that takes a caller's value."""


def _faster(convert, expression):
    """orjson in place of JSONField's json.loads for a plain JSON column (a timeline page decodes
    a hundred documents); whatever orjson refuses (integers past 64 bits) goes to Django's
    converter, which answers as it always did."""
    field = getattr(expression, "output_field", None)
    if not (
        isinstance(field, JSONField)
        and field.decoder is None
        and getattr(convert, "__func__", None) is JSONField.from_db_value
    ):
        return convert

    def loads(value, expression, connection):
        if isinstance(value, str):
            try:
                return orjson.loads(value)
            except orjson.JSONDecodeError:
                pass
        return convert(value, expression, connection)

    return loads


class PreparedValues:
    def __init__(self, build, *, ints=(), strings=()):
        """`build(**markers)` returns the `.values(...)` queryset; `ints` and `strings` name its
        arguments (markers must be unique values of the parameter's type)."""
        self.build = build
        n = next(_serial)
        self.markers = {name: -(10**15) - 1000 * n - i for i, name in enumerate(ints)}
        self.markers |= {name: f"\x00kdesk-marker-{n}-{name}" for name in strings}
        self._compiled = weakref.WeakKeyDictionary()

    def _compile(self, connection):
        queryset = self.build(**self.markers)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        by_value = {value: name for name, value in self.markers.items()}
        slots = [
            _Slot(by_value[p]) if isinstance(p, int | str) and p in by_value else p for p in params
        ]
        missing = set(self.markers) - set(s for s in slots if isinstance(s, _Slot))
        if missing:
            raise ValueError(f"The query does not use {sorted(missing)}.")
        fields = [select[0] for select in compiler.select[: compiler.col_count]]
        converters = [
            (i, [_faster(convert, expression) for convert in convs], expression)
            for i, (convs, expression) in compiler.get_converters(fields).items()
        ]
        # in select order: the fields and annotations `.values()` names, else the columns
        names = list(queryset.query.selected or ()) or [f.target.attname for f in fields]
        entry = (sql, slots, names, converters)
        self._compiled[connection] = entry
        return entry

    def rows(self, using="default", **values):
        connection = connections[using]
        entry = self._compiled.get(connection) or self._compile(connection)
        sql, slots, names, converters = entry
        params = [values[s] if isinstance(s, _Slot) else s for s in slots]
        with _cursor(connection) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        out = []
        for row in rows:
            row = list(row)
            for i, convs, expression in converters:
                value = row[i]
                for convert in convs:
                    value = convert(value, expression, connection)
                row[i] = value
            out.append(dict(zip(names, row, strict=True)))
        return out


class PreparedInsert:
    """A model's single-row INSERT ... RETURNING its primary key, with the SQL built once per
    connection: the writes every request makes (an event, a message, an email's rows) then
    skip the ORM's query building and compiling, which cost more than the insert. Each value is
    still prepared by its field as `save()` prepares it (`pre_save`, `get_db_prep_save`).
    A model with save signal receivers, a value that is an expression, or a database that
    cannot return the new key, is saved by `save()` as before."""

    def __init__(self, model):
        meta = model._meta
        self.model = model
        self.pk = meta.pk
        self.fields = [
            f
            for f in meta.local_concrete_fields
            if f is not meta.auto_field and not getattr(f, "generated", False)
        ]
        defaults = [
            f for f in self.fields if getattr(f, "db_default", NOT_PROVIDED) is not NOT_PROVIDED
        ]
        if meta.parents or defaults:
            raise ValueError(f"{model.__name__}: a plain table with no database defaults only.")
        self._sql = weakref.WeakKeyDictionary()

    def _compile(self, connection):
        quote = connection.ops.quote_name
        sql = "INSERT INTO {} ({}) VALUES ({}) RETURNING {}".format(
            quote(self.model._meta.db_table),
            ", ".join(quote(f.column) for f in self.fields),
            ", ".join(["%s"] * len(self.fields)),
            quote(self.pk.column),
        )
        self._sql[connection] = sql
        return sql

    def save(self, obj, using="default"):
        """Insert `obj` (a new instance) and set its primary key; returns it."""
        connection = connections[using]
        model = self.model
        if (
            not connection.features.can_return_columns_from_insert
            or signals.pre_save.has_listeners(model)
            or signals.post_save.has_listeners(model)
        ):
            obj.save(using=using, force_insert=True)
            return obj
        # as save() does first: a related object saved after it was assigned gives its key
        obj._prepare_related_fields_for_save(operation_name="save")
        values = [f.pre_save(obj, True) for f in self.fields]
        if any(hasattr(value, "resolve_expression") for value in values):
            obj.save(using=using, force_insert=True)  # an expression: the ORM compiles it
            return obj
        sql = self._sql.get(connection) or self._compile(connection)
        params = [
            f.get_db_prep_save(v, connection) for f, v in zip(self.fields, values, strict=True)
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            setattr(obj, self.pk.attname, cursor.fetchone()[0])
        obj._state.adding = False
        obj._state.db = using
        return obj


def update_row(model, key, values, *, add=None, where=None, unless_later=None, using="default"):
    """UPDATE one row of `model` by primary key, the SQL written here rather than by a queryset:
    the two aggregate updates every message makes (its conversation's totals, its customer's
    last activity) cost more in the ORM's query building than in the database. Each value is
    prepared by its field as QuerySet.update prepares it (`get_db_prep_save`).

    `values`: {field name: value}; `add`: {field name: n} set to column + n; `where`: further
    {field name: value} equalities (the org); `unless_later`: (field name, value), the row is
    updated only when that column is NULL or earlier than the value. Returns the rows updated.
    """
    connection = connections[using]
    quote = connection.ops.quote_name
    meta = model._meta
    sets, params = [], []
    for name, value in values.items():
        field = meta.get_field(name)
        sets.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_save(value, connection))
    for name, n in (add or {}).items():
        column = quote(meta.get_field(name).column)
        sets.append(f"{column} = {column} + %s")
        params.append(n)
    conditions = [f"{quote(meta.pk.column)} = %s"]
    params.append(meta.pk.get_db_prep_value(key, connection))
    for name, value in (where or {}).items():
        field = meta.get_field(name)
        conditions.append(f"{quote(field.column)} = %s")
        params.append(field.get_db_prep_value(value, connection))
    if unless_later is not None:
        name, value = unless_later
        field = meta.get_field(name)
        column = quote(field.column)
        conditions.append(f"({column} IS NULL OR {column} < %s)")
        params.append(field.get_db_prep_value(value, connection))
    sql = "UPDATE {} SET {} WHERE {}".format(
        quote(meta.db_table), ", ".join(sets), " AND ".join(conditions)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


class _LoggedQuery:
    """The statement with its values written in, as a client-bound query would have sent it;
    composed only when something reads it."""

    __slots__ = ("connection", "sql", "params")

    def __init__(self, connection, sql, params):
        self.connection, self.sql, self.params = connection, sql, params

    @property
    def query(self):
        from psycopg import ClientCursor

        return ClientCursor(self.connection).mogrify(self.sql, self.params).encode()


_preparing_cursor = None


def _preparing_cursor_class():
    """Django's server-binding psycopg cursor, preparing each statement it runs (psycopg keeps
    the connection's prepared statements and reuses one when the same SQL comes again)."""
    global _preparing_cursor
    if _preparing_cursor is None:
        from django.db.backends.postgresql.base import ServerBindingCursor

        class PreparingCursor(ServerBindingCursor):
            def execute(self, query, params=None, *, prepare=None, binary=None):
                super().execute(query, params, prepare=True, binary=binary)
                # A prepared run leaves no query text on the cursor, where Django's query log
                # (DEBUG, the tests' query captures) reads it from.
                self._query = _LoggedQuery(self.connection, query, params)
                return self

        _preparing_cursor = PreparingCursor
    return _preparing_cursor


def _cursor(connection):
    """A cursor of `connection` as `connection.cursor()` gives it (Django's wrapper: errors
    translated, queries logged and counted), on PostgreSQL one whose statements are prepared."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(_preparing_cursor_class()(connection.connection))
