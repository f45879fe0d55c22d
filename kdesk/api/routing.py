from django.urls import path, register_converter

from kdesk.payload import MAX_ID


class ExternalIdConverter:
    """External ids may hold slashes ("shop/123") but never end with one, so that the
    trailing-slash twin of the route still answers."""

    regex = r"[^/]+(?:/[^/]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


class IdConverter:
    """A database id in a path: 1 to 2**63-1. Anything else does not match the route, so it
    answers the API's JSON 404 instead of reaching a query the database cannot run. `schema` is
    what /v1/schema says of it (PATH_CONVERTER_OVERRIDES), so the two cannot drift."""

    regex = r"[0-9]{1,19}"
    schema = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

    def to_python(self, value):
        number = int(value)
        if not 1 <= number <= MAX_ID:
            raise ValueError(value)
        return number

    def to_url(self, value):
        return str(value)


register_converter(ExternalIdConverter, "external_id")
register_converter(IdConverter, "id")


def api_path(route, view, name=None):
    """Both `route` and `route/` reach the view: a redirect would drop a POST body. Ids in the
    route (`<int:pk>`) are read as API ids (IdConverter)."""
    route = route.rstrip("/").replace("<int:", "<id:")
    return [path(route, view, name=name), path(route + "/", view)]
