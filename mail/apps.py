from django.apps import AppConfig


class MailConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mail"
    verbose_name = "Email channel"

    def ready(self):
        from conversations.services.message_extras import provide_attachments
        from kdesk import events
        from mail import attachments, outbox

        provide_attachments(attachments.Provider)
        # An outgoing email is decided in the transaction that records the reply.
        events.record_with(outbox.record)
