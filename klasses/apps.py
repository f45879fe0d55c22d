from django.apps import AppConfig


class KlassesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "klasses"

    def ready(self):
        from kdesk import resources, settings_home
        from klasses.resources import RESOURCES
        from klasses.settings_home import data_model

        resources.register(*RESOURCES)
        settings_home.provide(data_model)
