"""Accent-insensitive text search (kdesk.search.text), PostgreSQL only: the unaccent and
pg_trgm extensions, an IMMUTABLE kdesk_unaccent(text) wrapper (unaccent itself is only STABLE,
so it cannot be indexed), and trigram GIN indexes on what the desk search matches with
`LIKE '%word%'`: the folded customer name and identity values (emails, phones). SQLite gets the
same function per connection (kdesk.search.text.register_sqlite) and scans."""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION kdesk_unaccent(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
"""
INDEXES = (
    (
        "customers_customer",
        "customer_name_trgm",
        "USING gin (kdesk_unaccent(lower(name)) gin_trgm_ops)",
    ),
    ("customers_identity", "identity_value_trgm", "USING gin (value gin_trgm_ops)"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public")
    schema_editor.execute(FUNCTION)
    for table, name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS kdesk_unaccent(text)")


class Migration(migrations.Migration):
    dependencies = [("customers", "0003_org_index_in_composites")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
