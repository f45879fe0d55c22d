"""Unknown query parameters are refused (API.md): a sync tool that misspells a filter
(`updatedAt[gte]` for `updatedSince`) must get a 400, not the whole unfiltered list.

What a view accepts is read from its own OpenAPI declaration (`extend_schema(parameters=...)`),
so /v1/schema and the check can never disagree: documenting a parameter is what makes it
accepted.
"""

from functools import cache

from kdesk.errors import FieldError, ValidationFailed

CHECKED_METHODS = frozenset({"GET", "HEAD"})


@cache
def documented(view_class, method):
    """Names of the query parameters `/v1/schema` documents for this view and method."""
    from drf_spectacular.generators import SchemaGenerator

    generator = SchemaGenerator()
    view = generator.create_view(view_class.as_view(), method)
    schema = view.schema  # holds the view weakly: keep both alive while reading
    names = frozenset(p.name for p in schema.get_override_parameters() if p.location == "query")
    del schema, view, generator
    return names


def _pointer(name):
    return "/" + name.replace("~", "~0").replace("/", "~1")


def check(view, request):
    if request.method not in CHECKED_METHODS or not request.query_params:
        return
    method = "GET" if request.method == "HEAD" else request.method
    if not hasattr(view, method.lower()):
        return  # DRF answers 405 next
    allowed = documented(type(view), method)
    unknown = [name for name in request.query_params if name not in allowed]
    if not unknown:
        return
    accepted = ", ".join(sorted(allowed)) or "none"
    raise ValidationFailed(
        [
            FieldError(
                _pointer(name),
                "unknown_parameter",
                f"Unknown query parameter “{name}”; this endpoint accepts: {accepted}.",
                parameter=name,
            )
            for name in unknown
        ]
    )
