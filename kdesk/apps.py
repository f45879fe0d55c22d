from django.apps import AppConfig


class KdeskConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "kdesk"
    verbose_name = "kdesk core"

    def ready(self):
        from django.db.backends.signals import connection_created
        from django.db.models.signals import post_delete, post_save

        from kdesk.api import schema  # noqa: F401  (registers the OpenAPI auth extensions)
        from kdesk.api.auth import key_changed, user_changed
        from kdesk.models import ApiKey, User
        from kdesk.search.text import register_sqlite

        post_save.connect(key_changed, sender=ApiKey, dispatch_uid="kdesk-apikey-saved")
        post_delete.connect(key_changed, sender=ApiKey, dispatch_uid="kdesk-apikey-deleted")
        post_save.connect(user_changed, sender=User, dispatch_uid="kdesk-user-saved")
        connection_created.connect(register_sqlite, dispatch_uid="kdesk_unaccent")

        from kdesk import core_resources, resources

        resources.register(*core_resources.RESOURCES)
