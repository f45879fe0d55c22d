"""`/v1/customers`, one customer, and merging two."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from customers import selectors, services
from customers.representations import (
    customer_resource,
    customers_resources,
)
from kdesk.api.openapi import ERRORS
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param
from kdesk.api.views import ApiView

from .schemas import (
    PAGE,
    REV,
    SORT,
    UPDATED,
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
        customer = services.customer_create(org=self.org, actor=self.actor, data=body_of(request))
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
            data=body_of(request),
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
