"""The base every kdesk ModelAdmin and inline stands on.

- Tenancy: an org admin (role admin, staff) sees, picks and writes only rows of their own
  organization: querysets, foreign-key and many-to-many choices, list filters and the org of a
  new row all come from `request.user.org`. Superusers see every org.
- Access: the org admin role may use the admin without per-user model permissions (the role is
  the grant); other staff fall back to Django's model permissions, still scoped to their org.
- Writes: every save and delete goes through the app's service (`service_create`,
  `service_update`, `service_delete`), so the admin records the same events, bumps the same rev
  and runs the same validation as the API. A write a ModelAdmin has no service for is not
  offered (add, change or delete is refused for everyone, superusers included).
- Errors: a service's ValidationFailed/Conflict/NotFound rolls the whole request back and the
  form is shown again with every problem on it (under the field its JSON pointer names).
"""

import re

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import RelatedOnlyFieldListFilter
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.core.exceptions import FieldDoesNotExist
from django.db import router, transaction
from django.http import HttpResponseRedirect

from kdesk.errors import Conflict, ServiceError
from kdesk.models import Organization

_ERROR_ATTR = "_kdesk_admin_service_error"
_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


def is_platform_admin(user):
    return bool(user.is_active and user.is_superuser)


def is_org_admin(user):
    return bool(
        user.is_active
        and user.is_staff
        and getattr(user, "role", None) == "admin"
        and not getattr(user, "is_machine", False)
    )


def scope_to_org(queryset, org_id):
    """Only the rows of one organization (Organization itself: that one row)."""
    if queryset.model is Organization:
        return queryset.filter(pk=org_id)
    if not _has_org(queryset.model):
        return queryset
    return queryset.filter(org_id=org_id)


def _has_org(obj):
    try:
        obj._meta.get_field("org")
    except FieldDoesNotExist:
        return False
    return True


