"""API authentication: `Authorization: Bearer <key>` for programs, sessions (with CSRF) for agents."""

import hashlib
from datetime import timedelta

from django.utils import timezone
from rest_framework import authentication, exceptions

from kdesk.models import ApiKey

TOKEN_PREFIX = "kdk_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request)
        if not header:
            return None
        parts = header.split()
        if parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Malformed Authorization header.")
        try:
            token = parts[1].decode()
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed("Invalid API key.") from None
        if not token.startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed("Invalid API key.")
        key = (
            ApiKey.objects.select_related("user", "org")
            .filter(token_hash=hash_token(token))
            .first()
        )
        now = timezone.now()
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if key.expires_at is not None and key.expires_at <= now:
            raise exceptions.AuthenticationFailed("This API key has expired.")
        if not key.user.is_active:
            raise exceptions.AuthenticationFailed("This API key's user is inactive.")
        if key.last_used_at is None or now - key.last_used_at > LAST_USED_GRANULARITY:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        key.user.org = key.org
        return key.user, key

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class SessionAuthentication(authentication.SessionAuthentication):
    """Sessions of people; machine users never sign in, and CSRF is enforced."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or result[0].is_machine:
            return None
        return result
