"""Request parameters read the same way by every view."""

from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.payload import integral

MAX_REV = 10**18 - 1
# What /v1/schema says of `rev` in a query string or a body (kdesk.api.schema).
REV_SCHEMA = {"type": "integer", "minimum": 0, "maximum": MAX_REV}
BODY_REV_SCHEMA = {**REV_SCHEMA, "nullable": True}  # null: no check, as when it is left out


def _as_rev(value, pointer):
    number = integral(value) if not isinstance(value, str) else None
    if number is not None and 0 <= number <= MAX_REV:
        return number
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) < 19:
        return int(value)
    raise ValidationFailed([FieldError(pointer, "invalid", "rev must be an integer.")])


def check_rev(value, pointer):
    """400 unless `value`, from a JSON body, is a rev: an integer from 0 (not its digits)."""
    if integral(value) is None:
        raise ValidationFailed([FieldError(pointer, "invalid", "rev must be an integer.")])
    _as_rev(value, pointer)


def rev_param(request):
    """The rev a write was prepared against: `?rev=` or the body's `rev` (they must agree), or
    None when neither is sent. The services refuse a stale one with 409."""
    raw = request.query_params.get("rev")
    query = _as_rev(raw, "/rev") if raw not in (None, "") else None
    body = None
    if request.method not in ("GET", "HEAD", "DELETE", "OPTIONS"):
        data = request.data
        if isinstance(data, dict) and data.get("rev") is not None:
            body = _as_rev(data["rev"], "/rev")
    if query is not None and body is not None and query != body:
        # Two revs cannot both be the current one, so this is the stale-rev answer (409) rather
        # than bad input: each is well formed, and no schema can tie a query value to a body's.
        raise Conflict(
            "rev in the query string differs from rev in the body: at most one of them is "
            "the current rev.",
            errors=[
                FieldError(
                    "/rev", "conflict", "rev in the query string differs from rev in the body."
                )
            ],
        )
    return query if query is not None else body


def flag_param(request, name):
    """A boolean query parameter (documented `type: boolean`): `true` or `false`; left out or
    empty is false; anything else is a 400 rather than a silent false."""
    raw = request.query_params.get(name)
    if raw in (None, "", "false"):
        return False
    if raw == "true":
        return True
    raise ValidationFailed([FieldError(f"/{name}", "invalid", f"{name} must be true or false.")])


def with_rev(data, rev):
    """The body with `rev` set, for services that read the rev from the body only."""
    if rev is None or not isinstance(data, dict):
        return data
    return {**data, "rev": rev}
