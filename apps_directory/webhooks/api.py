"""`/v1/outbound-webhooks`: CRUD, rotation, the delivery log and replays."""

from datetime import UTC

from django.utils.dateparse import parse_datetime
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from apps_directory.webhooks import selectors, services
from apps_directory.webhooks.models import Delivery
from apps_directory.webhooks.openapi import WEBHOOK_BODY, WEBHOOK_CREATE_BODY
from apps_directory.webhooks.representations import delivery_resource, webhook_resource
from kdesk.api.openapi import errors, obj, resource_schemas, strings, text, timestamps
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param, with_rev
from kdesk.api.views import ApiView
from kdesk.errors import FieldError, NotFound, ValidationFailed

WEBHOOK = resource_schemas(
    "OutboundWebhook",
    {
        "name": serializers.CharField(),
        "url": serializers.CharField(),
        "events": strings(),
        "headers": obj(),
        "enabled": serializers.BooleanField(),
        "disabledReason": text(),
        "disabledAt": serializers.DateTimeField(allow_null=True),
        "previousTokenValidUntil": serializers.DateTimeField(allow_null=True),
        "token": serializers.CharField(
            required=False, help_text="whsec_…: only in the creation and rotation answers."
        ),
        **timestamps(),
    },
)
DELIVERY = resource_schemas(
    "Delivery",
    {
        "event": serializers.CharField(),
        "eventId": serializers.CharField(),
        "webhookId": serializers.CharField(help_text="The webhook-id header; same on retries."),
        "status": serializers.CharField(help_text="pending, succeeded, failed or expired"),
        "attempt": serializers.IntegerField(),
        "nextAttemptAt": serializers.DateTimeField(allow_null=True),
        "request": obj(),
        "response": obj(),
        "error": text(),
        "durationMs": serializers.IntegerField(allow_null=True),
        "attemptedAt": serializers.DateTimeField(allow_null=True),
        **timestamps(),
    },
)
REPLAYED = resource_schemas("Replay", {"replayed": serializers.IntegerField()})


def only_params(request, allowed):
    unknown = [k for k in request.query_params if k not in allowed]
    if unknown:
        raise ValidationFailed(
            [FieldError(f"/{k}", "unknown_parameter", f"Unknown parameter '{k}'.") for k in unknown]
        )


def _webhook(view, pk):
    found = selectors.webhook(org=view.org, pk=pk)
    if found is None:
        raise NotFound("No outbound webhook with this id.")
    return found


class WebhookListView(ApiView):
    scope_resource = "outbound_webhook"

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        responses={200: WEBHOOK.page, **errors(400, 401, 403)},
    )
    def get(self, request):
        only_params(request, {"page", "pageSize"})
        qs = selectors.webhooks(org=self.org)
        return Response(paginate(request, qs, lambda rows: [webhook_resource(w) for w in rows]))

    @extend_schema(
        request={"application/json": WEBHOOK_CREATE_BODY},
        responses={201: WEBHOOK.document, **errors(400, 401, 403)},
    )
    def post(self, request):
        webhook, token = services.webhook_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": webhook_resource(webhook, token)}, status=201)


class WebhookDetailView(ApiView):
    scope_resource = "outbound_webhook"

    @extend_schema(responses={200: WEBHOOK.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response({"data": webhook_resource(_webhook(self, pk))})

    @extend_schema(
        request={"application/json": WEBHOOK_BODY},
        responses={200: WEBHOOK.document, **errors(400, 401, 403, 404, 409)},
    )
    def put(self, request, pk):
        webhook = _webhook(self, pk)
        data = with_rev(request.data, rev_param(request))
        webhook = services.webhook_update(
            org=self.org, actor=self.actor, webhook=webhook, data=data
        )
        return Response({"data": webhook_resource(webhook)})

    patch = put

    @extend_schema(responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, pk):
        services.webhook_delete(org=self.org, actor=self.actor, webhook=_webhook(self, pk))
        return Response(status=204)


class WebhookRotateView(ApiView):
    scope_map = {"POST": ("outbound_webhook", "update")}

    @extend_schema(request=None, responses={200: WEBHOOK.document, **errors(401, 403, 404)})
    def post(self, request, pk):
        webhook, token = services.webhook_rotate(
            org=self.org, actor=self.actor, webhook=_webhook(self, pk)
        )
        return Response({"data": webhook_resource(webhook, token)})


class DeliveryListView(ApiView):
    scope_resource = "outbound_webhook"

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
            OpenApiParameter("status", str, enum=Delivery.Status.values),
        ],
        responses={200: DELIVERY.page, **errors(400, 401, 403, 404)},
    )
    def get(self, request, pk):
        only_params(request, {"page", "pageSize", "status"})
        webhook = _webhook(self, pk)
        status = request.query_params.get("status")
        if status and status not in Delivery.Status.values:
            raise ValidationFailed(
                [
                    FieldError(
                        "/status",
                        "invalid",
                        f"status must be one of: {', '.join(Delivery.Status.values)}.",
                    )
                ]
            )
        qs = selectors.deliveries(org=self.org, webhook=webhook, status=status)

        def serialize(rows):
            attempts = selectors.last_attempts(rows)
            return [delivery_resource(d, attempts.get(d.pk)) for d in rows]

        return Response(paginate(request, qs, serialize))


