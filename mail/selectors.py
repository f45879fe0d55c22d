"""Reads for the email channel."""

from mail.models import Attachment, Mailbox, MailMessage, Received


def mailboxes(*, org):
    return Mailbox.objects.filter(org=org).order_by("address", "id")


def mailbox(*, org, pk):
    return Mailbox.objects.filter(org=org, pk=pk).first()


def recent_mail(*, org, mailbox, limit=20):
    return list(Received.objects.filter(org=org, mailbox=mailbox).order_by("-id")[:limit])


def attachment(*, org, pk):
    return Attachment.objects.filter(org=org, pk=pk).first()


def message_attachments(*, org, message_ids):
    """{message id: [attachment, ...]} in one query."""
    out = {}
    for row in Attachment.objects.filter(org=org, message_id__in=list(message_ids)).order_by("id"):
        out.setdefault(row.message_id, []).append(row)
    return out


def message_mail(*, org, message_id):
    return (
        MailMessage.objects.filter(org=org, desk_message_id=message_id)
        .select_related("mailbox")
        .order_by("-id")
        .first()
    )
