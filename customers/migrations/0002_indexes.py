from django.db import migrations, models

TABLES = ("customers_customer", "customers_company")


def create_gin(apps, schema_editor):
    """PostgreSQL only: containment queries on custom values (search) use a GIN index."""
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_custom_gin ON {table} "
            "USING gin (custom jsonb_path_ops)"
        )


def drop_gin(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_custom_gin")


class Migration(migrations.Migration):
    dependencies = [
        ("customers", "0001_initial"),
        ("kdesk", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="company",
            index=models.Index(fields=["org", "name"], name="company_name"),
        ),
        migrations.AddIndex(
            model_name="customer",
            index=models.Index(fields=["org", "created_at", "id"], name="customer_created"),
        ),
        migrations.RunPython(create_gin, drop_gin, elidable=False),
    ]
