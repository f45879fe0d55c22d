from django.apps import AppConfig


class AppsDirectoryConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "apps_directory"
