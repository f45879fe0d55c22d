"""Every error the API can raise, in API.md's shape:
`{"errors": [{"status", "code", "title", "detail", "source": {"pointer"}}]}`."""

import json
import logging

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError
from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.response import Response

from kdesk.errors import ServiceError
from kdesk.page_messages import tell

log = logging.getLogger(__name__)

TITLES = {
    400: "Bad request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    413: "Payload too large",
    414: "URI too long",
    415: "Unsupported media type",
    422: "Unprocessable entity",
    429: "Too many requests",
    500: "Server error",
    503: "Service unavailable",
}


def error(status_code, code, detail, pointer=None, title=None, parameter=None):
    item = {
        "status": str(status_code),
        "code": code,
        "title": title or TITLES.get(status_code, "Error"),
        "detail": str(detail),
    }
    if pointer is not None:
        item["source"] = {"pointer": pointer}
    if parameter is not None:
        item.setdefault("source", {})["parameter"] = parameter
    return item


def errors_body(items):
    return {"errors": items}


def json_error(status_code, code, detail, pointer=None):
    """A plain Django response in the API error shape (for middleware and URL-level errors)."""
    return JsonResponse(
        errors_body([error(status_code, code, detail, pointer)]), status=status_code
    )


def _flatten(detail, pointer=""):
    """DRF's nested ValidationError detail → [(pointer, code, message)]."""
    if isinstance(detail, dict):
        for key, value in detail.items():
            if key in ("non_field_errors", "__all__"):
                yield from _flatten(value, pointer)
            else:
                yield from _flatten(value, f"{pointer}/{key}")
    elif isinstance(detail, list):
        if all(isinstance(d, str) for d in detail):
            for d in detail:
                yield pointer or "", getattr(d, "code", "invalid"), str(d)
        else:
            for index, value in enumerate(detail):
                if value:
                    yield from _flatten(value, f"{pointer}/{index}")
    else:
        yield pointer or "", getattr(detail, "code", "invalid"), str(detail)


def service_error_items(exc):
    if exc.errors:
        return [
            error(exc.status, e.code, e.detail, e.pointer, exc.title, getattr(e, "parameter", None))
            for e in exc.errors
        ]
    return [error(exc.status, exc.code, exc.detail, None, exc.title)]


def _as_drf(response):
    """A JSON error response made outside DRF, handed back to DRF's handler as its own."""
    return Response(
        json.loads(response.content),
        status=response.status_code,
        headers={"Retry-After": response["Retry-After"]},
    )


def exception_handler(exc, context):
    from kdesk.health import is_database_outage, is_write_collision

    headers = {}
    if is_write_collision(exc):
        log.warning("write undone by the database, collided with another: %s", exc)
        return _as_drf(write_collision(context["request"]._request))
    if is_database_outage(exc):
        log.error("database unreachable: %s", exc)
        return _as_drf(database_unavailable(context["request"]._request))
    if isinstance(exc, ServiceError):
        return Response(errors_body(service_error_items(exc)), status=exc.status)
    if isinstance(exc, DataError):
        # The database refused a value that got past validation (out of its range): still the
        # client's input, and the transaction has been rolled back.
        log.warning("database refused a value: %s", exc)
        return Response(
            errors_body([error(400, "invalid_value", "A value is out of the range kdesk stores.")]),
            status=400,
        )
    if isinstance(exc, RequestDataTooBig):
        return Response(
            errors_body(
                [error(413, "payload_too_large", str(exc) or "The request body is too large.")]
            ),
            status=413,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(exc.messages)
    if not isinstance(exc, exceptions.APIException):
        return None
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
        headers["Retry-After"] = str(max(1, int(exc.wait + 0.999)))
    code = exc.status_code
    if isinstance(exc, exceptions.ValidationError):
        items = [
            error(code, c, message, pointer or None) for pointer, c, message in _flatten(exc.detail)
        ]
    elif isinstance(exc, exceptions.ParseError):
        items = [error(code, "parse_error", f"The request body is not valid JSON: {exc.detail}")]
    elif isinstance(exc, exceptions.NotAuthenticated):
        items = [
            error(
                401,
                "not_authenticated",
                "Authentication required: send Authorization: Bearer <api key>.",
            )
        ]
        code = 401
    elif isinstance(exc, exceptions.AuthenticationFailed):
        items = [error(401, "authentication_failed", exc.detail)]
        code = 401
    else:
        detail = exc.detail if not isinstance(exc.detail, list | dict) else exc.get_full_details()
        items = [error(code, getattr(exc, "default_code", "error"), detail)]
    return Response(errors_body(items), status=code, headers=headers)


@csrf_exempt  # a POST to no endpoint is a 404, never the CSRF failure page
def api_not_found(request, exception=None):
    return json_error(status.HTTP_404_NOT_FOUND, "not_found", "No such API endpoint.")


def api_server_error(request):
    return json_error(500, "server_error", "Something went wrong on our side; it has been logged.")


# A database outage is usually over within seconds (a failover, a restart).
DATABASE_RETRY_AFTER_SECONDS = 5


# Whoever held the rows lets go when its transaction ends: a moment later the request goes through.
WRITE_COLLISION_RETRY_AFTER_SECONDS = 1


def write_collision(request):
    """503 with Retry-After: the database undid this request's writes because another change
    to the same records was being saved at the same moment."""
    if request.path.startswith("/v1/"):
        response = json_error(
            503,
            "write_conflict",
            "Another change to the same records was being saved at the same moment, so nothing "
            "was changed. Retry the request.",
        )
    else:
        from django.http import HttpResponse
        from django.template import loader
        from django.utils.http import url_has_allowed_host_and_scheme

        back = request.META.get("HTTP_REFERER", "")
        safe = url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure())
        # rendered without the request's context processors, as the 500 page is: they read
        # the database, and this request may still be inside the transaction that failed
        page = loader.get_template("503_busy.html").render({"back": back if safe else ""})
        response = tell(
            HttpResponse(page, status=503),
            "Someone else was saving the same thing at that moment, so nothing was saved. "
            "Send it again.",
        )
    response["Retry-After"] = str(WRITE_COLLISION_RETRY_AFTER_SECONDS)
    return response


def database_unavailable(request):
    """503 with Retry-After: the database cannot be reached. JSON for the API, the error page
    (without anything that needs the database) for people."""
    if request.path.startswith("/v1/"):
        response = json_error(
            503,
            "database_unavailable",
            "The database cannot be reached right now; nothing was changed. Retry shortly.",
        )
    else:
        from django.http import HttpResponse
        from django.template import loader

        response = tell(
            HttpResponse(loader.get_template("500.html").render(), status=503),
            "kdesk cannot reach its database right now, so nothing was saved. Try again in a "
            "moment.",
        )
    response["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
    return response
