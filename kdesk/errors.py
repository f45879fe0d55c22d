"""Errors raised by services; the API turns them into API.md's error shape, pages into forms."""

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    pointer: str
    code: str
    detail: str
    # the query parameter at fault, when the error is about one (JSON:API `source.parameter`)
    parameter: str | None = None


class ServiceError(Exception):
    status = 400
    code = "invalid"
    title = "Invalid request"

    def __init__(self, detail="", *, errors=None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = list(errors or [])


class ValidationFailed(ServiceError):
    """Every problem with a payload at once; `errors` holds objects with pointer/code/detail."""

    status = 400
    code = "validation_error"
    title = "Validation failed"

    def __init__(self, errors, detail=""):
        super().__init__(detail or "; ".join(e.detail for e in errors), errors=errors)

    def as_dict(self):
        """{pointer: [detail, ...]} for forms."""
        out = {}
        for e in self.errors:
            out.setdefault(e.pointer, []).append(e.detail)
        return out


class Conflict(ServiceError):
    status = 409
    code = "conflict"
    title = "Conflict"


class NotFound(ServiceError):
    status = 404
    code = "not_found"
    title = "Not found"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"
    title = "Forbidden"


def stale_detail(what, given, current):
    """What a client is told when the rev it sent is not the stored one."""
    return (
        f"The {what} was changed by someone else: rev {given} is stale, current rev is "
        f"{current}. Fetch it again and retry."
    )


def check_rev(current, given, *, resource="resource"):
    """Refuse an update that was prepared against an older revision."""
    if given is None:
        return
    try:
        given = int(given)
    except (TypeError, ValueError):
        raise ValidationFailed([FieldError("/rev", "invalid", "rev must be an integer.")]) from None
    if given != current:
        raise Conflict(stale_detail(resource, given, current))
