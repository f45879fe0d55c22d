"""`/v1/customers`, one customer, and merging two."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from customers import selectors, services
from customers.representations import (
    customer_resource,
    customers_resources,
)
from kdesk.api.filters import filter_parameters
from kdesk.api.openapi import ERRORS
from kdesk.api.pagination import paginate
from kdesk.api.views import ApiView

from .detail import record_detail_view
from .schemas import (
    PAGE,
    CustomerDocumentSerializer,
    CustomerInputSerializer,
    CustomerMergeInputSerializer,
    CustomerPageSerializer,
    body_of,
)

# ---- customers ------------------------------------------------------------------------------


class CustomerListView(ApiView):
    scope_resource = "customer"

    @extend_schema(
        summary="List customers",
        parameters=[
            *PAGE,
            *filter_parameters(
                selectors.CustomerFilter,
                updatedAfter="updatedAt > this.",
                updatedSince="updatedAt ≥ this.",
                email="Customers with this email.",
                company="Customers of this company id.",
                sort="Order; ties are broken by id. Default createdAt.",
            ),
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
        customer = services.customer_create(org=self.org, actor=self.actor, data=body_of(request))
        return Response({"data": customer_resource(customer)}, status=201)


CustomerDetailView = record_detail_view(
    "CustomerDetailView",
    kind="customer",
    get=selectors.customer_get,
    represent=customer_resource,
    update=services.customer_update,
    delete=services.customer_delete,
    document=CustomerDocumentSerializer,
    body=CustomerInputSerializer,
    delete_summary="Delete a customer",
)


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

        p = Payload(body_of(request), allowed={"source", "target"})
        p.raise_if_errors()
        target = services.customer_merge(
            org=self.org, actor=self.actor, source=p.data.get("source"), target=p.data.get("target")
        )
        return Response({"data": customer_resource(target)})
