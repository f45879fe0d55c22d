from django.apps import AppConfig


class WorkflowsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "workflows"
    verbose_name = "Workflows"

    def ready(self):
        from kdesk import business_rules, events
        from workflows import app_features, app_fields, outbox, rules

        # Runs are decided in the emitting transaction, business rules inside the write
        # (nothing below this app imports it).
        events.record_with(outbox.record)
        business_rules.provide(rules.decide)
        app_features.register_kind()
        app_fields.register_fields()
