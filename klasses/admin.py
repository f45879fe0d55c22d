"""The Klass admin: Klasses with their attribute definitions, KObjects validated by the engine.

Every write goes through klasses.services (events, rev, the engine, cardinality); see
kdesk/admin_base.py for the org scoping every ModelAdmin here shares."""

import json

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from kdesk.admin_base import OrgAdmin, ServiceForm
from kdesk.payload import as_id
from klasses import services
from klasses.models import Klass, KObject, KView, Link, Metadata, Relationship, ValidationRule


def _blank_none(value):
    return value if value not in ("", None) else None


# ---- metadata (attribute definitions) ----------------------------------------------------------


class MetadataForm(ServiceForm):
    force = forms.BooleanField(
        required=False,
        help_text="Apply even if existing rows would violate the definitions; those rows are "
        "left as they are and reported.",
    )

    class Meta:
        model = Metadata
        fields = ["org", "resource", "properties"]

    def clean(self):
        cleaned = super().clean()
        org, resource = self.org(), cleaned.get("resource")
        if (
            not self.instance.pk
            and org is not None
            and resource
            and Metadata.objects.filter(org=org, resource=resource).exists()
        ):
            self.add_error("resource", "This resource has definitions already: edit them.")
        return cleaned


@admin.register(Metadata)
class MetadataAdmin(OrgAdmin):
    form = MetadataForm
    list_display = ("resource", "org", "attribute_count", "rev", "updated_at")
    list_filter = ("org",)

    @admin.display(description="attributes")
    def attribute_count(self, obj):
        return len(obj.properties)

    readonly_fields = ("rev", "updated_at")
    readonly_on_change = ("org", "resource")

    def get_changeform_initial_data(self, request):
        return {"resource": request.GET.get("resource", ""), "properties": {}}

    def _update(self, request, form, resource, data):
        meta, broken = services.metadata_update(
            org=form.org(),
            actor=request.user,
            resource=resource,
            data=data,
            force=form.cleaned_data.get("force", False),
            replace=True,
        )
        if broken:
            self.message_user(
                request,
                f"Applied; {len(broken)} existing row(s) violate the new definitions and were "
                f"left as they are (ids {', '.join(map(str, broken[:20]))}).",
                messages.WARNING,
            )
        return meta

    def service_create(self, request, form):
        d = form.cleaned_data
        return self._update(request, form, d["resource"], {"properties": d["properties"] or {}})

    def service_update(self, request, obj, form):
        data = {"properties": form.cleaned_data["properties"] or {}, "rev": form.rev()}
        return self._update(request, form, obj.resource, data)


# ---- Klasses ----------------------------------------------------------------------------------


class KlassForm(ServiceForm):
    class Meta:
        model = Klass
        fields = ["org", "name", "display_name", "description", "icon", "color", "images"]
        fields += ["status"]

    def payload(self):
        d = self.cleaned_data
        data = {
            "displayName": _blank_none(d.get("display_name")),
            "description": d.get("description") or "",
            "icon": d.get("icon") or "",
            "color": d.get("color") or "",
            "images": d.get("images") or [],
            "status": d.get("status") or Klass.Status.ACTIVE,
        }
        if not self.instance.pk:
            data["name"] = d.get("name")
        return data


