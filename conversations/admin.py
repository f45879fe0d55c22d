"""Django admin for conversations, messages, notes, notifications, tags and shortcuts.

Every write goes through conversations.services (events, rev, mentions and their
notifications); what has no service here (editing or deleting messages and notes,
notifications) is read-only. Org scoping: kdesk/admin_base.py."""

from django import forms
from django.contrib import admin

from kdesk.admin_base import OrgAdmin, OrgTabularInline, ServiceForm

from . import services
from .models import CHANNELS, Conversation, Message, Note, Notification, Shortcut, Tag


def _pk(value):
    return value.pk if value is not None else None


def _iso(value):
    return value.isoformat() if value is not None else None


class MessageInline(OrgTabularInline):
    model = Message
    extra = 0
    fields = ("direction", "channel", "preview", "author", "sent_at")
    readonly_fields = fields
    show_change_link = True


class NoteInline(OrgTabularInline):
    """New notes go through note_create (mentions parsed, notifications recorded); existing
    notes are read-only."""

    model = Note
    extra = 0
    allow_add = True
    fields = ("body", "author", "mentioned_user_ids", "mentioned_team_ids", "created_at")
    readonly_fields = ("author", "mentioned_user_ids", "mentioned_team_ids", "created_at")


class ConversationForm(ServiceForm):
    class Meta:
        model = Conversation
        fields = ["customer", "name", "status", "snooze_until", "priority"]
        fields += ["assigned_user", "assigned_team", "tags", "custom"]

    def parent_org(self):
        customer = self.cleaned_data.get("customer")
        return customer.org if customer is not None else None

    def payload(self):
        d = self.cleaned_data
        data = {
            "name": d.get("name") or "",
            "status": d.get("status") or Conversation.Status.OPEN,
            "snoozeUntil": _iso(d.get("snooze_until")),
            "priority": d.get("priority") or 3,
            "assignedUser": _pk(d.get("assigned_user")),
            "assignedTeam": _pk(d.get("assigned_team")),
            "tags": d.get("tags") or [],
            "custom": d.get("custom") or {},
        }
        if not self.instance.pk:
            data["customer"] = _pk(d.get("customer"))
        return data


@admin.register(Conversation)
class ConversationAdmin(OrgAdmin):
    form = ConversationForm
    list_display = (
        "id",
        "name",
        "customer",
        "status",
        "priority",
        "assigned_user",
        "assigned_team",
        "message_count",
        "last_activity_at",
        "org",
    )
    list_filter = ("org", "status", "priority")
    search_fields = ("name", "customer__name")
    raw_id_fields = ("customer", "assigned_user", "assigned_team")
    readonly_fields = (
        "channels",
        "first_message_at",
        "last_message_at",
        "last_activity_at",
        "last_message_preview",
        "message_count",
        "rev",
    )
    readonly_on_change = ("org", "customer")
    list_select_related = ("customer", "assigned_user", "assigned_team", "org")
    inlines = [MessageInline, NoteInline]

    def service_create(self, request, form):
        return services.conversation_create(org=form.org(), actor=request.user, data=form.payload())

    def service_update(self, request, obj, form):
        return services.conversation_update(
            org=obj.org,
            actor=request.user,
            conversation=obj,
            data=form.payload(),
            rev=form.rev(),
            partial=False,
        )

    def service_save_inline(self, request, parent, formset):
        if formset.model is Note and not formset.changed_objects and not formset.deleted_objects:
            formset.new_objects = [
                services.note_create(
                    org=parent.org, actor=request.user, conversation=parent, data={"body": n.body}
                )
                for n in formset.new_objects
            ]
            return
        super().service_save_inline(request, parent, formset)


