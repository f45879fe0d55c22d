from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self):
        from kdesk import events
        from workflows import outbox

        # Runs are decided in the emitting transaction (nothing below this app imports it).
        events.record_with(outbox.record)
