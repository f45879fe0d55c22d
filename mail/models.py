"""Mailboxes, the mail identity of messages (for threading and sending), attachments, and the
log of what came in."""

from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from kdesk.models import Organization


class Mailbox(models.Model):
    class Sending(models.TextChoices):
        SMTP = "smtp", "SMTP server"
        DJANGO = "django", "Server's email backend (settings)"

    class Security(models.TextChoices):
        STARTTLS = "starttls", "STARTTLS"
        SSL = "ssl", "TLS (implicit)"
        NONE = "none", "None (plain text)"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    address = models.EmailField(max_length=254)
    display_name = models.CharField(max_length=100, blank=True)
    enabled = models.BooleanField(default=True)
    sending = models.CharField(max_length=10, choices=Sending.choices, default=Sending.SMTP)
    smtp_host = models.CharField(max_length=255, blank=True)
    smtp_port = models.PositiveIntegerField(default=587)
    smtp_security = models.CharField(
        max_length=10, choices=Security.choices, default=Security.STARTTLS
    )
    smtp_user = models.CharField(max_length=255, blank=True)
    # Fernet token (mail/crypto.py); never shown back, never in an event.
    smtp_password = models.TextField(blank=True)
    imap_enabled = models.BooleanField(default=False)
    imap_host = models.CharField(max_length=255, blank=True)
    imap_port = models.PositiveIntegerField(default=993)
    imap_security = models.CharField(max_length=10, choices=Security.choices, default=Security.SSL)
    imap_user = models.CharField(max_length=255, blank=True)
    imap_password = models.TextField(blank=True)
    imap_folder = models.CharField(max_length=255, default="INBOX")
    # What polling has taken: UIDs up to imap_last_uid of this UIDVALIDITY are in the desk.
    imap_uidvalidity = models.BigIntegerField(null=True, blank=True)
    imap_last_uid = models.BigIntegerField(default=0)
    imap_lease_until = models.DateTimeField(null=True, blank=True)
    imap_checked_at = models.DateTimeField(null=True, blank=True)
    imap_error = models.CharField(max_length=500, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", Lower("address"), name="mailbox_address_unique")
        ]
        indexes = [models.Index(fields=["org", "id"], name="mailbox_org")]

    def __str__(self):
        return self.address

    @property
    def domain(self):
        return self.address.rpartition("@")[2].lower()


class MailMessage(models.Model):
    """One email that entered or left the desk, tied to its desk message."""

    class Direction(models.TextChoices):
        IN = "in"
        OUT = "out"

    class Status(models.TextChoices):
        RECEIVED = "received"
        QUEUED = "queued"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, null=True, on_delete=models.SET_NULL, related_name="+")
    desk_message = models.ForeignKey(
        "conversations.Message", on_delete=models.CASCADE, related_name="+"
    )
    conversation_id = models.BigIntegerField()
    direction = models.CharField(max_length=3, choices=Direction.choices)
    # Without the angle brackets.
    message_id = models.CharField(max_length=255)
    in_reply_to = models.CharField(max_length=255, blank=True)
    references = models.TextField(blank=True)
    subject = models.CharField(max_length=255, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    to = models.JSONField(default=list, blank=True)
    cc = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    claim = models.CharField(max_length=32, blank=True)
    error = models.CharField(max_length=500, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "message_id"], name="mail_message_id"),
            models.Index(fields=["org", "conversation_id", "-id"], name="mail_conversation"),
            models.Index(fields=["desk_message"], name="mail_desk_message"),
            models.Index(fields=["status", "next_attempt_at"], name="mail_outbox"),
        ]

    def __str__(self):
        return self.message_id


class Attachment(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    # None while pending: uploaded (or being uploaded) and not yet sent with a message. A
    # pending attachment left so longer than ATTACHMENT_ORPHAN_MINUTES is swept away.
    message = models.ForeignKey(
        "conversations.Message", null=True, on_delete=models.CASCADE, related_name="+"
    )
    # Empty until the bytes are uploaded (an API client declares the file first).
    file = models.FileField(upload_to="attachments/%Y/%m/", max_length=255, blank=True)
    filename = models.CharField(max_length=255)
    # Sniffed from the bytes when we recognise them; else what the sender declared.
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    content_id = models.CharField(max_length=255, blank=True)
    inline = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "message", "id"], name="attachment_message"),
            models.Index(
                fields=["created_at"],
                name="attachment_pending",
                condition=models.Q(message__isnull=True),
            ),
        ]

    def __str__(self):
        return self.filename

    @property
    def uploaded(self):
        return bool(self.file.name)

    @property
    def is_image(self):
        return self.content_type in ("image/png", "image/jpeg", "image/gif", "image/webp")


class Received(models.Model):
    """What happened to each email that came in: threaded, opened a conversation, ignored (and
    why), a bounce, or failed. Shown on the mailbox's settings page."""

    class Outcome(models.TextChoices):
        THREADED = "threaded", "Added to a conversation"
        OPENED = "opened", "Opened a conversation"
        IGNORED = "ignored", "Ignored"
        BOUNCE = "bounce", "Delivery failure"
        FAILED = "failed", "Could not be read"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    mailbox = models.ForeignKey(Mailbox, null=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10)  # hook / imap
    message_id = models.CharField(max_length=255, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.CharField(max_length=500, blank=True)
    conversation_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "mailbox", "-id"], name="received_mailbox"),
            models.Index(fields=["org", "message_id"], name="received_message_id"),
        ]

    def __str__(self):
        return f"{self.outcome}: {self.subject}"


class MailClock(models.Model):
    """One row per schedule chain (polling); its token retires older links."""

    name = models.CharField(max_length=20, unique=True)
    token = models.CharField(max_length=32, blank=True)
    next_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return self.name
