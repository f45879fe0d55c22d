from django.apps import AppConfig


class KdeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kdesk"
    verbose_name = "kdesk core"
