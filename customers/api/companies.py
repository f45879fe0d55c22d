"""`/v1/companies`, one company, and a company's customers."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from customers import selectors, services
from customers.representations import (
    companies_resources,
    company_resource,
    customers_resources,
)
from kdesk.api.filters import filter_parameters
from kdesk.api.openapi import ERRORS
from kdesk.api.pagination import paginate
from kdesk.api.permissions import require
from kdesk.api.views import ApiView

from .detail import record_detail_view
from .schemas import (
    PAGE,
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
            *filter_parameters(
                selectors.CompanyFilter,
                updatedAfter="updatedAt > this.",
                updatedSince="updatedAt ≥ this.",
                name="Exact name.",
                sort="Order; ties are broken by id. Default createdAt.",
            ),
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


CompanyDetailView = record_detail_view(
    "CompanyDetailView",
    kind="company",
    get=selectors.company_get,
    represent=company_resource,
    update=services.company_update,
    delete=services.company_delete,
    document=CompanyDocumentSerializer,
    body=CompanyInputSerializer,
    delete_summary="Delete a company (its customers keep existing, without a company)",
)
