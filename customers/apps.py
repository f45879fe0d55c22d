from django.apps import AppConfig


class CustomersConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "customers"

    def ready(self):
        from customers.resources import RESOURCES
        from kdesk import resources

        resources.register(*RESOURCES)
