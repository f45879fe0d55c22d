from django.apps import AppConfig


class KlassesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "klasses"

    def ready(self):
        from kdesk import resources
        from klasses.resources import RESOURCES

        resources.register(*RESOURCES)
