from django.apps import AppConfig


class KdeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kdesk"
    verbose_name = "kdesk core"

    def ready(self):
        from kdesk.api import schema  # noqa: F401  (registers the OpenAPI auth extensions)
