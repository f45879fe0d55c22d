"""Indexes for search (kdesk.search), PostgreSQL only; other apps' models are left untouched.

- notes: (org, updated_at, id) — the incremental-sync order of queryContext "note" (the other
  searchable tables already have one);
- GIN (jsonb_path_ops) on conversation/message custom and KObject custom/data — equals on a
  custom attribute is `custom @> {"<name>": value}` (customers/companies have theirs from
  customers 0002_indexes).
"""

from django.db import migrations

INDEXES = (
    ("conversations_note", "kdesk_search_note_updated", "(org_id, updated_at, id)"),
    ("conversations_conversation", "kdesk_search_conv_custom", "USING gin (custom jsonb_path_ops)"),
    ("conversations_message", "kdesk_search_msg_custom", "USING gin (custom jsonb_path_ops)"),
    ("klasses_kobject", "kdesk_search_kobject_custom", "USING gin (custom jsonb_path_ops)"),
    ("klasses_kobject", "kdesk_search_kobject_data", "USING gin (data jsonb_path_ops)"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, name, definition in INDEXES:
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} {definition}")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for _, name, _ in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("kdesk", "0002_event_customer_time"),
        ("customers", "0002_indexes"),
        ("conversations", "0001_initial"),
        ("klasses", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop, elidable=False)]
