from django.conf import settings
from django.http import HttpResponse

from kdesk.serving import guard


class ApiBodyLimitMiddleware:
    """The refusals kdesk's servers make from the request head (kdesk/serving/guard.py: 414 for
    an over-long query string, 413 for an over-long declared body, 401 for an API body without
    credentials), made again here for any other server, before anything reads the body.

    DRF reads the body stream directly, which skips Django's own size check, so the size is
    checked here from Content-Length; chunked bodies are bounded as they are read
    (kdesk/api/body.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        meta = request.META
        raw_length = meta.get("CONTENT_LENGTH")
        refusal = guard.refusal_for(
            method=request.method,
            path=request.path,
            query_string=meta.get("QUERY_STRING", ""),
            headers={
                "authorization": meta.get("HTTP_AUTHORIZATION", ""),
                "cookie": meta.get("HTTP_COOKIE", ""),
            },
            content_length=guard.parse_content_length(raw_length) if raw_length else None,
            chunked=not raw_length and guard.is_chunked(meta.get("HTTP_TRANSFER_ENCODING")),
        )
        if refusal is None:
            return self.get_response(request)
        body = refusal.body()
        response = HttpResponse(body, status=refusal.status, content_type="application/json")
        for name, value in refusal.headers:
            response[name] = value
        return response


def content_security_policy():
    frames = " ".join(["'self'", *settings.IFRAME_ALLOWED_ORIGINS])
    return "; ".join(
        [
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data: https:",
            "connect-src 'self' ws: wss:",
            f"frame-src {frames}",
            "frame-ancestors 'self'",
            "base-uri 'self'",
            "form-action 'self'",
            "object-src 'none'",
        ]
    )


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = content_security_policy()

    def __call__(self, request):
        response = self.get_response(request)
        content_type = response.get("Content-Type", "")
        if content_type.startswith("text/html") and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.policy
        return response


class OriginTabMiddleware:
    """Remember which browser tab made this request, so its own socket skips the echo."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from kdesk.tabs import origin_tab

        token = origin_tab.set(request.headers.get("X-Kdesk-Tab", "")[:64])
        try:
            return self.get_response(request)
        finally:
            origin_tab.reset(token)


class MalformedSessionCookieMiddleware:
    """Forget a session cookie that no session could have: a forged one (with NUL bytes, say)
    would otherwise reach the database lookup and fail there instead of meaning "signed out"."""

    def __init__(self, get_response):
        import re

        from django.conf import settings

        self.get_response = get_response
        self.name = settings.SESSION_COOKIE_NAME
        self.valid = re.compile(r"^[a-z0-9]{8,64}$")

    def __call__(self, request):
        value = request.COOKIES.get(self.name)
        if value is not None and not self.valid.match(value):
            del request.COOKIES[self.name]
        return self.get_response(request)


class NulInputMiddleware:
    """Refuse a NUL character (U+0000) in the path or query string before any view runs: every
    lookup and search by such a value would fail in PostgreSQL as a 500. The API answers in its
    error shape, naming each parameter; desk JSON endpoints likewise; desk pages re-show the
    page frame with the message beside the search box. Form and JSON bodies are checked where
    they are read (kdesk.payload, kdesk.api.parsers), where the field is known.

    A database refusal of a value that got past those checks is, on desk pages, still the
    person's input: a 400 page instead of a 500 (the API's exception handler does the same)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from kdesk.text import NUL, nul_parameters

        query = request.META.get("QUERY_STRING", "")
        names = []
        if "%00" in query or NUL in query:
            names = nul_parameters(request.GET)
        in_path = NUL in request.path_info
        if names or in_path:
            return self._refuse(request, names, in_path)
        return self.get_response(request)

    def _refuse(self, request, names, in_path):
        from kdesk.text import nul_detail

        if request.path.startswith("/v1/") or request.path.endswith(".json"):
            from django.http import JsonResponse

            from kdesk.api.errors import error, errors_body

            items = [
                error(400, "nul_character", nul_detail(f"The query parameter {n}"), f"/{n}")
                for n in names
            ]
            if in_path:
                items.append(error(400, "nul_character", nul_detail("The address")))
            return JsonResponse(errors_body(items), status=400)
        from django.shortcuts import render

        if "q" in names:  # the search box in the top bar: the message goes beside it
            message = nul_detail("The search text")
            context = {"message": message, "search_error": message}
            context["search_value"] = _without_nul(request, "q")
        else:
            context = {"message": nul_detail("The page address")}
        return render(request, "400.html", context, status=400)

    def process_exception(self, request, exception):
        from django.db import DataError

        if not isinstance(exception, DataError) or request.path.startswith("/v1/"):
            return None
        import logging

        from django.shortcuts import render

        from kdesk.page_messages import tell

        logging.getLogger(__name__).warning("database refused a desk value: %s", exception)
        message = (
            "A value you entered could not be used: it is out of range or holds characters "
            "kdesk cannot store. Check what you typed and try again."
        )
        return tell(render(request, "400.html", {"message": message}, status=400), message)


def _without_nul(request, name):
    from kdesk.text import NUL

    return request.GET.get(name, "").replace(NUL, "")


class SignedOutPartialMiddleware:
    """A page's background request (htmx, or a fetch asking for JSON) made after the session has
    expired gets a 401, not the redirect to the sign-in page: followed, that redirect would swap
    a login form into the compose box or the attribute being saved. The page keeps what the
    agent typed and offers "sign in again" back to where they were (kdesk.js)."""

    def __init__(self, get_response):
        from django.conf import settings

        self.get_response = get_response
        self.login_url = settings.LOGIN_URL

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 302 or not response.get("Location", "").startswith(
            self.login_url
        ):
            return response
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return response
        background = request.headers.get("HX-Request") == "true" or (
            "application/json" in request.headers.get("Accept", "")
        )
        if not background:
            return response
        signed_out = HttpResponse(
            "You were signed out — sign in again.",
            status=401,
            content_type="text/plain; charset=utf-8",
        )
        signed_out["WWW-Authenticate"] = 'Session realm="kdesk"'
        return signed_out


class ProductNotFoundMiddleware:
    """Under DEBUG (`make run`) Django answers a 404 with its technical page, listing every URL
    pattern: agents trying the demo must see the product's own 404 page instead. Not used
    when DEBUG is off (handler404 does it there)."""

    def __init__(self, get_response):
        from django.core.exceptions import MiddlewareNotUsed

        if not settings.DEBUG:
            raise MiddlewareNotUsed
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 404 and response.get("Content-Type", "").startswith("text/html"):
            from kdesk.views import page_not_found

            return page_not_found(request)
        return response
