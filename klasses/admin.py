"""The Klass admin: Klasses with their attribute definitions, KObjects validated by the engine."""

import json

from django import forms
from django.contrib import admin
from django.utils.html import format_html

from kdesk.errors import ValidationFailed
from klasses import attributes
from klasses.models import Klass, KObject, KView, Link, Metadata, Relationship, ValidationRule


class MetadataForm(forms.ModelForm):
    class Meta:
        model = Metadata
        fields = ["org", "resource", "properties"]

    def clean(self):
        from klasses.schema import normalize_definitions

        cleaned = super().clean()
        definitions, errors = normalize_definitions(cleaned.get("properties") or {})
        if errors:
            raise forms.ValidationError([f"{e.pointer}: {e.detail}" for e in errors])
        cleaned["properties"] = definitions
        return cleaned


@admin.register(Metadata)
class MetadataAdmin(admin.ModelAdmin):
    form = MetadataForm
    list_display = ("resource", "org", "attribute_count", "rev", "updated_at")
    list_filter = ("org",)

    @admin.display(description="attributes")
    def attribute_count(self, obj):
        return len(obj.properties)

    def save_model(self, request, obj, form, change):
        obj.rev = (obj.rev or 0) + 1 if change else 1
        super().save_model(request, obj, form, change)
        attributes.invalidate(obj.org, obj.resource)


@admin.register(Klass)
class KlassAdmin(admin.ModelAdmin):
    list_display = ("name", "display_name", "org", "status", "attribute_list", "rev")
    list_filter = ("org", "status")
    search_fields = ("name", "display_name")
    readonly_fields = ("definitions",)

    @admin.display(description="attributes")
    def attribute_list(self, obj):
        meta = Metadata.objects.filter(org=obj.org, resource=f"kobject.{obj.name}").first()
        return ", ".join(sorted(meta.properties)) if meta else "—"

    @admin.display(description="attribute definitions")
    def definitions(self, obj):
        meta = Metadata.objects.filter(org=obj.org, resource=f"kobject.{obj.name}").first()
        if meta is None:
            return "No attributes defined yet."
        rows = "".join(
            format_html(
                "<tr><td><code>{}</code></td><td>{}</td><td>{}</td><td>{}</td></tr>",
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
        )
        return format_html(
            "<table><tr><th>name</th><th>type</th><th>display name</th><th>rules</th></tr>{}"
            "</table><p><a href='../../metadata/{}/change/'>Edit definitions</a></p>",
            format_html(rows),
            meta.pk,
        )


class KObjectForm(forms.ModelForm):
    class Meta:
        model = KObject
        fields = [
            "org",
            "klass",
            "customer",
            "company",
            "external_id",
            "title",
            "description",
            "icon",
            "images",
            "data",
            "custom",
            "tags",
        ]

    def clean(self):
        cleaned = super().clean()
        org, klass = cleaned.get("org"), cleaned.get("klass")
        if org is None or klass is None:
            return cleaned
        if klass.org_id != org.id:
            self.add_error("klass", "This Klass belongs to another organization.")
        for key in ("data", "custom"):
            try:
                cleaned[key] = attributes.clean_custom(
                    org=org,
                    resource=f"kobject.{klass.name}",
                    values=cleaned.get(key) or {},
                    pointer=f"/{key}",
                    creating=key == "data" and not self.instance.pk,
                )
            except ValidationFailed as exc:
                self.add_error(key, [e.detail for e in exc.errors])
        return cleaned


@admin.register(KObject)
class KObjectAdmin(admin.ModelAdmin):
    form = KObjectForm
    list_display = ("title", "klass", "external_id", "customer", "updated_at", "rev")
    list_filter = ("org", "klass")
    search_fields = ("title", "external_id", "customer__name")
    raw_id_fields = ("customer", "company")
    readonly_fields = ("data_readable", "rev", "created_at", "updated_at")

    @admin.display(description="data (readable)")
    def data_readable(self, obj):
        return format_html("<pre>{}</pre>", json.dumps(obj.data, indent=2, ensure_ascii=False))

    def get_queryset(self, request):
        qs = super().get_queryset(request).select_related("klass", "customer")
        if customer := request.GET.get("customer"):
            qs = qs.filter(customer_id=customer)
        return qs


admin.site.register(Relationship)
admin.site.register(Link)


@admin.register(ValidationRule)
class ValidationRuleAdmin(admin.ModelAdmin):
    list_display = ("resource", "attribute", "when", "status", "active", "org")
    list_filter = ("org", "resource", "active")


@admin.register(KView)
class KViewAdmin(admin.ModelAdmin):
    list_display = ("name", "resource", "context", "kind", "active", "position", "org")
    list_filter = ("org", "context", "kind", "active")
