"""`/v1/hooks`: admins manage hooks; `/v1/hooks/{kind}/{token}` takes calls in (no key)."""

import time

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.db import transaction
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from apps_directory.hooks import email, selectors, services
from apps_directory.hooks.models import Hook
from apps_directory.hooks.representations import hook_resource
from apps_directory.webhooks.api import only_params
from kdesk import config_cache, events
from kdesk.api import ratelimit
from kdesk.api.errors import error, errors_body, json_error
from kdesk.api.openapi import errors, resource_schemas, timestamps
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param, with_rev
from kdesk.api.parsers import parse_json_text
from kdesk.api.views import ApiView
from kdesk.errors import NotFound
from kdesk.text import NOT_BLANK_PATTERN, nul_detail, nul_pointers
from mail import inbound as mail_inbound
from mail import parse as mail_parse

HOOK = resource_schemas(
    "Hook",
    {
        "name": serializers.CharField(),
        "kind": serializers.ChoiceField(Hook.Kind.values),
        "enabled": serializers.BooleanField(),
        "url": serializers.CharField(help_text="POST here; the path's token is the secret."),
        "rateLimitPerMinute": serializers.IntegerField(allow_null=True),
        **timestamps(),
    },
)

HOOK_BODY = inline_serializer(
    "HookBody",
    {
        "name": serializers.RegexField(NOT_BLANK_PATTERN, max_length=100, required=False),
        "enabled": serializers.BooleanField(required=False, allow_null=True),
        "rateLimitPerMinute": serializers.IntegerField(
            min_value=1, max_value=100_000, required=False, allow_null=True
        ),
        "rev": serializers.IntegerField(required=False),
    },
)
HOOK_CREATE_BODY = inline_serializer(
    "HookCreateBody",
    {
        **{k: v for k, v in HOOK_BODY.__class__._declared_fields.items() if k != "rev"},
        "name": serializers.RegexField(NOT_BLANK_PATTERN, max_length=100),
        "kind": serializers.ChoiceField(Hook.Kind.values),
    },
)


def _hook(view, pk):
    found = selectors.hook(org=view.org, pk=pk)
    if found is None:
        raise NotFound("No hook with this id.")
    return found


class HookListView(ApiView):
    scope_resource = "hook"

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        responses={200: HOOK.page, **errors(400, 401, 403)},
    )
    def get(self, request):
        only_params(request, {"page", "pageSize"})
        qs = selectors.hooks(org=self.org)
        return Response(paginate(request, qs, lambda rows: [hook_resource(h) for h in rows]))

    @extend_schema(
        request=HOOK_CREATE_BODY, responses={201: HOOK.document, **errors(400, 401, 403)}
    )
    def post(self, request):
        hook = services.hook_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": hook_resource(hook)}, status=201)


