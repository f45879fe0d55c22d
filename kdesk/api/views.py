"""The base view every `/v1/` endpoint derives from: auth, scopes, rate limits, idempotency."""

import time
from dataclasses import dataclass
from functools import wraps

from django.db import transaction
from rest_framework import exceptions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from kdesk.api import idempotency, query_params, ratelimit
from kdesk.api.body import read_unsized_body
from kdesk.api.errors import error, errors_body
from kdesk.api.params import check_rev
from kdesk.errors import Conflict, FieldError, ValidationFailed

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})


class ApiRequest(Request):
    """DRF's request, except that a write whose body is empty is refused when the view reads
    it: DRF would hand the view `{}` and a PUT would "succeed" with nothing."""

    def _parse(self):
        data, files = super()._parse()
        if self._stream is None and self.method in WRITE_METHODS:
            raise ValidationFailed([FieldError("/", "required", "the request has no JSON body")])
        if isinstance(data, dict) and data.get("rev") is not None:
            # every body's rev, a create's too: an integer (params.BODY_REV_SCHEMA) or nothing
            check_rev(data["rev"], "/rev")
        return data, files


class _Replay(Exception):
    def __init__(self, response):
        self.response = response


@dataclass
class _Claim:
    """An Idempotency-Key this request runs under; its response is stored when it ends."""

    principal: str
    key: str
    fingerprint: str


class ApiView(APIView):
    """Subclasses set `scope_resource` (and optionally `scope_map = {METHOD: (resource, action)}`)."""

    scope_resource = None
    scope_map = None

    @property
    def org(self):
        return self.request.user.org

    @property
    def actor(self):
        return self.request.user

    def initialize_request(self, request, *args, **kwargs):
        parser_context = self.get_parser_context(request)
        return ApiRequest(
            request,
            parsers=self.get_parsers(),
            authenticators=self.get_authenticators(),
            negotiator=self.get_content_negotiator(),
            parser_context=parser_context,
        )

    def dispatch(self, request, *args, **kwargs):
        if request.method == "POST" and request.headers.get(idempotency.HEADER):
            # The key's record commits with the request's writes, or neither does.
            with transaction.atomic():
                return super().dispatch(request, *args, **kwargs)
        return super().dispatch(request, *args, **kwargs)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        query_params.check(self, request)
        # Only now, with the caller known and allowed, is a chunked body worth reading.
        read_unsized_body(request._request)
        limit, remaining, reset, allowed = ratelimit.hit(request)
        request.rate_limit_headers = {
            "x-ratelimit-limit": str(limit),
            "x-ratelimit-remaining": str(remaining),
            "x-ratelimit-reset": str(reset),
        }
        if not allowed:
            raise exceptions.Throttled(wait=max(1, reset - time.time()))
        key = request.headers.get(idempotency.HEADER)
        if request.method == "POST" and key:
            self._check_idempotency(request, key)

    def _check_idempotency(self, request, key):
        if "\x00" in key:  # PostgreSQL cannot store it: refused before the lookup
            from kdesk.text import nul_detail

            raise exceptions.ValidationError(
                {"Idempotency-Key": [nul_detail("The Idempotency-Key header")]}
            )
        if len(key) > idempotency.MAX_KEY_LENGTH:
            raise exceptions.ValidationError(
                {"Idempotency-Key": ["The Idempotency-Key header may hold at most 255 characters."]}
            )
        principal = ratelimit.principal(request)
        fingerprint = idempotency.request_fingerprint(request)
        claimed, record = idempotency.claim(self.org, principal, key)
        if claimed:
            request.idempotency = _Claim(principal, key, fingerprint)
            # The handler runs in a savepoint: when it fails, what it wrote is undone and the
            # transaction stays usable to record the error it answered with.
            self.post = _in_savepoint(self.post)
            return
        if record is None:
            response = _error_response(
                409,
                "idempotency_key_in_progress",
                "A request with this Idempotency-Key is still in progress; retry once it has "
                "finished to get its result.",
            )
            response["Retry-After"] = "1"
            raise _Replay(response)
        if record.request_hash != fingerprint:
            raise _Replay(
                _error_response(
                    422,
                    "idempotency_key_reused",
                    "This Idempotency-Key was already used with a different request body or path.",
                )
            )
        response = Response(idempotency.stored_payload(record), status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        raise _Replay(response)

    def handle_exception(self, exc):
        if isinstance(exc, _Replay):
            return exc.response
        return super().handle_exception(exc)

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        for name, value in getattr(request, "rate_limit_headers", {}).items():
            response[name] = value
        claim = getattr(request, "idempotency", None)
        if claim is not None:
            request.idempotency = None
            if response.status_code >= 500:
                # the request did not happen: nothing it wrote stays, a retry may run it
                transaction.set_rollback(True)
            else:
                response.render()
                try:
                    idempotency.store(
                        self.org, claim.principal, claim.key, request, claim.fingerprint, response
                    )
                except Conflict:
                    transaction.set_rollback(True)
                    response = _error_response(
                        409,
                        "idempotency_key_in_progress",
                        "Another request with this Idempotency-Key finished first; retry to "
                        "get its result.",
                    )
                    response["Retry-After"] = "1"
                    response = super().finalize_response(request, response, *args, **kwargs)
        return response


def _in_savepoint(handler):
    @wraps(handler)
    def run(*args, **kwargs):
        with transaction.atomic():
            return handler(*args, **kwargs)

    return run


def _error_response(status, code, detail):
    return Response(errors_body([error(status, code, detail)]), status=status)