def _delivery(view, pk, delivery_pk):
    webhook = _webhook(view, pk)
    found = selectors.delivery(org=view.org, webhook=webhook, pk=delivery_pk)
    if found is None:
        raise NotFound("No delivery with this id for this webhook.")
    return found


class DeliveryDetailView(ApiView):
    scope_resource = "outbound_webhook"

    @extend_schema(responses={200: DELIVERY.document, **errors(401, 403, 404)})
    def get(self, request, pk, delivery_pk):
        delivery = _delivery(self, pk, delivery_pk)
        attempt = selectors.last_attempts([delivery]).get(delivery.pk)
        return Response({"data": delivery_resource(delivery, attempt)})


class DeliveryReplayView(ApiView):
    scope_map = {"POST": ("outbound_webhook", "update")}

    @extend_schema(request=None, responses={202: DELIVERY.document, **errors(401, 403, 404)})
    def post(self, request, pk, delivery_pk):
        delivery = _delivery(self, pk, delivery_pk)
        delivery = services.delivery_replay(org=self.org, actor=self.actor, delivery=delivery)
        attempt = selectors.last_attempts([delivery]).get(delivery.pk)
        return Response({"data": delivery_resource(delivery, attempt)}, status=202)


def _moment(data, key, errors_out):
    raw = data.get(key)
    if raw in (None, ""):
        errors_out.append(FieldError(f"/{key}", "required", f"{key} is required (ISO-8601)."))
        return None
    parsed = None
    if isinstance(raw, str):
        try:
            parsed = parse_datetime(raw)
        except ValueError:
            parsed = None
    if parsed is None:
        errors_out.append(FieldError(f"/{key}", "invalid", f"{key} must be an ISO-8601 time."))
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


class WebhookReplayView(ApiView):
    scope_map = {"POST": ("outbound_webhook", "update")}

    @extend_schema(request=None, responses={202: REPLAYED.document, **errors(400, 401, 403, 404)})
    def post(self, request, pk):
        webhook = _webhook(self, pk)
        data = request.data if isinstance(request.data, dict) else {}
        problems = []
        if not isinstance(request.data, dict):
            problems.append(FieldError("", "invalid", "The body must be a JSON object."))
        unknown = [k for k in data if k not in ("from", "to", "status")]
        problems += [FieldError(f"/{k}", "unknown", f"Unknown attribute '{k}'.") for k in unknown]
        start = _moment(data, "from", problems)
        end = _moment(data, "to", problems)
        if data.get("status", "failed") != "failed":
            problems.append(
                FieldError("/status", "invalid", 'status must be "failed" (only failed ones).')
            )
        if start and end and end <= start:
            problems.append(FieldError("/to", "invalid", "to must be after from."))
        if problems:
            raise ValidationFailed(problems)
        count = services.deliveries_replay_failed(
            org=self.org, actor=self.actor, webhook=webhook, start=start, end=end
        )
        return Response(
            {
                "data": {
                    "type": "replay",
                    "id": str(webhook.pk),
                    "attributes": {"replayed": count},
                    "relationships": {},
                    "links": {"self": f"/v1/outbound-webhooks/{webhook.pk}/replay"},
                }
            },
            status=202,
        )
