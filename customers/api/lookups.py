"""Finding one customer by email, phone, social handle or externalId (the last one also a PUT that
creates or updates)."""

from django.db import transaction
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from customers import selectors, services
from customers.representations import (
    customer_resource,
)
from kdesk.api.openapi import ERRORS
from kdesk.api.params import rev_param, with_rev
from kdesk.api.permissions import require_upsert
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed

from .schemas import REV, CustomerDocumentSerializer, CustomerInputSerializer, body_of


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
        parameters=[
            OpenApiParameter(
                "social",
                {"type": "string", "pattern": r"^[^:]*[^:\s][^:]*:.*\S"},
                OpenApiParameter.PATH,
                description="{type}:{userid}, e.g. twitter:12345",
            )
        ],
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
                data=with_rev(body_of(request), rev),
            )
            # a concurrent request may have created or deleted it since the check above
            require_upsert(request, "customer", exists=not created, rev=rev)
        return Response({"data": customer_resource(customer)}, status=201 if created else 200)
