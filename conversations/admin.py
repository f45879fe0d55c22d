from django.contrib import admin

from .models import Conversation, Message, Note, Notification, Shortcut, Tag


class MessageInline(admin.TabularInline):
    model = Message
    extra = 0
    fields = ("direction", "channel", "preview", "author", "sent_at")
    readonly_fields = ("preview", "author", "sent_at")
    show_change_link = True


class NoteInline(admin.TabularInline):
    model = Note
    extra = 0
    fields = ("author", "body", "mentioned_user_ids", "mentioned_team_ids", "created_at")
    readonly_fields = ("author", "mentioned_user_ids", "mentioned_team_ids", "created_at")


@admin.register(Conversation)
class ConversationAdmin(admin.ModelAdmin):
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
    list_select_related = ("customer", "assigned_user", "assigned_team", "org")
    inlines = [MessageInline, NoteInline]


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "conversation", "direction", "channel", "preview", "sent_at", "org")
    list_filter = ("org", "direction", "channel")
    search_fields = ("body",)
    raw_id_fields = ("conversation", "customer", "author")


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ("id", "conversation", "author", "created_at", "org")
    list_filter = ("org",)
    search_fields = ("body",)
    raw_id_fields = ("conversation", "customer", "author")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "kind", "text", "read_at", "created_at", "org")
    list_filter = ("org", "kind")
    raw_id_fields = ("user", "note", "conversation", "actor")


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "color", "org", "updated_at")
    list_filter = ("org",)
    search_fields = ("name",)


@admin.register(Shortcut)
class ShortcutAdmin(admin.ModelAdmin):
    list_display = ("name", "visibility", "owner", "org", "updated_at")
    list_filter = ("org", "visibility")
    search_fields = ("name", "payload")
    raw_id_fields = ("owner",)
