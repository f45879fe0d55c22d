"""`/v1/companies`, one company, and a company's customers."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from customers import selectors, services
from customers.representations import (
    companies_resources,
    company_resource,
    customers_resources,
)
from kdesk.api.openapi import ERRORS
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param
from kdesk.api.permissions import require
from kdesk.api.views import ApiView

from .schemas import (
    PAGE,
    REV,
    SORT,
    UPDATED,
    CompanyDocumentSerializer,
    CompanyInputSerializer,
    CompanyPageSerializer,
    CustomerPageSerializer,
    body_of,
)

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
        company = services.company_create(org=self.org, actor=self.actor, data=body_of(request))
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
            data=body_of(request),
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
