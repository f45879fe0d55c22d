"""Django admin for companies, customers and their identities. Every save goes through the
services (same validation as the API, one event per write); identities are read-only here
because the services keep them in sync with emails, phones and socials."""

from django.contrib import admin, messages
from django.db import transaction

from customers import services
from customers.models import Company, Customer, Identity
from kdesk.admin_base import OrgAdmin, OrgTabularInline, ServiceForm, report
from kdesk.errors import ServiceError


class _ServiceForm(ServiceForm):
    """Runs the service's validation (in a rolled-back transaction) as the form's clean."""

    check = None  # services.<resource>_check

    def payload(self):
        raise NotImplementedError

    def clean(self):
        cleaned = super().clean()
        if self.errors or self.org() is None:
            return cleaned
        try:
            with transaction.atomic():
                type(self).check(
                    org=self.org(),
                    data=self.payload(),
                    instance=self.instance if self.instance.pk else None,
                )
                transaction.set_rollback(True)
        except ServiceError as exc:
            report(self, exc)
        return cleaned


class CustomerForm(_ServiceForm):
    check = staticmethod(services.customer_check)

    class Meta:
        model = Customer
        fields = [
            "org",
            "name",
            "company",
            "external_id",
            "emails",
            "phones",
            "socials",
            "urls",
            "locations",
            "tags",
            "locale",
            "time_zone",
            "custom",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and "company" in self.fields:
            self.fields["company"].queryset = Company.objects.filter(org=self.instance.org)

    def payload(self):
        d = self.cleaned_data
        return {
            "name": d.get("name") or "",
            "externalId": d.get("external_id") or None,
            "emails": d.get("emails") or [],
            "phones": d.get("phones") or [],
            "socials": d.get("socials") or [],
            "urls": d.get("urls") or [],
            "locations": d.get("locations") or [],
            "tags": d.get("tags") or [],
            "locale": d.get("locale") or None,
            "timeZone": d.get("time_zone") or None,
            "company": d["company"].pk if d.get("company") else None,
            "custom": d.get("custom") or {},
        }


class CompanyForm(_ServiceForm):
    check = staticmethod(services.company_check)

    class Meta:
        model = Company
        fields = ["org", "name", "external_id", "domains", "tags", "custom"]

    def payload(self):
        d = self.cleaned_data
        return {
            "name": d.get("name") or "",
            "externalId": d.get("external_id") or None,
            "domains": d.get("domains") or [],
            "tags": d.get("tags") or [],
            "custom": d.get("custom") or {},
        }


class IdentityInline(OrgTabularInline):
    model = Identity
    fields = ("kind", "value")
    readonly_fields = ("kind", "value")
    extra = 0


class _ServiceAdmin(OrgAdmin):
    create = update = delete = None  # services functions
    resource = ""
    readonly_fields = ("rev", "created_at", "updated_at")

    def service_create(self, request, form):
        return type(self).create(org=form.org(), actor=request.user, data=form.payload())

    def service_update(self, request, obj, form):
        return type(self).update(
            org=obj.org,
            actor=request.user,
            data=form.payload(),
            rev=form.rev(),
            partial=False,
            **{self.resource: obj},
        )

    def service_delete(self, request, obj):
        type(self).delete(org=obj.org, actor=request.user, **{self.resource: obj})

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset.select_related("org"))


@admin.register(Company)
class CompanyAdmin(_ServiceAdmin):
    form = CompanyForm
    create = staticmethod(services.company_create)
    update = staticmethod(services.company_update)
    delete = staticmethod(services.company_delete)
    resource = "company"
    list_display = ("name", "org", "external_id", "updated_at")
    ordering = ("name", "pk")
    list_filter = ("org",)
    search_fields = ("name", "external_id")


@admin.register(Customer)
class CustomerAdmin(_ServiceAdmin):
    form = CustomerForm
    create = staticmethod(services.customer_create)
    update = staticmethod(services.customer_update)
    delete = staticmethod(services.customer_delete)
    resource = "customer"
    list_display = ("__str__", "org", "company", "external_id", "updated_at")
    list_filter = ("org", "company")
    list_select_related = ("org", "company")
    search_fields = ("name", "external_id", "identities__value")
    autocomplete_fields = ("company",)
    inlines = [IdentityInline]
    actions = ["merge_two"]

    readonly_fields = (*_ServiceAdmin.readonly_fields, "last_activity_at")

    @admin.action(description="Merge the two selected customers (the older one is kept)")
    def merge_two(self, request, queryset):
        pair = list(queryset.order_by("created_at", "pk"))
        if len(pair) != 2:
            self.message_user(
                request, "Select exactly two customers to merge.", level=messages.ERROR
            )
            return
        target, source = pair
        if target.org_id != source.org_id:
            self.message_user(
                request, "Customers of different organizations cannot be merged.", messages.ERROR
            )
            return
        try:
            services.customer_merge(
                org=target.org, actor=request.user, source=source, target=target
            )
        except ServiceError as exc:
            self.message_user(request, f"Merge failed: {exc.detail}", level=messages.ERROR)
            return
        self.message_user(
            request,
            f"Merged customer {source.pk} ({source}) into the older customer {target.pk} "
            f"({target}).",
            level=messages.SUCCESS,
        )


@admin.register(Identity)
class IdentityAdmin(OrgAdmin):
    """Read-only: the customer services keep identities in sync with emails, phones, socials."""

    list_display = ("kind", "value", "customer", "org")
    list_filter = ("kind", "org")
    list_select_related = ("customer", "org")
    search_fields = ("value",)
    readonly_fields = ("org", "customer", "kind", "value")
