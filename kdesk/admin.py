from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from kdesk.models import ApiKey, Event, Organization, Team, User


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "display_name", "username", "org", "role", "is_active", "is_machine")
    list_filter = ("org", "role", "is_active", "is_machine")
    search_fields = ("email", "display_name", "username")
    fieldsets = (
        (None, {"fields": ("org", "email", "password")}),
        ("Profile", {"fields": ("display_name", "username", "role", "time_zone")}),
        ("Access", {"fields": ("is_active", "is_staff", "is_superuser", "is_machine")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "fields": (
                    "org",
                    "email",
                    "display_name",
                    "username",
                    "role",
                    "password1",
                    "password2",
                )
            },
        ),
    )
    filter_horizontal = ()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "org")
    list_filter = ("org",)
    filter_horizontal = ("members",)


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "prefix",
        "org",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    )
    list_filter = ("org",)
    readonly_fields = ("prefix", "token_hash", "last_used_at", "created_at", "user")


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ("id", "type", "resource_id", "customer_id", "org", "created_at")
    list_filter = ("org", "resource")
    search_fields = ("type", "resource_id")
    readonly_fields = [f.name for f in Event._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
