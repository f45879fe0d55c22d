"""Page-number pagination (`?page=&pageSize=`) and opaque keyset cursors."""

import base64
import json
import math
from urllib.parse import urlencode

from rest_framework.exceptions import ParseError

from kdesk.api.parsers import parse_json_text
from kdesk.errors import FieldError, ValidationFailed

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 100


MAX_PAGE = 1_000_000


def _digits(request, name):
    """The parameter as an int, None when absent; 400 unless it is a positive integer."""
    raw = request.query_params.get(name)
    if raw in (None, ""):
        return None
    if not (raw.isascii() and raw.isdigit()) or not raw.strip("0"):
        raise ValidationFailed(
            [FieldError(f"/{name}", "invalid", f"{name} must be a positive integer.")]
        )
    digits = raw.lstrip("0")
    # any number this long is beyond every maximum; int() of thousands of digits is refused
    return int(digits) if len(digits) <= 18 else 10**18


def _positive_int(request, name, default, maximum=MAX_PAGE):
    """A positive integer parameter; 400 beyond `maximum` (page numbers)."""
    value = _digits(request, name)
    if value is None:
        return default
    if value > maximum:
        raise ValidationFailed(
            [FieldError(f"/{name}", "invalid", f"{name} may be at most {maximum:,}.")]
        )
    return value


def clamped_int(request, name, default, maximum):
    """A positive integer parameter clamped to `maximum` (pageSize, limit): asking for more
    than the API gives is not an error."""
    value = _digits(request, name)
    return default if value is None else min(value, maximum)


def page_params(request, *, default_size=DEFAULT_PAGE_SIZE, max_size=MAX_PAGE_SIZE):
    """(page, page_size) from the query string; an oversized pageSize is clamped."""
    page = _positive_int(request, "page", 1)
    size = clamped_int(request, "pageSize", default_size, max_size)
    return page, size


# What /v1/schema says of the integer parameters read here (kdesk.api.schema applies them to
# every operation that takes one): pageSize and limit are clamped, so they have no maximum.
QUERY_SCHEMAS = {
    "page": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE},
    "pageSize": {"type": "integer", "minimum": 1},
    "limit": {"type": "integer", "minimum": 1},
}


def _link(request, **changes):
    params = request.query_params.copy()
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        else:
            params[key] = str(value)
    query = urlencode(sorted(params.items()))
    return request.path.rstrip("/") + (f"?{query}" if query else "")


def page_document(request, data, *, page, size, total):
    pages = max(1, math.ceil(total / size)) if size else 1
    return {
        "meta": {"page": page, "pageSize": size, "total": total, "totalPages": pages},
        "links": {
            "self": _link(request, page=page, pageSize=size),
            "first": _link(request, page=1, pageSize=size),
            "prev": _link(request, page=page - 1, pageSize=size) if page > 1 else None,
            "next": _link(request, page=page + 1, pageSize=size) if page < pages else None,
        },
        "data": data,
    }


def paginate(request, queryset, serialize, **kwargs):
    """Slice a queryset into one page; `serialize(list_of_rows) -> list of resource objects`."""
    page, size = page_params(request, **kwargs)
    total = queryset.count()
    rows = list(queryset[(page - 1) * size : page * size])
    return page_document(request, serialize(rows), page=page, size=size, total=total)


def encode_cursor(values):
    raw = json.dumps(values, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor, *, param="cursor"):
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        return parse_json_text(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError, ParseError):
        raise ValidationFailed(
            [FieldError(f"/{param}", "invalid", "The cursor is not one this API issued.")]
        ) from None


def cursor_document(request, data, *, next_cursor, param="cursor", extra_meta=None):
    """A page of a cursor list. `links.first` is the list without a cursor; `links.prev` is
    null: a keyset cursor only walks forward."""
    meta = {"cursor": {"next": next_cursor}}
    if extra_meta:
        meta.update(extra_meta)
    return {
        "meta": meta,
        "links": {
            "self": request.get_full_path(),
            "first": _link(request, **{param: None}),
            "prev": None,
            "next": _link(request, **{param: next_cursor}) if next_cursor else None,
        },
        "data": data,
    }


def limit_param(request, *, default=100, maximum=500, name="limit"):
    return clamped_int(request, name, default, maximum)