class MessageForm(ServiceForm):
    channel = forms.ChoiceField(choices=[(c, c) for c in CHANNELS])

    class Meta:
        model = Message
        fields = ["conversation", "direction", "channel", "body", "body_html", "sent_at"]
        fields += ["custom"]

    pointer_fields = {"bodyHtml": "body_html", "sentAt": "sent_at"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "sent_at" in self.fields:
            self.fields["sent_at"].required = False  # the service uses now

    def parent_org(self):
        conversation = self.cleaned_data.get("conversation")
        return conversation.org if conversation is not None else None

    def payload(self):
        d = self.cleaned_data
        return {
            "direction": d.get("direction") or "",
            "channel": d.get("channel") or "",
            "body": d.get("body") or "",
            "bodyHtml": d.get("body_html") or "",
            "sentAt": _iso(d.get("sent_at")),
            "custom": d.get("custom") or {},
        }


@admin.register(Message)
class MessageAdmin(OrgAdmin):
    form = MessageForm
    list_display = ("id", "conversation", "direction", "channel", "preview", "sent_at", "org")
    list_filter = ("org", "direction", "channel")
    search_fields = ("body",)
    raw_id_fields = ("conversation",)
    readonly_fields = ("customer", "author", "preview", "rev", "created_at", "updated_at")

    def service_create(self, request, form):
        return services.message_create(
            org=form.org(),
            actor=request.user,
            conversation=form.cleaned_data["conversation"],
            data=form.payload(),
        )


class NoteForm(ServiceForm):
    class Meta:
        model = Note
        fields = ["conversation", "body"]

    def parent_org(self):
        conversation = self.cleaned_data.get("conversation")
        return conversation.org if conversation is not None else None


@admin.register(Note)
class NoteAdmin(OrgAdmin):
    form = NoteForm
    list_display = ("id", "conversation", "author", "created_at", "org")
    list_filter = ("org",)
    search_fields = ("body",)
    raw_id_fields = ("conversation",)
    readonly_fields = (
        "customer",
        "author",
        "mentioned_user_ids",
        "mentioned_team_ids",
        "rev",
        "created_at",
    )

    def service_create(self, request, form):
        d = form.cleaned_data
        return services.note_create(
            org=form.org(),
            actor=request.user,
            conversation=d["conversation"],
            data={"body": d.get("body") or ""},
        )


@admin.register(Notification)
class NotificationAdmin(OrgAdmin):
    """Read-only: notifications are recorded by the note and assignment services."""

    list_display = ("id", "user", "kind", "text", "read_at", "created_at", "org")
    list_filter = ("org", "kind")
    list_select_related = ("user", "org")


class TagForm(ServiceForm):
    class Meta:
        model = Tag
        fields = ["org", "name", "color"]

    def payload(self):
        d = self.cleaned_data
        return {"name": d.get("name") or "", "color": d.get("color") or "#6b7280"}


@admin.register(Tag)
class TagAdmin(OrgAdmin):
    form = TagForm
    list_display = ("name", "color", "org", "updated_at")
    list_filter = ("org",)
    search_fields = ("name",)
    readonly_fields = ("rev", "created_at", "updated_at")

    def service_create(self, request, form):
        return services.tag_create(org=form.org(), actor=request.user, data=form.payload())

    def service_update(self, request, obj, form):
        data = {**form.payload(), "rev": form.rev()}
        return services.tag_update(org=obj.org, actor=request.user, tag=obj, data=data)

    def service_delete(self, request, obj):
        services.tag_delete(org=obj.org, actor=request.user, tag=obj)


class ShortcutForm(ServiceForm):
    class Meta:
        model = Shortcut
        fields = ["name", "payload", "visibility"]

    def parent_org(self):
        return self.admin_user.org  # a new shortcut belongs to whoever writes it

    def payload_data(self):
        d = self.cleaned_data
        return {
            "name": d.get("name") or "",
            "payload": d.get("payload") or "",
            "visibility": d.get("visibility") or Shortcut.Visibility.SHARED,
        }


@admin.register(Shortcut)
class ShortcutAdmin(OrgAdmin):
    form = ShortcutForm
    list_display = ("name", "visibility", "owner", "org", "updated_at")
    list_filter = ("org", "visibility")
    search_fields = ("name", "payload")
    readonly_fields = ("owner", "rev", "created_at", "updated_at")

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.is_platform(request):
            return qs
        # someone else's private shortcut stays private, for admins too
        return qs.filter(visibility=Shortcut.Visibility.SHARED) | qs.filter(owner=request.user)

    def service_create(self, request, form):
        return services.shortcut_create(
            org=form.org(), actor=request.user, data=form.payload_data()
        )

    def service_update(self, request, obj, form):
        data = {**form.payload_data(), "rev": form.rev()}
        return services.shortcut_update(org=obj.org, actor=request.user, shortcut=obj, data=data)

    def service_delete(self, request, obj):
        services.shortcut_delete(org=obj.org, actor=request.user, shortcut=obj)