@admin.register(Klass)
class KlassAdmin(OrgAdmin):
    form = KlassForm
    list_display = ("name", "display_name", "org", "status", "attribute_list", "rev")
    list_filter = ("org", "status")
    search_fields = ("name", "display_name")

    readonly_fields = ("definitions", "rev", "created_at", "updated_at")
    readonly_on_change = ("org", "name")

    def _meta(self, obj):
        return Metadata.objects.filter(org_id=obj.org_id, resource=f"kobject.{obj.name}").first()

    @admin.display(description="attributes")
    def attribute_list(self, obj):
        meta = self._meta(obj)
        return ", ".join(sorted(meta.properties)) if meta else "—"

    @admin.display(description="attribute definitions")
    def definitions(self, obj):
        if obj.pk is None:
            return "Define attributes once the Klass exists."
        meta = self._meta(obj)
        if meta is None:
            url = reverse("admin:klasses_metadata_add") + f"?resource=kobject.{obj.name}"
            return format_html("No attributes defined yet. <a href='{}'>Define them</a>", url)
        rows = format_html_join(
            "",
            "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    name,
                    d.get("type"),
                    d.get("displayName"),
                    ", ".join(
                        f"{k}={v}"
                        for k, v in d.items()
                        if k in ("enum", "min", "max", "required", "multi", "array") and v
                    ),
                )
                for name, d in sorted(meta.properties.items())
            ),
        )
        return format_html(
            "<table><tr><th>name</th><th>type</th><th>display name</th><th>rules</th></tr>{}"
            "</table><p><a href='{}'>Edit definitions</a></p>",
            rows,
            reverse("admin:klasses_metadata_change", args=[meta.pk]),
        )

    def service_create(self, request, form):
        return services.klass_create(org=form.org(), actor=request.user, data=form.payload())

    def service_update(self, request, obj, form):
        return services.klass_update(
            org=obj.org, actor=request.user, klass=obj, data=form.payload(), rev=form.rev()
        )


# ---- KObjects ---------------------------------------------------------------------------------


class KObjectForm(ServiceForm):
    """Saved by kobject_create/kobject_update: the engine validates data and custom, errors come
    back under their field with the JSON pointer (`/data/totalNum: …`)."""

    class Meta:
        model = KObject
        fields = ["klass", "customer", "company", "external_id", "title", "description"]
        fields += ["icon", "images", "data", "custom", "tags"]

    def parent_org(self):
        klass = self.cleaned_data.get("klass")
        return klass.org if klass is not None else None

    def payload(self):
        d = self.cleaned_data
        return {
            "title": d.get("title") or "",
            "externalId": _blank_none(d.get("external_id")),
            "description": d.get("description") or "",
            "icon": d.get("icon") or "",
            "images": d.get("images") or [],
            "tags": d.get("tags") or [],
            "customer": d["customer"].pk if d.get("customer") else None,
            "company": d["company"].pk if d.get("company") else None,
            "data": d.get("data") or {},
            "custom": d.get("custom") or {},
        }


