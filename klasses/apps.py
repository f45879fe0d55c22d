from django.apps import AppConfig


class KlassesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "klasses"
