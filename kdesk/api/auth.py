"""API authentication: `Authorization: Bearer <key>` for programs, sessions (with CSRF) for agents."""

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.utils import timezone
from rest_framework import authentication, exceptions

from kdesk.models import ApiKey

TOKEN_PREFIX = "kdk_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


# Keys (with their user and org) are kept in the shared cache so that a request costs no query
# to authenticate; revoking a key deletes its entry (kdesk.services.api_key_revoke).
KEY_CACHE_SECONDS = 60


def cache_key(token_hash):
    return f"apikey:{token_hash}"


def load_key(token_hash):
    key = cache.get(cache_key(token_hash))
    if key is None:
        key = ApiKey.objects.select_related("user", "org").filter(token_hash=token_hash).first()
        if key is not None:
            cache.set(cache_key(token_hash), key, KEY_CACHE_SECONDS)
    return key


def forget_key(token_hash):
    cache.delete(cache_key(token_hash))


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
        key = load_key(hash_token(token))
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
            cache.set(cache_key(key.token_hash), key, KEY_CACHE_SECONDS)
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
