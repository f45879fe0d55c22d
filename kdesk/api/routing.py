from django.urls import path, register_converter


class ExternalIdConverter:
    """External ids may hold slashes ("shop/123") but never end with one, so that the
    trailing-slash twin of the route still answers."""

    regex = r"[^/]+(?:/[^/]+)*"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(ExternalIdConverter, "external_id")


def api_path(route, view, name=None):
    """Both `route` and `route/` reach the view: a redirect would drop a POST body."""
    route = route.rstrip("/")
    return [path(route, view, name=name), path(route + "/", view)]
