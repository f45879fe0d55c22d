"""Refusals a server makes from the request line and headers alone, before reading any body.

Shared by daphne (kdesk/serving/asgi_server.py), gunicorn (kdesk/serving/gunicorn_workers.py and
the WSGI wrapper in kdesk/wsgi.py) and Django (kdesk/middleware.py), so every server answers
alike, in API.md's error shape:

- a query string longer than `MAX_QUERY_STRING` characters → 414 (a request line longer than
  the server reads at all gets the same answer from the server itself);
- a body declared longer than `API_MAX_BODY_BYTES` → 413, and a chunked body is cut off with 413
  as soon as it crosses the limit;
- a body sent to the API with no credentials at all (no `Authorization` header, no session
  cookie) → 401 before a byte of it is read: a 1 GiB upload from nobody costs nothing.
"""

import json

from django.conf import settings

# Above the longest documented query (filters, cursors) and below gunicorn's request-line
# ceiling of 8,190 bytes, so both servers refuse the same query strings.
MAX_QUERY_STRING = 8000

API_PREFIX = "/v1/"
# API paths that take a body without credentials: inbound hooks carry their secret in the path.
PUBLIC_API_PREFIXES = ("/v1/hooks/",)

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

REASONS = {
    401: "Unauthorized",
    413: "Payload Too Large",
    414: "URI Too Long",
    431: "Request Header Fields Too Large",
}
TITLES = {
    401: "Unauthorized",
    413: "Payload too large",
    414: "URI too long",
    431: "Request header fields too large",
}


class Refusal:
    def __init__(self, status, code, detail, headers=()):
        self.status = status
        self.code = code
        self.detail = detail
        self.headers = list(headers)

    def body(self):
        item = {
            "status": str(self.status),
            "code": self.code,
            "title": TITLES[self.status],
            "detail": self.detail,
        }
        return json.dumps({"errors": [item]}).encode()

    def header_list(self, body):
        return [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *self.headers,
        ]

    def http_bytes(self):
        """The whole response as bytes, for a server that answers before the application runs;
        the connection closes after it (the unread body is never read)."""
        body = self.body()
        lines = [f"HTTP/1.1 {self.status} {REASONS[self.status]}"]
        lines += [f"{name}: {value}" for name, value in self.header_list(body)]
        lines.append("Connection: close")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def uri_too_long(length=None):
    size = f"{length:,} characters; " if length else ""
    return Refusal(
        414,
        "uri_too_long",
        f"The request's query string is too long ({size}the limit is {MAX_QUERY_STRING:,} "
        "characters). Send large criteria in a POST body (e.g. /v1/customers/search).",
    )


def body_too_large(length=None):
    limit = settings.API_MAX_BODY_BYTES
    if length is None:
        detail = f"The request body is longer than the limit of {limit:,} bytes."
    else:
        detail = f"The request body is {length:,} bytes; the limit is {limit:,} bytes."
    return Refusal(413, "payload_too_large", detail)


def not_authenticated():
    return Refusal(
        401,
        "not_authenticated",
        "Authentication required: send Authorization: Bearer <api key>.",
        headers=[("WWW-Authenticate", 'Bearer realm="api"')],
    )


def _has_session_cookie(cookie_header):
    name = settings.SESSION_COOKIE_NAME
    for part in cookie_header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name and value:
            return True
    return False


def refusal_for(*, method, path, query_string, headers, content_length, chunked):
    """The refusal for a request known by its head, or None to let it through.

    `headers` maps lower-case names to values; `content_length` is None when absent."""
    if len(query_string) > MAX_QUERY_STRING:
        return uri_too_long(len(query_string))
    has_body = chunked or bool(content_length)
    if not has_body:
        return None
    if content_length is not None and content_length > settings.API_MAX_BODY_BYTES:
        return body_too_large(content_length)
    if (
        method in BODY_METHODS
        and path.startswith(API_PREFIX)
        and not path.startswith(PUBLIC_API_PREFIXES)
        and not headers.get("authorization")
        and not _has_session_cookie(headers.get("cookie", ""))
    ):
        return not_authenticated()
    return None


def parse_content_length(raw):
    """Content-Length as an int, None when absent or not a number (the server refuses those)."""
    if raw is None:
        return None
    raw = raw.strip()
    return int(raw) if raw.isascii() and raw.isdigit() else None


def is_chunked(transfer_encoding):
    return "chunked" in (transfer_encoding or "").lower()
