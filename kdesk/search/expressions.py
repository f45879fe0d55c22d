"""SQL for typed JSON attributes and JSON arrays, on PostgreSQL and SQLite alike."""

import json

from django.db.models import BooleanField, Expression, F, FloatField, TextField
from django.db.models.fields.json import compile_json_path


class _OnColumn(Expression):
    """An expression over one (JSON) column plus constant arguments."""

    def __init__(self, column, *args):
        super().__init__()
        self.column = F(column) if isinstance(column, str) else column
        self.args = args

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def __repr__(self):
        return f"{type(self).__name__}({self.column!r}, {self.args!r})"


class JsonNumber(_OnColumn):
    """`column -> key` as a number when it is a JSON number, else NULL (never a cast error)."""

    output_field = FloatField()

    def as_sql(self, compiler, connection):  # SQLite: json_extract returns numbers natively
        col, params = compiler.compile(self.column)
        path = compile_json_path(self.args)
        return (
            f"(CASE WHEN JSON_TYPE({col}, %s) IN ('integer', 'real') "
            f"THEN JSON_EXTRACT({col}, %s) END)",
            (*params, path, *params, path),
        )

    def as_postgresql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        (key,) = self.args
        return (
            f"(CASE WHEN jsonb_typeof({col} -> %s) = 'number' THEN ({col} -> %s)::numeric END)",
            (*params, key, *params, key),
        )


class JsonArrayHas(_OnColumn):
    """The JSON array in `column` holds `value` (one element, compared exactly)."""

    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        (value,) = self.args
        return (
            f"EXISTS (SELECT 1 FROM json_each({col}) AS kdesk_je WHERE kdesk_je.value = %s)",
            (*params, value),
        )

    def as_postgresql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        (value,) = self.args
        return f"({col} @> %s::jsonb)", (*params, json.dumps([value]))


class JsonArrayNonEmpty(_OnColumn):
    output_field = BooleanField()
    conditional = True

    def as_sql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        return (
            f"(JSON_TYPE({col}) = 'array' AND JSON_ARRAY_LENGTH({col}) > 0)",
            (*params, *params),
        )

    def as_postgresql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        return (
            f"(CASE WHEN jsonb_typeof({col}) = 'array' THEN jsonb_array_length({col}) > 0 "
            "ELSE false END)",
            (*params, *params),
        )


class JsonText(_OnColumn):
    """`column -> key` as text when it is a JSON string, else NULL (Django's KeyTextTransform
    yields 'null'/'true'/'false' on SQLite for those values)."""

    output_field = TextField()

    def as_sql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        path = compile_json_path(self.args)
        return (
            f"(CASE WHEN JSON_TYPE({col}, %s) = 'text' THEN JSON_EXTRACT({col}, %s) END)",
            (*params, path, *params, path),
        )

    def as_postgresql(self, compiler, connection):
        col, params = compiler.compile(self.column)
        (key,) = self.args
        return f"({col} ->> %s)", (*params, key)