def copy_saved(saved, obj):
    """Make the admin's in-memory object the row the service wrote (pk, rev, timestamps)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False
    obj._state.db = saved._state.db
    return obj


def report(form, exc):
    """Put a service error on a form: `/externalId` lands on external_id, `/data/totalNum` on
    data; a pointer naming no field of the form (or none at all) becomes a form-wide error."""
    items = list(exc.errors or [])
    if not items:
        form.add_error(None, exc.detail)
        return
    if exc.detail != "; ".join(e.detail for e in items):
        form.add_error(None, exc.detail)  # a conflict's own explanation says more
    aliases = getattr(form, "pointer_fields", {})
    for e in items:
        first = (e.pointer or "").strip("/").split("/")[0]
        field = aliases.get(first) or _CAMEL.sub("_", first).lower()
        message = f"{e.pointer}: {e.detail}" if e.pointer else e.detail
        form.add_error(field if field and field in form.fields else None, message)


def _stale(exc):
    # check_rev's conflict is the only one that carries no field errors
    return isinstance(exc, Conflict) and not exc.errors


def _with_service_error(form_class, exc):
    class WithServiceError(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.is_bound and _stale(exc) and self.instance.pk and "loaded_rev" in self.fields:
                # The page now shows the current revision: saving again overwrites knowingly.
                self.data = self.data.copy()
                self.data["loaded_rev"] = str(self.instance.rev)

        def full_clean(self):
            super().full_clean()
            if self.is_bound:
                report(self, exc)

    WithServiceError.__name__ = form_class.__name__
    WithServiceError.__qualname__ = form_class.__qualname__
    return WithServiceError


class ServiceForm(forms.ModelForm):
    """A ModelForm the admin never saves itself: its data goes to a service.

    `loaded_rev` carries the revision the page was rendered with, so that an edit prepared
    against an older revision is refused (a Conflict on the form) instead of overwriting.
    `admin_org` is the org admin's organization (None for superusers), set by the ModelAdmin.
    """

    loaded_rev = forms.IntegerField(required=False, widget=forms.HiddenInput)
    admin_org = None
    admin_user = None
    pointer_fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and hasattr(self.instance, "rev"):
            self.fields["loaded_rev"].initial = self.instance.rev
        if not self.instance.pk and self.admin_org is not None and _has_org(self.instance):
            self.instance.org = self.admin_org

    def parent_org(self):
        """The org implied by a parent the form picks (a KObject's Klass …), if any."""
        return None

    def org(self):
        if self.instance.pk:
            return self.instance.org
        if self.admin_org is not None:
            return self.admin_org
        cleaned = getattr(self, "cleaned_data", {})
        return self.parent_org() or cleaned.get("org")

    def clean(self):
        cleaned = super().clean()
        org = self.org()
        if org is not None:
            for name, value in cleaned.items():
                value_org = getattr(value, "org_id", None)
                if value is not None and value_org is not None and value_org != org.pk:
                    self.add_error(name, "This belongs to another organization.")
        return cleaned

    def rev(self):
        return getattr(self, "cleaned_data", {}).get("loaded_rev")


class _OrgAccess:
    """Permissions and choices shared by ModelAdmins and inlines."""

    org_lookup = "org"  # the attribute holding the row's organization ("pk": Organization)

    def is_platform(self, request):
        return is_platform_admin(request.user)

    def is_org_admin(self, request):
        return is_org_admin(request.user)

    def org_id_of(self, obj):
        if self.org_lookup == "pk":
            return obj.pk
        return getattr(obj, f"{self.org_lookup}_id")

    def in_scope(self, request, obj):
        if obj is None or self.is_platform(request):
            return True
        return self.org_id_of(obj) == request.user.org_id

    def scoped(self, request, queryset):
        if self.is_platform(request):
            return queryset
        return scope_to_org(queryset, request.user.org_id)

    def _choices(self, db_field, request, kwargs):
        if "queryset" not in kwargs and not self.is_platform(request):
            queryset = self.get_field_queryset(None, db_field, request)
            if queryset is None:
                queryset = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = self.scoped(request, queryset)
        return kwargs

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kwargs = self._choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        kwargs = self._choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def has_view_permission(self, request, obj=None):
        if not self.in_scope(request, obj):
            return False
        return self.is_org_admin(request) or super().has_view_permission(request, obj)


class OrgScopedMixin(_OrgAccess):
    """Mix into a ModelAdmin (first base). Subclasses write through services:

    service_create(request, form) -> saved row
    service_update(request, obj, form) -> saved row
    service_delete(request, obj)

    Leave one undefined and that write is not offered.
    """

    def offers(self, action):
        return getattr(self, f"service_{action}", None) is not None

    # ---- access

    def has_module_permission(self, request):
        return self.is_org_admin(request) or super().has_module_permission(request)

    def has_add_permission(self, request):
        if not self.offers("create"):
            return False
        return self.is_org_admin(request) or super().has_add_permission(request)

    def has_change_permission(self, request, obj=None):
        if not self.offers("update") or not self.in_scope(request, obj):
            return False
        return self.is_org_admin(request) or super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if not self.offers("delete") or not self.in_scope(request, obj):
            return False
        return self.is_org_admin(request) or super().has_delete_permission(request, obj)

    # ---- tenancy

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if self.is_platform(request):
            return qs
        if self.org_lookup == "pk":
            return qs.filter(pk=request.user.org_id)
        return qs.filter(**{f"{self.org_lookup}_id": request.user.org_id})

    def _without_org(self, request, names):
        if self.is_platform(request):
            return list(names)
        return [n for n in names if n != "org"]

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or ())
        if not self.is_platform(request) and self.org_lookup == "org":
            exclude.append("org")
        return exclude

    readonly_on_change = ("org",)  # shown, not editable, once the row exists

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            fields += [f for f in self.readonly_on_change if f not in fields]
        return self._without_org(request, fields)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None:
            return fields
        first = [f for f in self.readonly_on_change if f in fields]  # what the row *is*
        return [*first, *(f for f in fields if f not in first)]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        out = []
        for name, options in fieldsets:
            fields = self._without_org(request, options.get("fields", ()))
            if obj is None or not self.has_change_permission(request, obj):
                fields = [f for f in fields if f != "loaded_rev"]
            out.append((name, {**options, "fields": fields}))
        return out

    def get_list_display(self, request):
        return self._without_org(request, super().get_list_display(request))

    def get_list_filter(self, request):
        filters = super().get_list_filter(request)
        if self.is_platform(request):
            return filters
        out = []
        for item in filters:
            if isinstance(item, str):
                if item == "org":
                    continue
                try:
                    field = get_fields_from_path(self.model, item)[-1]
                except (FieldDoesNotExist, NotRelationField):
                    field = None
                if field is not None and field.is_relation:
                    item = (item, RelatedOnlyFieldListFilter)
            out.append(item)
        return out

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        exc = getattr(request, _ERROR_ATTR, None)
        if exc is not None:
            form = _with_service_error(form, exc)
        form.admin_org = None if self.is_platform(request) else request.user.org
        form.admin_user = request.user
        return form

    # ---- writes through services

    def save_model(self, request, obj, form, change):
        if change:
            saved = self.service_update(request, obj, form)
        else:
            saved = self.service_create(request, form)
        if saved is not None:
            copy_saved(saved, obj)

    def save_related(self, request, form, formsets, change):
        # No form.save_m2m(): the services write many-to-many values themselves.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # sorts new/changed/deleted rows; writes nothing
        self.service_save_inline(request, form.instance, formset)

    def service_save_inline(self, request, parent, formset):
        if formset.new_objects or formset.changed_objects or formset.deleted_objects:
            raise RuntimeError(f"{type(self).__name__} has no service for {formset.model}.")

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)

    def get_deleted_objects(self, objs, request):
        # The delete service decides what goes with a row; per-model delete rights on the
        # cascaded rows (many have no delete of their own here) must not block it.
        deleted, counts, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set(), protected

    # ---- service errors back on the page

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ServiceError as exc:
            if request.method != "POST" or hasattr(request, _ERROR_ATTR):
                raise
            # Everything the failed save wrote was rolled back with changeform_view's
            # transaction; render the same POST again, this time with the errors on it.
            setattr(request, _ERROR_ATTR, exc)
            return super().changeform_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ServiceError as exc:
            self.message_user(request, f"Nothing was deleted: {exc.detail}", messages.ERROR)
            return HttpResponseRedirect(request.path)

    def changelist_view(self, request, extra_context=None):
        if request.method != "POST":
            return super().changelist_view(request, extra_context)
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):
                return super().changelist_view(request, extra_context)
        except ServiceError as exc:
            self.message_user(request, f"Nothing was changed: {exc.detail}", messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


class OrgAdmin(OrgScopedMixin, admin.ModelAdmin):
    form = ServiceForm


class OrgInlineMixin(_OrgAccess):
    """Inlines are read-only unless the parent admin saves them through a service
    (`service_save_inline`) and the inline sets `allow_add`."""

    allow_add = False

    def has_add_permission(self, request, obj=None):
        if not self.allow_add:
            return False
        return self.is_org_admin(request) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class OrgTabularInline(OrgInlineMixin, admin.TabularInline):
    pass
