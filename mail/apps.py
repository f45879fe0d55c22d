from django.apps import AppConfig


class MailConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mail"
    verbose_name = "Email channel"

    def ready(self):
        from kdesk import events
        from mail import outbox

        # An outgoing email is decided in the transaction that records the reply.
        events.record_with(outbox.record)