@admin.register(KObject)
class KObjectAdmin(OrgAdmin):
    form = KObjectForm
    list_display = ("title", "klass", "external_id", "customer", "updated_at", "rev")
    list_filter = ("org", "klass")
    search_fields = ("title", "external_id", "customer__name")
    raw_id_fields = ("customer", "company")

    readonly_fields = ("data_readable", "rev", "created_at", "updated_at")
    readonly_on_change = ("org", "klass")

    @admin.display(description="data (readable)")
    def data_readable(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("klass", "customer")
        if customer := as_id(request.GET.get("customer")):
            qs = qs.filter(customer_id=customer)
        return qs

    def service_create(self, request, form):
        klass = form.cleaned_data["klass"]
        return services.kobject_create(
            org=form.org(), actor=request.user, klass=klass, data=form.payload()
        )

    def service_update(self, request, obj, form):
        return services.kobject_update(
            org=obj.org,
            actor=request.user,
            klass=obj.klass,
            kobject=obj,
            data=form.payload(),
            rev=form.rev(),
            partial=False,
        )

    def service_delete(self, request, obj):
        services.kobject_delete(org=obj.org, actor=request.user, klass=obj.klass, kobject=obj)


# ---- relationships and links (created through the services; no update or delete service) ----


class RelationshipForm(ServiceForm):
    pointer_fields = {"from": "from_resource", "to": "to_resource", "through": "through_klass"}

    class Meta:
        model = Relationship
        fields = ["org", "name", "from_resource", "to_resource", "cardinality", "through_klass"]

    def payload(self):
        d = self.cleaned_data
        through = d.get("through_klass")
        return {
            "name": d.get("name") or "",
            "from": d.get("from_resource") or "",
            "to": d.get("to_resource") or "",
            "cardinality": d.get("cardinality") or "",
            "through": through.name if through is not None else None,
        }


@admin.register(Relationship)
class RelationshipAdmin(OrgAdmin):
    form = RelationshipForm
    list_display = ("name", "from_resource", "cardinality", "to_resource", "org")
    list_filter = ("org", "cardinality")
    search_fields = ("name",)

    def service_create(self, request, form):
        return services.relationship_create(org=form.org(), actor=request.user, data=form.payload())


class LinkForm(ServiceForm):
    pointer_fields = {"from": "from_id", "to": "to_id", "through": "through"}

    class Meta:
        model = Link
        fields = ["relationship", "from_id", "to_id", "through"]

    def parent_org(self):
        relationship = self.cleaned_data.get("relationship")
        return relationship.org if relationship is not None else None

    def _id(self, name):
        value = self.cleaned_data.get(name)
        if as_id(value) is None:
            raise forms.ValidationError("An id is a positive whole number.")
        return str(as_id(value))

    def clean_from_id(self):
        return self._id("from_id")

    def clean_to_id(self):
        return self._id("to_id")


@admin.register(Link)
class LinkAdmin(OrgAdmin):
    form = LinkForm
    list_display = ("relationship", "from_id", "to_id", "through", "org", "created_at")
    list_filter = ("org", "relationship")
    list_select_related = ("relationship", "through")
    search_fields = ("from_id", "to_id")
    raw_id_fields = ("through",)

    def service_create(self, request, form):
        d = form.cleaned_data
        return services.link_create(
            org=form.org(),
            actor=request.user,
            relationship=d["relationship"],
            from_id=d["from_id"],
            to_id=d["to_id"],
            through=d.get("through"),
        )


# ---- validation rules (create only) and KViews ------------------------------------------------


class ValidationRuleForm(ServiceForm):
    class Meta:
        model = ValidationRule
        fields = ["org", "resource", "attribute", "when", "status", "message"]


@admin.register(ValidationRule)
class ValidationRuleAdmin(OrgAdmin):
    form = ValidationRuleForm
    list_display = ("resource", "attribute", "when", "status", "active", "org")
    list_filter = ("org", "resource", "active")

    def service_create(self, request, form):
        d = form.cleaned_data
        return services.rule_create(
            org=form.org(),
            actor=request.user,
            resource=d["resource"],
            attribute=d["attribute"],
            when=d["when"],
            status=d.get("status") or "",
            message=d.get("message") or "",
        )


class KViewForm(ServiceForm):
    class Meta:
        model = KView
        fields = ["org", "name", "resource", "context", "kind", "template", "url_template"]
        fields += ["position", "active"]

    def payload(self):
        d = self.cleaned_data
        return {
            "name": d.get("name") or "",
            "resource": d.get("resource") or "",
            "context": d.get("context") or "",
            "kind": d.get("kind") or KView.Kind.TEMPLATE,
            "template": d.get("template") or "",
            "urlTemplate": d.get("url_template") or "",
            "position": d.get("position") or 0,
            "active": bool(d.get("active")),
        }


@admin.register(KView)
class KViewAdmin(OrgAdmin):
    form = KViewForm
    list_display = ("name", "resource", "context", "kind", "active", "position", "org")
    list_filter = ("org", "context", "kind", "active")

    readonly_fields = ("rev", "created_at", "updated_at")

    def service_create(self, request, form):
        return services.kview_create(org=form.org(), actor=request.user, data=form.payload())

    def service_update(self, request, obj, form):
        return services.kview_update(
            org=obj.org, actor=request.user, kview=obj, data=form.payload(), rev=form.rev()
        )

    def service_delete(self, request, obj):
        services.kview_delete(org=obj.org, actor=request.user, kview=obj)