class HookDetailView(ApiView):
    scope_resource = "hook"

    @extend_schema(responses={200: HOOK.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response({"data": hook_resource(_hook(self, pk))})

    @extend_schema(
        request=HOOK_BODY, responses={200: HOOK.document, **errors(400, 401, 403, 404, 409)}
    )
    def put(self, request, pk):
        hook = _hook(self, pk)
        data = with_rev(request.data, rev_param(request))
        hook = services.hook_update(org=self.org, actor=self.actor, hook=hook, data=data)
        return Response({"data": hook_resource(hook)})

    patch = put

    @extend_schema(responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, pk):
        services.hook_delete(org=self.org, actor=self.actor, hook=_hook(self, pk))
        return Response(status=204)


class HookRotateView(ApiView):
    scope_map = {"POST": ("hook", "update")}

    @extend_schema(request=None, responses={200: HOOK.document, **errors(401, 403, 404)})
    def post(self, request, pk):
        hook = services.hook_rotate(org=self.org, actor=self.actor, hook=_hook(self, pk))
        return Response({"data": hook_resource(hook)})


# ---- intake -----------------------------------------------------------------------------------

EMAIL_TYPES = {"message/rfc822", "text/plain", "application/octet-stream"}
# Mail providers that post multipart forms put the raw message in one of these fields.
EMAIL_FORM_FIELDS = ("body-mime", "email")


def _rate_limited(hook):
    """(allowed, retry_after seconds) in a fixed one-minute window per hook, counted in the
    shared cache (per process while Redis is away, as the API's limits are)."""
    count, reset = ratelimit.count_hit(f"hookrl:{hook.pk}")
    limit = hook.rate_limit_per_minute or settings.HOOK_RATE_LIMIT_PER_MINUTE
    return count <= limit, max(1, int(reset - time.time() + 0.999))


def _read_body(request, limit):
    """The body, or None when it is larger than `limit` (Content-Length or, when chunked,
    what actually arrives)."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit:
        return None
    try:
        body = request.body
    except RequestDataTooBig:
        return None
    return None if len(body) > limit else body


def _is_empty(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    chunked = "chunked" in (request.META.get("HTTP_TRANSFER_ENCODING") or "").lower()
    return length == 0 and not chunked


def _media_type(request):
    return (request.META.get("CONTENT_TYPE") or "").split(";", 1)[0].strip().lower()


def _web_payload(request):
    media = _media_type(request)
    if media != "application/json" and not media.endswith("+json"):
        return None, json_error(
            415,
            "unsupported_media_type",
            f"A web hook takes Content-Type: application/json, not {media or 'none'}.",
        )
    body = _read_body(request, settings.HOOK_WEB_MAX_BYTES)
    if body is None:
        return None, json_error(
            413,
            "payload_too_large",
            f"A web hook takes at most {settings.HOOK_WEB_MAX_BYTES} bytes of JSON.",
        )
    if not body.strip():
        return None, json_error(400, "empty_body", "The body is empty; send a JSON document.")
    try:
        data = parse_json_text(body.decode("utf-8"))
    except (UnicodeDecodeError, ParseError) as exc:
        detail = getattr(exc, "detail", None) or "the body is not UTF-8"
        return None, json_error(400, "parse_error", f"The body is not valid JSON: {detail}")
    pointers = nul_pointers(data)
    if pointers:  # PostgreSQL cannot store U+0000: refused with where it is, not a 500
        return None, JsonResponse(
            errors_body(
                [
                    error(400, "nul_character", nul_detail(f"The value at {p or '/'}"), p or "")
                    for p in pointers
                ]
            ),
            status=400,
        )
    return data, None


def _email_payload(request):
    media = _media_type(request)
    limit = settings.HOOK_EMAIL_MAX_BYTES
    if media in ("multipart/form-data", "application/x-www-form-urlencoded"):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            raw = None
        else:
            field = next((f for f in EMAIL_FORM_FIELDS if f in request.POST), None)
            if field is None:
                return None, json_error(
                    400,
                    "missing_message",
                    "The form has no body-mime or email field holding the raw message.",
                    "/body-mime",
                )
            raw = request.POST[field].encode("utf-8", "surrogateescape")
    elif media in EMAIL_TYPES:
        raw = _read_body(request, limit)
    else:
        return None, json_error(
            415,
            "unsupported_media_type",
            "An email hook takes the raw message as message/rfc822 (or text/plain), or a "
            f"multipart form with a body-mime field, not {media or 'none'}.",
        )
    if raw is None:
        return None, json_error(
            413, "payload_too_large", f"An email hook takes messages up to {limit} bytes."
        )
    try:
        # A mail's NUL characters (PostgreSQL cannot store them) are dropped, not the mail.
        return mail_parse.parse(raw.replace(b"\x00", b"")), None
    except email.NotAMessage as exc:
        return None, json_error(400, "not_a_message", str(exc))


@csrf_exempt
def receive(request, kind, token):
    if request.method != "POST":
        response = json_error(405, "method_not_allowed", "Hooks take POST requests only.")
        response["Allow"] = "POST"
        return response
    hook = selectors.by_token(kind=kind, token=token)
    if hook is None:
        return json_error(404, "not_found", "No hook at this address (rotated or deleted?).")
    if not hook.enabled:
        return json_error(403, "hook_disabled", "This hook is turned off.")
    allowed, retry_after = _rate_limited(hook)
    if not allowed:
        response = json_error(
            429, "rate_limited", "Too many calls to this hook; retry after the pause."
        )
        response["Retry-After"] = str(retry_after)
        return response
    if _is_empty(request):
        what = "a JSON document" if kind == Hook.Kind.WEB else "the raw RFC 822 message"
        return json_error(400, "empty_body", f"The body is empty; send {what}.")
    payload, problem = (_web_payload if kind == Hook.Kind.WEB else _email_payload)(request)
    if problem is not None:
        return problem
    parsed = received = None
    if kind == Hook.Kind.EMAIL:
        parsed, payload = payload, email.summary(payload)
    size = int(request.META.get("CONTENT_LENGTH") or 0) or len(request.body)

    def record_call():
        return services.hook_receive(
            hook=hook, payload=payload, content_type=_media_type(request), size=size
        )

    if parsed is not None:
        # Mail addressed to one of the org's mailboxes enters the desk (the email channel), in
        # the call's transaction; the call is recorded either way, for workflows bound to the
        # hook, and its event pushed live with the mail's (customer, conversation, message).
        # the org's configuration version came with the hook, read at the start of the call:
        # its cached metadata, rules, webhooks and mailboxes are used (kdesk.config_cache)
        with config_cache.versioned(hook.org):
            event, received = mail_inbound.accept_along(
                org=hook.org, parsed=parsed, source="hook", along=record_call
            )
    else:
        with events.published_together(), transaction.atomic():
            event = record_call()
    attributes = {"event": "hook.received", "hook": str(hook.pk)}
    if received is not None:
        attributes["mail"] = {
            "outcome": received.outcome,
            "detail": received.detail,
            "conversation": str(received.conversation_id) if received.conversation_id else None,
        }
    return JsonResponse(
        {
            "data": {
                "type": "hook_call",
                "id": str(event.pk),
                "attributes": attributes,
                "relationships": {},
                "links": {"self": f"/v1/hooks/{hook.pk}"},
            }
        },
        status=202,
    )
