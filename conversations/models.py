from django.conf import settings
from django.db import models
from django.utils import timezone

from kdesk.models import Organization, Team

CHANNELS = ("email", "sms", "chat", "voice", "social", "form", "whatsapp", "api")


class Tag(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    color = models.CharField(max_length=7, default="#6b7280")
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="tag_name_unique")]
        ordering = ["name"]

    def __str__(self):
        return self.name


class Conversation(models.Model):
    class Status(models.TextChoices):
        OPEN = "open"
        SNOOZED = "snoozed"
        DONE = "done"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="conversations"
    )
    name = models.CharField(max_length=255, blank=True, help_text="The subject line.")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    snooze_until = models.DateTimeField(null=True, blank=True)
    priority = models.PositiveSmallIntegerField(default=3)
    channels = models.JSONField(default=list, blank=True, help_text="Derived from its messages.")
    assigned_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_conversations",
    )
    assigned_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="conversations"
    )
    tags = models.JSONField(default=list, blank=True)
    custom = models.JSONField(default=dict, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    first_message_at = models.DateTimeField(null=True, blank=True)
    last_message_at = models.DateTimeField(null=True, blank=True)
    # Last message time, or the creation time before the first message: the inbox keyset.
    last_activity_at = models.DateTimeField(default=timezone.now)
    last_message_preview = models.CharField(max_length=200, blank=True)
    message_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(
                fields=["org", "status", "-last_activity_at", "-id"], name="conv_inbox_status"
            ),
            models.Index(
                fields=["org", "assigned_user", "status", "-last_activity_at"],
                name="conv_inbox_user",
            ),
            models.Index(
                fields=["org", "assigned_team", "status", "-last_activity_at"],
                name="conv_inbox_team",
            ),
            models.Index(fields=["org", "customer", "-last_activity_at"], name="conv_customer"),
            models.Index(fields=["org", "updated_at", "id"], name="conv_updated"),
            # The scheduler's scan for snoozes that ended, across orgs: only snoozed rows.
            models.Index(
                fields=["snooze_until"],
                name="conv_snooze_due",
                condition=models.Q(status="snoozed"),
            ),
        ]

    def __str__(self):
        return self.name or f"Conversation {self.pk}"


class Message(models.Model):
    class Direction(models.TextChoices):
        IN = "in"
        OUT = "out"

    class Status(models.TextChoices):
        RECEIVED = "received"
        SENT = "sent"
        DELIVERED = "delivered"
        READ = "read"
        FAILED = "failed"
        # waiting for the task worker to send it (the email channel)
        QUEUED = "queued"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    direction = models.CharField(max_length=3, choices=Direction.choices)
    channel = models.CharField(max_length=20)
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    preview = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    sent_at = models.DateTimeField(default=timezone.now)
    # Delivery state; blank on rows written before it existed (read as received/sent).
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    status_detail = models.CharField(max_length=500, blank=True, help_text="Why it failed.")
    custom = models.JSONField(default=dict, blank=True)
    # Email addresses copied on the message (the email channel sends them as Cc).
    cc = models.JSONField(default=list, blank=True)
    # [{id, name, contentType, size}] of the files sent with it: read with the message, so a
    # page of messages needs no query per message (the files themselves are the email
    # channel's).
    attachments = models.JSONField(default=list, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "conversation", "sent_at"], name="message_conversation"),
            models.Index(fields=["org", "customer", "id"], name="message_customer"),
            models.Index(fields=["org", "updated_at", "id"], name="message_updated"),
        ]

    def __str__(self):
        return self.preview or f"Message {self.pk}"


class Note(models.Model):
    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    customer = models.ForeignKey("customers.Customer", on_delete=models.CASCADE, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField()
    # Ids, in mention order; the event snapshot also carries usernames and slugs.
    mentioned_user_ids = models.JSONField(default=list, blank=True)
    mentioned_team_ids = models.JSONField(default=list, blank=True)
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "conversation", "id"], name="note_conversation"),
            models.Index(fields=["org", "customer", "id"], name="note_customer"),
        ]

    def __str__(self):
        return self.body[:60]


class Notification(models.Model):
    class Kind(models.TextChoices):
        MENTION = "mention"
        ASSIGNMENT = "assignment"
        INTEGRATION = "integration"  # e.g. a webhook turned off after failing
        SNOOZE = "snooze"  # a snoozed conversation woke up

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    note = models.ForeignKey(
        Note, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    conversation = models.ForeignKey(
        Conversation, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    customer_id = models.BigIntegerField(null=True, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=500)
    read_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["org", "user", "read_at", "-id"], name="notification_inbox"),
        ]

    def __str__(self):
        return self.text


class Shortcut(models.Model):
    class Visibility(models.TextChoices):
        PRIVATE = "private"
        SHARED = "shared"

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    # The plain text the desk composes from (one line per block of `rich_text`).
    payload = models.TextField()
    # Kustomer's `payload.text`: {blocks: [...], entityMap: {}}, kept as the client sent it.
    rich_text = models.JSONField(default=dict, blank=True)
    draft_text = models.TextField(blank=True)
    # Kustomer's `conversation` defaults: {tags: {operator, value}, name: {operator, value}}.
    conversation_defaults = models.JSONField(default=dict, blank=True)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.SHARED
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortcuts"
    )
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rev = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["org", "owner", "name"], name="shortcut_name_unique")
        ]
        indexes = [models.Index(fields=["org", "visibility", "name"], name="shortcut_visible")]
        ordering = ["name"]

    def __str__(self):
        return self.name
