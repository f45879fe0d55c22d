from django.urls import path


def api_path(route, view, name=None):
    """Both `route` and `route/` reach the view: a redirect would drop a POST body."""
    route = route.rstrip("/")
    return [path(route, view, name=name), path(route + "/", view)]
