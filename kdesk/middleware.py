from django.conf import settings

from kdesk.api.errors import json_error


class ApiBodyLimitMiddleware:
    """Refuse oversized API bodies up front with a 413 in the API error shape.

    DRF reads the body stream directly, which skips Django's own size check, so it is done here
    from Content-Length before anything is read.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/v1/"):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            if length > settings.API_MAX_BODY_BYTES:
                return json_error(
                    413,
                    "payload_too_large",
                    f"The request body is {length} bytes; the limit is "
                    f"{settings.API_MAX_BODY_BYTES} bytes.",
                )
        return self.get_response(request)


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
        from timeline.live import origin_tab

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
