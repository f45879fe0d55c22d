from rest_framework import permissions

from kdesk import scopes
from kdesk.models import ApiKey

METHOD_ACTIONS = {
    "GET": "read",
    "HEAD": "read",
    "OPTIONS": "read",
    "POST": "create",
    "PUT": "update",
    "PATCH": "update",
    "DELETE": "delete",
}


def required_scope(view, request):
    """(resource, action) the view needs for this request, or None for open views."""
    overrides = getattr(view, "scope_map", None) or {}
    if request.method in overrides:
        return overrides[request.method]
    resource = getattr(view, "scope_resource", None)
    if resource is None:
        return None
    return resource, METHOD_ACTIONS.get(request.method, "read")


class HasScope(permissions.BasePermission):
    """An API key needs `org.permission.<resource>.<action>`; a session needs the role for it."""

    message = "This API key lacks the permission this request needs."

    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method.lower() not in view.http_method_names or not hasattr(
            view, request.method.lower()
        ):
            return True  # the view answers 405; no scope can make the method exist
        needed = required_scope(view, request)
        if needed is None:
            return True
        resource, action = needed
        if isinstance(request.auth, ApiKey):
            name = scopes.scope(resource, action)
            if name in request.auth.scopes:
                return True
            self.message = f"This API key lacks the scope {name}."
            return False
        if scopes.session_allows(user.role, resource, action):
            return True
        self.message = "Only admins may do this."
        return False


def allows(request, resource, action):
    """May this caller do `action` on `resource`: the key's scopes, or a session's role."""
    if isinstance(request.auth, ApiKey):
        return scopes.scope(resource, action) in request.auth.scopes
    user = request.user
    return bool(user and user.is_authenticated) and scopes.session_allows(
        user.role, resource, action
    )


def require(request, resource, action):
    """403 (API.md's shape) unless `allows`; for decisions a view makes after the URL's check,
    e.g. an upsert that turns out to create."""
    from kdesk.errors import Forbidden

    if allows(request, resource, action):
        return
    if isinstance(request.auth, ApiKey):
        raise Forbidden(f"This API key lacks the scope {scopes.scope(resource, action)}.")
    raise Forbidden("Only admins may do this.")


def require_upsert(request, resource, *, exists, rev=None):
    """A PUT by external id creates or updates: an existing record needs the update scope, a new
    one the create scope; a rev sent for a record that does not exist is stale (409)."""
    from kdesk.errors import Conflict

    if exists:
        require(request, resource, "update")
        return
    require(request, resource, "create")
    if rev is not None:
        raise Conflict(
            f"There is no {resource} with this externalId, so rev {rev} is stale: it was "
            "deleted meanwhile. Send the body without rev to create it."
        )
