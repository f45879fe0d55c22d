"""Deciding to send: a reply on the email channel (from the desk, the API or a workflow step)
gets its outgoing email row in the transaction that records it, and the worker is asked to send
it once that transaction commits. A send never happens inside the request's transaction."""

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from conversations.models import Conversation, Message
from customers.models import Identity
from mail.models import Mailbox, MailMessage

# A reply dated further back than this is a record of mail sent elsewhere (an import), not one
# to send now.
BACKDATED = timedelta(minutes=2)


def _sendable(event):
    if event.type != "conversation.message.create":
        return None
    attrs = (event.data or {}).get("attributes") or {}
    if attrs.get("direction") != "out" or attrs.get("channel") != "email":
        return None
    if attrs.get("status") != "sent":  # the client recorded delivered/failed/queued itself
        return None
    try:
        sent_at = datetime.fromisoformat(attrs["sentAt"])
        created_at = datetime.fromisoformat(attrs["createdAt"])
    except (KeyError, TypeError, ValueError):
        return None
    if created_at - sent_at > BACKDATED:
        return None
    return attrs


def record(org, events):
    """events.record_with: queue an email for each new outbound email message."""
    sendable = [event for event in events if _sendable(event) is not None]
    if not sendable or not Mailbox.objects.filter(org=org).exists():
        return  # the email channel is not set up: replies are records, as before
    for event in sendable:
        queue(org=org, message=Message.objects.get(pk=event.resource_id))


def _mailbox(org, conversation_id):
    last = (
        MailMessage.objects.filter(org=org, conversation_id=conversation_id, mailbox__enabled=True)
        .order_by("-id")
        .values_list("mailbox_id", flat=True)
        .first()
    )
    boxes = Mailbox.objects.filter(org=org, enabled=True)
    if last is not None:
        return boxes.filter(pk=last).first()
    return boxes.order_by("id").first()


def sending_mailbox(org, conversation_id):
    """The mailbox a reply in this conversation (or a new one: no id) goes from."""
    try:
        conversation_id = int(conversation_id)
    except (TypeError, ValueError):
        return Mailbox.objects.filter(org=org, enabled=True).order_by("id").first()
    return _mailbox(org, conversation_id)


def _threading(org, conversation_id):
    """(to, in_reply_to, references, subject) from the latest email of the conversation."""
    last = (
        MailMessage.objects.filter(org=org, conversation_id=conversation_id).order_by("-id").first()
    )
    if last is None:
        return None, "", "", ""
    references = " ".join([*last.references.split(), last.message_id][-20:])
    inbound = (
        last
        if last.direction == MailMessage.Direction.IN
        else MailMessage.objects.filter(
            org=org, conversation_id=conversation_id, direction=MailMessage.Direction.IN
        )
        .order_by("-id")
        .first()
    )
    return (inbound.sender if inbound else None), last.message_id, references, last.subject


def _customer_email(org, customer_id):
    return (
        Identity.objects.filter(org=org, customer_id=customer_id, kind=Identity.Kind.EMAIL)
        .order_by("id")
        .values_list("value", flat=True)
        .first()
    )


def _fail(org, message, detail):
    from conversations import services as conversations

    conversations.message_update_within(
        org=org, actor=None, message=message, data={"status": "failed", "statusDetail": detail}
    )


def queue(*, org, message):
    """The outgoing email of one desk message, queued (status `queued` on the message)."""
    from conversations import services as conversations

    if not Mailbox.objects.filter(org=org).exists():
        return None  # the email channel is not set up: the message is a record, as before
    conversation = Conversation.objects.get(pk=message.conversation_id)
    mailbox = _mailbox(org, conversation.pk)
    if mailbox is None:
        _fail(org, message, "No mailbox is turned on to send email (Settings › Mailboxes).")
        return None
    to, in_reply_to, references, subject = _threading(org, conversation.pk)
    to = to or _customer_email(org, message.customer_id)
    if not to:
        _fail(org, message, "The customer has no email address.")
        return None
    own = set(
        Mailbox.objects.filter(org=org).annotate(a=Lower("address")).values_list("a", flat=True)
    )
    subject = subject or conversation.name or "(no subject)"
    if not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    mail = MailMessage.objects.create(
        org=org,
        mailbox=mailbox,
        desk_message=message,
        conversation_id=conversation.pk,
        direction=MailMessage.Direction.OUT,
        message_id=f"{uuid.uuid4().hex}@{mailbox.domain}",
        in_reply_to=in_reply_to,
        references=references,
        subject=subject[:255],
        sender=mailbox.address,
        to=[{"name": "", "email": to}],
        cc=[{"name": "", "email": c} for c in message.cc if c.lower() not in own][:20],
        status=MailMessage.Status.QUEUED,
        next_attempt_at=timezone.now(),
    )
    conversations.message_update_within(
        org=org, actor=None, message=message, data={"status": "queued", "statusDetail": ""}
    )
    mailbox_id = mailbox.pk
    transaction.on_commit(lambda: kick(mailbox_id))
    return mail


def kick(mailbox_id):
    from mail import tasks

    tasks.drain.enqueue(mailbox_id)
    from mail import schedule

    schedule.ensure_running()
