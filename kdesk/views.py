from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from kdesk.api.errors import api_not_found, api_server_error


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


def page_not_found(request, exception=None):
    if request.path.startswith("/v1/"):
        return api_not_found(request, exception)
    return render(request, "404.html", status=404)


def permission_denied(request, exception=None):
    if request.path.startswith("/v1/"):
        from kdesk.api.errors import json_error

        return json_error(403, "forbidden", "You may not do this.")
    return render(request, "403.html", status=403)


def server_error(request):
    if request.path.startswith("/v1/"):
        return api_server_error(request)
    return render(request, "500.html", status=500)
