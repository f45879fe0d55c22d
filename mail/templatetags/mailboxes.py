"""`{% reply_mailbox conversation_id as box %}`: the mailbox a reply in this conversation is
sent from (None when the email channel is not set up), for the composer."""

from django import template

from mail import outbox

register = template.Library()


@register.simple_tag(takes_context=True)
def reply_mailbox(context, conversation_id):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    return outbox.sending_mailbox(user.org, conversation_id)


@register.simple_tag
def attachment_limits():
    """The composer checks files against these before sending (the server checks again)."""
    from django.conf import settings

    from mail.attachments import human_size

    size = settings.MAIL_ATTACHMENT_MAX_BYTES
    return {"bytes": size, "count": settings.MAIL_ATTACHMENT_MAX_COUNT, "text": human_size(size)}
