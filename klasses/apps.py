from django.apps import AppConfig


class KlassesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "klasses"

    def ready(self):
        from kdesk import resources, settings_activity, settings_home
        from klasses.resources import RESOURCES
        from klasses.settings_home import data_model, klass_labels

        resources.register(*RESOURCES)
        settings_home.provide(data_model)
        settings_activity.name_resources_with(klass_labels)
