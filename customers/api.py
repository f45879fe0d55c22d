"""`/v1/customers…` and `/v1/companies…`. Views call services and selectors only; reads are
`.values()` rows through the plain serializers of `customers.representations`.

The DRF serializers below only DOCUMENT the shapes for drf-spectacular: validation is the
services' (one ValidationFailed with every pointer), responses are built by representations.
"""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from customers import selectors, services
from customers.representations import (
    companies_resources,
    company_resource,
    customer_resource,
    customers_resources,
)
from kdesk.api.openapi import ERRORS
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param, with_rev
from kdesk.api.permissions import require, require_upsert
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed

# ---- schema documentation -------------------------------------------------------------------


class CustomerEmailSerializer(serializers.Serializer):
    type = serializers.CharField(required=False, help_text="home, work, other…")
    email = serializers.EmailField()


class CustomerPhoneSerializer(serializers.Serializer):
    type = serializers.CharField(required=False, help_text="mobile, home, work, other…")
    phone = serializers.CharField(help_text="Any format; stored as E.164 (+14155550123).")


class CustomerSocialSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="twitter, facebook, instagram, linkedin…")
    userid = serializers.CharField(required=False)
    username = serializers.CharField(required=False)


class CustomerUrlSerializer(serializers.Serializer):
    type = serializers.CharField(required=False)
    url = serializers.URLField()


class CustomerLocationSerializer(serializers.Serializer):
    type = serializers.CharField(required=False)
    name = serializers.CharField(required=False)
    address = serializers.CharField(required=False)
    address2 = serializers.CharField(required=False)
    address3 = serializers.CharField(required=False)
    city = serializers.CharField(required=False)
    region = serializers.CharField(required=False)
    state = serializers.CharField(required=False)
    zip = serializers.CharField(required=False)
    postalCode = serializers.CharField(required=False)
    countryCode = serializers.CharField(required=False)
    countryName = serializers.CharField(required=False)
    latitude = serializers.FloatField(required=False)
    longitude = serializers.FloatField(required=False)


class CustomerInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False, max_length=255)
    externalId = serializers.CharField(required=False, max_length=255, allow_null=True)
    emails = CustomerEmailSerializer(many=True, required=False)
    phones = CustomerPhoneSerializer(many=True, required=False)
    socials = CustomerSocialSerializer(many=True, required=False)
    urls = CustomerUrlSerializer(many=True, required=False)
    locations = CustomerLocationSerializer(many=True, required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    locale = serializers.CharField(required=False, help_text="e.g. en-US")
    timeZone = serializers.CharField(required=False, help_text="IANA name, e.g. Europe/Paris")
    company = serializers.CharField(required=False, allow_null=True, help_text="Company id.")
    custom = serializers.DictField(required=False, help_text="Custom attributes by name.")
    rev = serializers.IntegerField(
        required=False, help_text="The rev this update was prepared against (409 when stale)."
    )


class CustomerAttributesSerializer(serializers.Serializer):
    name = serializers.CharField()
    externalId = serializers.CharField(allow_null=True)
    emails = CustomerEmailSerializer(many=True)
    phones = CustomerPhoneSerializer(many=True)
    socials = CustomerSocialSerializer(many=True)
    urls = CustomerUrlSerializer(many=True)
    locations = CustomerLocationSerializer(many=True)
    tags = serializers.ListField(child=serializers.CharField())
    locale = serializers.CharField(allow_null=True)
    timeZone = serializers.CharField(allow_null=True)
    custom = serializers.DictField()
    rev = serializers.IntegerField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()
    lastActivityAt = serializers.DateTimeField(allow_null=True)


class CustomerRefSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()


class CustomerLinkSerializer(serializers.Serializer):
    data = CustomerRefSerializer()


class CustomerRelationshipsSerializer(serializers.Serializer):
    company = CustomerLinkSerializer(required=False)


class CustomerSelfLinkSerializer(serializers.Serializer):
    self = serializers.CharField()


class CustomerResourceSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    attributes = CustomerAttributesSerializer()
    relationships = CustomerRelationshipsSerializer()
    links = CustomerSelfLinkSerializer()


class CustomerDocumentSerializer(serializers.Serializer):
    data = CustomerResourceSerializer()


class CustomerPageMetaSerializer(serializers.Serializer):
    page = serializers.IntegerField()
    pageSize = serializers.IntegerField()
    total = serializers.IntegerField()
    totalPages = serializers.IntegerField()


class CustomerPageLinksSerializer(serializers.Serializer):
    self = serializers.CharField()
    first = serializers.CharField()
    prev = serializers.CharField(allow_null=True)
    next = serializers.CharField(allow_null=True)


class CustomerPageSerializer(serializers.Serializer):
    meta = CustomerPageMetaSerializer()
    links = CustomerPageLinksSerializer()
    data = CustomerResourceSerializer(many=True)


class CustomerMergeInputSerializer(serializers.Serializer):
    source = serializers.CharField(help_text="Id of the customer that is merged and deleted.")
    target = serializers.CharField(help_text="Id of the customer that remains.")


class CompanyInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    externalId = serializers.CharField(required=False, max_length=255, allow_null=True)
    domains = serializers.ListField(child=serializers.CharField(), required=False)
    tags = serializers.ListField(child=serializers.CharField(), required=False)
    custom = serializers.DictField(required=False)
    rev = serializers.IntegerField(required=False)


class CompanyAttributesSerializer(serializers.Serializer):
    name = serializers.CharField()
    externalId = serializers.CharField(allow_null=True)
    domains = serializers.ListField(child=serializers.CharField())
    tags = serializers.ListField(child=serializers.CharField())
    custom = serializers.DictField()
    rev = serializers.IntegerField()
    createdAt = serializers.DateTimeField()
    updatedAt = serializers.DateTimeField()


class CompanyResourceSerializer(serializers.Serializer):
    type = serializers.CharField()
    id = serializers.CharField()
    attributes = CompanyAttributesSerializer()
    relationships = serializers.DictField()
    links = CustomerSelfLinkSerializer()


class CompanyDocumentSerializer(serializers.Serializer):
    data = CompanyResourceSerializer()


class CompanyPageSerializer(serializers.Serializer):
    meta = CustomerPageMetaSerializer()
    links = CustomerPageLinksSerializer()
    data = CompanyResourceSerializer(many=True)


PAGE = [
    OpenApiParameter("page", int, description="1-based page number."),
    OpenApiParameter("pageSize", int, description="Rows per page, at most 100."),
]
SORT = OpenApiParameter(
    "sort",
    str,
    enum=selectors.SORTS,
    description="Order; ties are broken by id. Default createdAt.",
)
UPDATED = [
    OpenApiParameter("updatedAfter", OpenApiTypes.DATETIME, description="updatedAt > this."),
    OpenApiParameter("updatedSince", OpenApiTypes.DATETIME, description="updatedAt ≥ this."),
]
REV = OpenApiParameter("rev", int, description="Refuse (409) unless this is the current rev.")


def _body(request):
    return request.data


# ---- customers ------------------------------------------------------------------------------


class CustomerListView(ApiView):
    scope_resource = "customer"

    @extend_schema(
        summary="List customers",
        parameters=[
            *PAGE,
            *UPDATED,
            OpenApiParameter("externalId", str),
            OpenApiParameter("email", str, description="Customers with this email."),
            OpenApiParameter("company", int, description="Customers of this company id."),
            SORT,
        ],
        responses={200: CustomerPageSerializer, 400: ERRORS},
    )
    def get(self, request):
        rows = selectors.customers_list(org=self.org, filters=request.query_params)
        return Response(paginate(request, rows, customers_resources))

    @extend_schema(
        summary="Create a customer",
        request=CustomerInputSerializer,
        responses={201: CustomerDocumentSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def post(self, request):
        customer = services.customer_create(org=self.org, actor=self.actor, data=_body(request))
        return Response({"data": customer_resource(customer)}, status=201)


class CustomerDetailView(ApiView):
    scope_resource = "customer"

    @extend_schema(
        summary="Get a customer", responses={200: CustomerDocumentSerializer, 404: ERRORS}
    )
    def get(self, request, pk):
        return Response({"data": customer_resource(selectors.customer_get(org=self.org, pk=pk))})

    def _update(self, request, pk, partial):
        customer = selectors.customer_get(org=self.org, pk=pk)
        customer = services.customer_update(
            org=self.org,
            actor=self.actor,
            customer=customer,
            data=_body(request),
            rev=rev_param(request),
            partial=partial,
        )
        return Response({"data": customer_resource(customer)})

    @extend_schema(
        summary="Update a customer (attributes left out are kept; null clears one)",
        parameters=[REV],
        request=CustomerInputSerializer,
        responses={200: CustomerDocumentSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def put(self, request, pk):
        # PUT and PATCH both change only what the body carries (API.md)
        return self._update(request, pk, partial=True)

    @extend_schema(
        summary="Update some attributes of a customer",
        parameters=[REV],
        request=CustomerInputSerializer,
        responses={200: CustomerDocumentSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(
        summary="Delete a customer",
        parameters=[REV],
        responses={204: None, 404: ERRORS, 409: ERRORS},
    )
    def delete(self, request, pk):
        customer = selectors.customer_get(org=self.org, pk=pk)
        services.customer_delete(
            org=self.org, actor=self.actor, customer=customer, rev=rev_param(request)
        )
        return Response(status=204)


def _found(row, what):
    if row is None:
        raise NotFound(f"No customer with this {what}.")
    return Response({"data": customer_resource(row)})


class CustomerByEmailView(ApiView):
    scope_resource = "customer"

    @extend_schema(
        summary="Find a customer by email", responses={200: CustomerDocumentSerializer, 404: ERRORS}
    )
    def get(self, request, email):
        return _found(selectors.customer_by_email(org=self.org, email=email), "email")


class CustomerByPhoneView(ApiView):
    scope_resource = "customer"

    @extend_schema(
        summary="Find a customer by phone (any format; US numbers may omit +1)",
        responses={200: CustomerDocumentSerializer, 404: ERRORS},
    )
    def get(self, request, phone):
        return _found(selectors.customer_by_phone(org=self.org, phone=phone), "phone")


class CustomerBySocialView(ApiView):
    scope_resource = "customer"

    @extend_schema(
        summary="Find a customer by social handle: social={type}:{userid} (or {type}:@{username})",
        responses={200: CustomerDocumentSerializer, 400: ERRORS, 404: ERRORS},
    )
    def get(self, request, social):
        kind, sep, ident = social.partition(":")
        if not sep or not kind.strip() or not ident.strip():
            raise ValidationFailed(
                [
                    FieldError(
                        "/social",
                        "invalid",
                        "Look a social handle up as social={type}:{userid}, e.g. "
                        "social=twitter:12345.",
                    )
                ]
            )
        return _found(selectors.customer_by_social(org=self.org, handle=social), "social handle")


class CustomerByExternalIdView(ApiView):
    scope_resource = "customer"
    # PUT creates or updates: the view checks the scope once it knows which (require_upsert)
    scope_map = {"PUT": None}

    @extend_schema(
        summary="Find a customer by externalId",
        responses={200: CustomerDocumentSerializer, 404: ERRORS},
    )
    def get(self, request, external_id):
        row = selectors.customer_by_external_id(org=self.org, external_id=external_id)
        return _found(row, "externalId")

    @extend_schema(
        summary="Create the customer with this externalId, or update the attributes sent",
        description="Updating an existing customer needs customer.update, creating one "
        "customer.create.",
        parameters=[REV],
        request=CustomerInputSerializer,
        responses={
            200: CustomerDocumentSerializer,
            201: CustomerDocumentSerializer,
            400: ERRORS,
            404: ERRORS,
            409: ERRORS,
        },
    )
    def put(self, request, external_id):
        rev = rev_param(request)
        existing = selectors.customer_by_external_id(org=self.org, external_id=external_id.strip())
        require_upsert(request, "customer", exists=existing is not None, rev=rev)
        with transaction.atomic():
            customer, created = services.customer_upsert_by_external_id(
                org=self.org,
                actor=self.actor,
                external_id=external_id,
                data=with_rev(_body(request), rev),
            )
            # a concurrent request may have created or deleted it since the check above
            require_upsert(request, "customer", exists=not created, rev=rev)
        return Response({"data": customer_resource(customer)}, status=201 if created else 200)


class CustomerMergeView(ApiView):
    scope_resource = "customer"
    # the source customer is deleted
    scope_map = {"POST": ("customer", "delete")}

    @extend_schema(
        summary="Merge customer `source` into `target` (source is deleted)",
        request=CustomerMergeInputSerializer,
        responses={200: CustomerDocumentSerializer, 400: ERRORS, 404: ERRORS},
    )
    def post(self, request):
        from kdesk.payload import Payload

        p = Payload(_body(request), allowed={"source", "target"})
        p.raise_if_errors()
        target = services.customer_merge(
            org=self.org, actor=self.actor, source=p.data.get("source"), target=p.data.get("target")
        )
        return Response({"data": customer_resource(target)})


# ---- companies ------------------------------------------------------------------------------


class CompanyListView(ApiView):
    scope_resource = "company"

    @extend_schema(
        summary="List companies",
        parameters=[
            *PAGE,
            *UPDATED,
            OpenApiParameter("externalId", str),
            OpenApiParameter("name", str, description="Exact name."),
            SORT,
        ],
        responses={200: CompanyPageSerializer, 400: ERRORS},
    )
    def get(self, request):
        rows = selectors.companies_list(org=self.org, filters=request.query_params)
        return Response(paginate(request, rows, companies_resources))

    @extend_schema(
        summary="Create a company",
        request=CompanyInputSerializer,
        responses={201: CompanyDocumentSerializer, 400: ERRORS, 409: ERRORS},
    )
    def post(self, request):
        company = services.company_create(org=self.org, actor=self.actor, data=_body(request))
        return Response({"data": company_resource(company)}, status=201)


class CompanyCustomerListView(ApiView):
    scope_map = {"GET": ("customer", "read")}

    @extend_schema(
        summary="A company's customers",
        parameters=[*PAGE, *UPDATED, SORT],
        responses={200: CustomerPageSerializer, 400: ERRORS, 401: ERRORS, 403: ERRORS, 404: ERRORS},
        description="Needs customer.read (the customers) and company.read (the company).",
    )
    def get(self, request, pk):
        require(request, "company", "read")
        selectors.company_get(org=self.org, pk=pk)
        rows = selectors.company_customers(
            org=self.org, company_id=pk, filters=request.query_params
        )
        return Response(paginate(request, rows, customers_resources))


class CompanyDetailView(ApiView):
    scope_resource = "company"

    @extend_schema(summary="Get a company", responses={200: CompanyDocumentSerializer, 404: ERRORS})
    def get(self, request, pk):
        return Response({"data": company_resource(selectors.company_get(org=self.org, pk=pk))})

    def _update(self, request, pk, partial):
        company = selectors.company_get(org=self.org, pk=pk)
        company = services.company_update(
            org=self.org,
            actor=self.actor,
            company=company,
            data=_body(request),
            rev=rev_param(request),
            partial=partial,
        )
        return Response({"data": company_resource(company)})

    @extend_schema(
        summary="Update a company (attributes left out are kept; null clears one)",
        parameters=[REV],
        request=CompanyInputSerializer,
        responses={200: CompanyDocumentSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def put(self, request, pk):
        # PUT and PATCH both change only what the body carries (API.md)
        return self._update(request, pk, partial=True)

    @extend_schema(
        summary="Update some attributes of a company",
        parameters=[REV],
        request=CompanyInputSerializer,
        responses={200: CompanyDocumentSerializer, 400: ERRORS, 404: ERRORS, 409: ERRORS},
    )
    def patch(self, request, pk):
        return self._update(request, pk, partial=True)

    @extend_schema(
        summary="Delete a company (its customers keep existing, without a company)",
        parameters=[REV],
        responses={204: None, 404: ERRORS, 409: ERRORS},
    )
    def delete(self, request, pk):
        company = selectors.company_get(org=self.org, pk=pk)
        services.company_delete(
            org=self.org, actor=self.actor, company=company, rev=rev_param(request)
        )
        return Response(status=204)
