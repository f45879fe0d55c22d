"""Organization.config_version, bumped by the database itself with every insert, update or
delete of an org's metadata, validation rules, webhook subscriptions and mailboxes (the rows
kdesk.config_cache keeps in process): triggers, so that no write path can forget it.

Mailbox columns the IMAP fetch rewrites every run (UIDs, lease, last check, error) and a
webhook's delivery bookkeeping are not configuration: changing them bumps nothing, or every
fetch and every delivery would empty the cache."""

from django.db import migrations, models

import kdesk.config_cache

# (table, the columns whose UPDATE is a change of configuration; None: any column)
WATCHED = [
    ("klasses_metadata", None),
    ("klasses_validationrule", None),
    ("apps_directory_outboundwebhook", ["org_id", "events"]),
    (
        "mail_mailbox",
        [
            "org_id",
            "address",
            "display_name",
            "enabled",
            "sending",
            "smtp_host",
            "smtp_port",
            "smtp_security",
            "smtp_user",
            "smtp_password",
            "imap_enabled",
            "imap_host",
            "imap_port",
            "imap_security",
            "imap_user",
            "imap_password",
            "imap_folder",
            "rev",
        ],
    ),
]

BUMP = "UPDATE kdesk_organization SET config_version = config_version + 1 WHERE id = {}.org_id"

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION kdesk_config_changed() RETURNS trigger AS $$
BEGIN
    IF TG_OP <> 'INSERT' THEN
        UPDATE kdesk_organization SET config_version = config_version + 1 WHERE id = OLD.org_id;
    END IF;
    IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.org_id <> OLD.org_id) THEN
        UPDATE kdesk_organization SET config_version = config_version + 1 WHERE id = NEW.org_id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql
"""


def _statements(vendor):
    if vendor == "postgresql":
        yield PG_FUNCTION
        for table, columns in WATCHED:
            update = "UPDATE OF " + ", ".join(columns) if columns else "UPDATE"
            yield (
                f"CREATE TRIGGER {table}_config AFTER INSERT OR {update} OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION kdesk_config_changed()"
            )
    elif vendor == "sqlite":
        for table, columns in WATCHED:
            update = "UPDATE OF " + ", ".join(columns) if columns else "UPDATE"
            yield (
                f"CREATE TRIGGER {table}_config_insert AFTER INSERT ON {table} "
                f"BEGIN {BUMP.format('NEW')}; END"
            )
            yield (
                f"CREATE TRIGGER {table}_config_delete AFTER DELETE ON {table} "
                f"BEGIN {BUMP.format('OLD')}; END"
            )
            yield (
                f"CREATE TRIGGER {table}_config_update AFTER {update} ON {table} "
                f"BEGIN {BUMP.format('OLD')}; {BUMP.format('NEW')} AND NEW.org_id <> OLD.org_id; "
                "END"
            )
    else:
        raise NotImplementedError(f"kdesk.config_cache needs triggers for {vendor}.")


def _drops(vendor):
    for table, _ in WATCHED:
        if vendor == "postgresql":
            yield f"DROP TRIGGER IF EXISTS {table}_config ON {table}"
        else:
            for suffix in ("insert", "delete", "update"):
                yield f"DROP TRIGGER IF EXISTS {table}_config_{suffix}"
    if vendor == "postgresql":
        yield "DROP FUNCTION IF EXISTS kdesk_config_changed()"


def create_triggers(apps, schema_editor):
    for sql in _statements(schema_editor.connection.vendor):
        schema_editor.execute(sql)


def drop_triggers(apps, schema_editor):
    for sql in _drops(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("kdesk", "0005_team_api"),
        ("klasses", "0006_klass_app"),
        ("apps_directory", "0001_initial"),
        ("mail", "0002_attachment_pending"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="config_version",
            field=models.BigIntegerField(
                default=kdesk.config_cache.new_version, editable=False
            ),
        ),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
