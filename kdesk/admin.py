"""Django admin for organizations, people, teams, API keys and the event log.

Org admins see their own organization only (kdesk/admin_base.py). Writes go through
kdesk.services; what has no service (renaming an org, editing a team, deleting people) is
read-only, and the event log is append-only for everyone."""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse

from kdesk import services
from kdesk.admin_base import OrgAdmin, OrgScopedMixin, ServiceForm
from kdesk.models import ApiKey, Event, Organization, Team, User


class OrganizationForm(ServiceForm):
    class Meta:
        model = Organization
        fields = ["name", "slug"]


@admin.register(Organization)
class OrganizationAdmin(OrgAdmin):
    form = OrganizationForm
    org_lookup = "pk"
    readonly_on_change = ()
    list_display = ("name", "slug", "created_at")
    search_fields = ("name", "slug")
    readonly_fields = ("created_at",)

    def has_add_permission(self, request):
        return self.is_platform(request) and super().has_add_permission(request)

    def service_create(self, request, form):
        org, _ = services.organization_get_or_create(
            slug=form.cleaned_data["slug"], name=form.cleaned_data["name"]
        )
        return org


class UserAddForm(AdminUserCreationForm):
    admin_org = None
    admin_user = None

    def clean_username(self):
        # Unique within an org, not across orgs: user_create_or_update checks it.
        return self.cleaned_data.get("username")

    def org(self):
        return self.admin_org or self.cleaned_data.get("org")


class UserEditForm(UserChangeForm):
    admin_org = None
    admin_user = None

    def org(self):
        return self.instance.org


@admin.register(User)
class UserAdmin(OrgScopedMixin, BaseUserAdmin):
    """People are written by user_create_or_update: role (and the staff flag it implies),
    names and the first password. The email is the key and cannot change here; activity,
    time zone and superuser status have no service and are read-only."""

    form = UserEditForm
    add_form = UserAddForm
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
                    "usable_password",
                    "password1",
                    "password2",
                )
            },
        ),
    )
    readonly_on_change = (
        "org",
        "email",
        "time_zone",
        "is_active",
        "is_staff",
        "is_superuser",
        "is_machine",
    )
    filter_horizontal = ()

    def has_change_permission(self, request, obj=None):
        if obj is not None and not self.is_platform(request):
            # a platform superuser or an API key's machine user is not an org admin's to edit
            if obj.is_superuser or obj.is_machine:
                return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request, id, form_url=""):
        """Django's own page would save the password itself; ours goes through the service
        (one user.update event with the actor), and refuses to disable password sign-in,
        which no service offers."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        user = self.get_object(request, unquote(id))
        if user is None or not self.has_change_permission(request, user):
            raise PermissionDenied
        form = self.change_password_form(user, request.POST)
        if not form.is_valid():
            return super().user_change_password(request, id, form_url)
        if not form.cleaned_data.get("set_usable_password", True):
            messages.error(request, "Password sign-in cannot be disabled here.")
            return HttpResponseRedirect(request.get_full_path())
        services.user_create_or_update(
            org=user.org,
            email=user.email,
            password=form.cleaned_data["password1"],
            role=user.role,
            actor=request.user,
        )
        if user.pk == request.user.pk:
            user.refresh_from_db()
            update_session_auth_hash(request, user)
        messages.success(request, "Password changed.")
        return HttpResponseRedirect(
            reverse(f"{self.admin_site.name}:kdesk_user_change", args=(user.pk,))
        )

    def service_create(self, request, form):
        d = form.cleaned_data
        usable = d.get("set_usable_password", True)
        user, _ = services.user_create_or_update(
            org=form.org(),
            email=d["email"],
            password=d.get("password1") if usable else None,
            role=d["role"],
            display_name=d.get("display_name") or None,
            username=d.get("username") or None,
            actor=request.user,
        )
        return user

    def service_update(self, request, obj, form):
        d = form.cleaned_data
        email = User.objects.values_list("email", flat=True).get(pk=obj.pk)
        user, _ = services.user_create_or_update(
            org=obj.org,
            email=email,
            role=d["role"],
            display_name=d.get("display_name") or None,
            username=d.get("username") or None,
            actor=request.user,
        )
        return user


class TeamForm(ServiceForm):
    class Meta:
        model = Team
        fields = ["org", "name", "slug", "members"]


@admin.register(Team)
class TeamAdmin(OrgAdmin):
    form = TeamForm
    list_display = ("name", "slug", "org")
    list_filter = ("org",)
    filter_horizontal = ("members",)
    readonly_fields = ("rev",)

    def _data(self, form):
        d = form.cleaned_data
        data = {"name": d["name"], "members": [m.pk for m in d.get("members") or []]}
        if d.get("slug"):
            data["slug"] = d["slug"]
        return data

    def service_create(self, request, form):
        return services.team_create(org=form.org(), actor=request.user, data=self._data(form))

    def service_update(self, request, obj, form):
        return services.team_update(
            org=obj.org, actor=request.user, team=obj, data=self._data(form), rev=form.rev()
        )

    def service_delete(self, request, obj):
        services.team_delete(org=obj.org, actor=request.user, team=obj)


@admin.register(ApiKey)
class ApiKeyAdmin(OrgAdmin):
    """Keys are created on /settings/api-keys/ (the token is shown once there); here they can
    be looked at and revoked."""

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
    exclude = ("token_hash",)
    actions = ["revoke"]

    @admin.action(description="Revoke the selected API keys", permissions=["revoke"])
    def revoke(self, request, queryset):
        keys = list(queryset.select_related("org"))
        for key in keys:
            services.api_key_revoke(org=key.org, key=key, actor=request.user)
        self.message_user(request, f"Revoked {len(keys)} API key(s).", messages.SUCCESS)

    def has_revoke_permission(self, request):
        return self.is_org_admin(request) or self.is_platform(request)


@admin.register(Event)
class EventAdmin(OrgAdmin):
    """The event log: read-only and append-only for everyone."""

    list_display = ("id", "type", "resource_id", "customer_id", "org", "created_at")
    list_filter = ("org", "resource")
    search_fields = ("type", "resource_id")
    list_select_related = ("org",)
