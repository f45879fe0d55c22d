from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kdesk.api.errors import (
    api_not_found,
    api_server_error,
    database_unavailable,
    write_collision,
)
from kdesk.page_messages import tell


class EmailAuthenticationForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "That email and password do not match an account. Check both and try "
        "again.",
        "inactive": "This account is inactive.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "Email"
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "email", "type": "email", "autofocus": True}
        )

    def confirm_login_allowed(self, user):
        if user.is_machine:
            raise self.get_invalid_login_error()
        super().confirm_login_allowed(user)


class LoginView(auth_views.LoginView):
    form_class = EmailAuthenticationForm
    redirect_authenticated_user = True


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any database failure means "not alive"
        return JsonResponse({"status": "error", "detail": str(exc)}, status=503)
    return JsonResponse({"status": "ok"})


@never_cache
@require_GET
def readyz(request):
    """Readiness: each dependency's state (kdesk/health.py); 503 when the database is down."""
    from kdesk.health import readiness

    report = readiness()
    return JsonResponse(report, status=503 if report["status"] == "unavailable" else 200)


def _is_api(request):
    return request.path == "/v1" or request.path.startswith("/v1/")


def page_not_found(request, exception=None):
    if _is_api(request):
        return api_not_found(request, exception)
    return tell(
        render(request, "404.html", status=404),
        "This is no longer here: it may have been deleted or merged. Reload the page.",
    )


def permission_denied(request, exception=None):
    if _is_api(request):
        from kdesk.api.errors import json_error

        return json_error(403, "forbidden", "You may not do this.")
    # a message raised on purpose (PermissionDenied("…")) tells the person what to do instead
    detail = str(exception) if exception is not None and exception.args else ""
    response = render(request, "403.html", {"exception": detail}, status=403)
    return tell(response, detail or "You may not do this.")


def server_error(request):
    import sys

    from kdesk.health import is_database_outage, is_write_collision

    failure = sys.exc_info()[1]
    if is_write_collision(failure):
        return write_collision(request)
    if is_database_outage(failure):
        return database_unavailable(request)
    if request.path.startswith("/v1/"):
        return api_server_error(request)
    # No context processors: the page must render even when the database is what failed.
    from django.http import HttpResponseServerError
    from django.template import loader

    return tell(
        HttpResponseServerError(loader.get_template("500.html").render()),
        "Something went wrong on our side and it has been logged; nothing was half-saved. "
        "Try again in a moment.",
    )


def admin_required(view):
    """Sign-in required, and the admin role: others get the 403 page."""
    from functools import wraps

    from django.contrib.auth.decorators import login_required
    from django.core.exceptions import PermissionDenied

    @login_required
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.role != "admin":
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapper


@admin_required
def settings_home(request):
    from kdesk import settings_home as sections

    org = request.user.org
    return render(
        request,
        "settings/home.html",
        {
            **sections.context(org),
            "key_count": org.api_keys.filter(revoked_at__isnull=True).count(),
            "people": org.users.filter(is_machine=False).order_by("display_name"),
            "teams": org.teams.prefetch_related("members").order_by("name"),
        },
    )


API_KEY_TOKEN = "api_key_token_once"


@admin_required
def api_keys(request):
    from django.contrib import messages

    from kdesk.errors import ValidationFailed
    from kdesk.forms import ApiKeyForm
    from kdesk.services import api_key_create

    org = request.user.org
    form = ApiKeyForm(request.POST or None)
    # the token of a key just made, shown on the page the redirect leads to, then forgotten
    token = request.session.pop(API_KEY_TOKEN, None) if request.method == "GET" else None
    if request.method == "POST" and form.is_valid():
        try:
            key, token = api_key_create(
                org=org,
                name=form.cleaned_data["name"],
                scopes=form.chosen_scopes(),
                expires_at=form.cleaned_data["expires_at"],
                rate_limit_per_minute=form.cleaned_data["rate_limit_per_minute"],
                actor=request.user,
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                field = {"/name": "name", "/expiresAt": "expires_at"}.get(error.pointer)
                form.add_error(field, error.detail)
        else:
            request.session[API_KEY_TOKEN] = {"id": key.pk, "name": key.name, "token": token}
            messages.success(request, f"API key “{key.name}” created. Copy the token now.")
            # POST-redirect-GET: a refresh shows the list, it never makes a second key
            from django.shortcuts import redirect

            return redirect("settings-api-keys")
    keys = org.api_keys.select_related("created_by").order_by("-created_at")
    response = render(
        request,
        "settings/api_keys.html",
        {"form": form, "keys": keys, "token": token},
        status=400 if request.method == "POST" and form.errors else 200,
    )
    if token:
        response["Cache-Control"] = "no-store"  # the token must not outlive this page view
    return response


@admin_required
def api_key_revoke(request, pk):
    from django.contrib import messages
    from django.shortcuts import get_object_or_404, redirect

    from kdesk.models import ApiKey
    from kdesk.services import api_key_revoke as revoke

    key = get_object_or_404(ApiKey, org=request.user.org, pk=pk)
    if request.method == "POST":
        revoke(org=request.user.org, key=key, actor=request.user)
        messages.success(request, f"API key “{key.name}” revoked; it stops working at once.")
        return redirect("settings-api-keys")
    return render(request, "settings/api_key_revoke.html", {"key": key})
