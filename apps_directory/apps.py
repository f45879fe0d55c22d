from django.apps import AppConfig


class AppsDirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps_directory"
    verbose_name = "Integrations"

    def ready(self):
        # registers the kinds, and the fields an upgrade compares
        from apps_directory.catalog import builtin_fields, builtin_kinds  # noqa: F401
        from apps_directory.webhooks import outbox
        from kdesk import events

        # Outbox rows are written in the emitting transaction (the core never imports us).
        events.record_with(outbox.record)
