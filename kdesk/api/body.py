"""Request bodies sent without a Content-Length (`Transfer-Encoding: chunked`).

Neither layer reads them on its own: Django's WSGIRequest takes a missing CONTENT_LENGTH as 0
and reads nothing, and DRF skips parsing whenever CONTENT_LENGTH is 0 or absent, so a chunked
`PUT` used to parse as `{}`. `read_unsized_body` reads such a body to its end, refusing it with
413 as soon as it crosses API_MAX_BODY_BYTES, and records its length so that Django, DRF and the
idempotency fingerprint all see the same bytes. The API calls it once the request is
authenticated: a body from nobody is never read.
"""

import io

from django.conf import settings
from django.core.exceptions import RequestDataTooBig

from kdesk.serving import guard

CHUNK = 64 * 1024


def _source(request):
    """The raw stream of a body of unknown length, or None when it cannot be read safely."""
    if hasattr(request, "scope"):
        # ASGI: Django's handler has already received the whole body into a file.
        return request._stream
    environ = getattr(request, "environ", {})
    if environ.get("wsgi.input_terminated"):
        # PEP 3333: the server (gunicorn) ends the input at the body's end.
        return environ["wsgi.input"]
    return None


def has_unsized_body(request):
    meta = request.META
    if meta.get("CONTENT_LENGTH"):
        return False
    return guard.is_chunked(meta.get("HTTP_TRANSFER_ENCODING"))


def read_unsized_body(request):
    """Read a chunked body into `request` (a Django HttpRequest), within the limit."""
    if not has_unsized_body(request) or request._read_started:
        return
    source = _source(request)
    if source is None:
        return
    limit = settings.API_MAX_BODY_BYTES
    parts, size = [], 0
    while True:
        part = source.read(CHUNK)
        if not part:
            break
        size += len(part)
        if size > limit:
            raise RequestDataTooBig(guard.body_too_large().detail)
        parts.append(part)
    body = b"".join(parts)
    request.META["CONTENT_LENGTH"] = str(len(body))
    request._stream = io.BytesIO(body)
