"""API authentication: `Authorization: Bearer <key>` for programs, sessions (with CSRF) for agents."""

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone
from rest_framework import authentication, exceptions

from kdesk import sharedcache
from kdesk.api import ratelimit
from kdesk.models import ApiKey

TOKEN_PREFIX = "kdk_"
# Writing last_used_at on every request would turn each read into a write.
LAST_USED_GRANULARITY = timedelta(minutes=1)


def hash_token(token):
    return hashlib.sha256(token.encode()).hexdigest()


# Keys (with their user and org) are kept in the shared cache (Redis) so that a request costs
# no query to authenticate. Every process reads the same entry, and any change to a key or its
# user deletes it (`forget_key`, from the save/delete signals below), so a revocation, an expiry
# moved into the past or a deactivated user takes effect at once on every process. Keys are
# never cached inside a process: while Redis is unreachable each request reads the database
# (kdesk/sharedcache.py). Without REDIS_URL the cache is the process's own memory, which is
# only right for a single process (`make run`); the README says several need Redis.
KEY_CACHE_SECONDS = 60


def cache_key(token_hash):
    return f"apikey:{token_hash}"


def _from_database(token_hash):
    return ApiKey.objects.select_related("user", "org").filter(token_hash=token_hash).first()


def load_key(token_hash):
    """(the key with its user and org, or None; this request's hit on the key's rate limit, as
    (count, window end), or None when there is no such key).

    Every request presenting an existing key is counted here, whatever follows (401 for a
    revoked key, 403 for a missing scope): on Redis in the round trip that reads the key's
    entry, else (no Redis, Redis away, the entry not cached) on its own."""
    key, counted = _load_key(token_hash)
    if key is not None and counted is None:
        counted = ratelimit.count_hit(ratelimit.key_counter(token_hash))
    return key, counted


def _load_key(token_hash):
    entry_key = cache_key(token_hash)
    counted = None
    try:
        # one round trip: the entry, the generation it must carry (kdesk/sharedcache.py) and,
        # on Redis, the hit on the key's rate limit
        read = ratelimit.read_and_count(
            entry_key, sharedcache.GENERATION_KEY, ratelimit.key_counter(token_hash)
        )
        if read is None:
            found = sharedcache.run(cache.get_many, [entry_key, sharedcache.GENERATION_KEY])
        else:
            found, counted = read
    except sharedcache.Unavailable:
        return _from_database(token_hash), None
    generation = found.get(sharedcache.GENERATION_KEY, 0)
    entry = found.get(entry_key)
    if entry is not None and entry[0] == generation:
        key = entry[1]
    else:
        key = _from_database(token_hash)
        if key is not None:
            _remember(key, generation)
    return key, counted


def _remember(key, generation):
    key._cache_generation = generation
    sharedcache.set_quietly(cache_key(key.token_hash), (generation, key), KEY_CACHE_SECONDS)


def forget_key(token_hash):
    sharedcache.delete(cache_key(token_hash))


def _forget_after_commit(token_hashes):
    hashes = list(token_hashes)
    for token_hash in hashes:
        forget_key(token_hash)
    # and again after commit, in case a request cached the old row in between
    transaction.on_commit(lambda: [forget_key(h) for h in hashes])


def key_changed(sender, instance, created=False, **kwargs):
    """post_save/post_delete of an ApiKey (admin edits included): the cached copy is stale."""
    if not created:
        _forget_after_commit([instance.token_hash])


def user_changed(sender, instance, created=False, update_fields=None, **kwargs):
    """post_save of a key's machine user: the cache holds the user (is_active) with the key."""
    if created or not instance.is_machine:
        return
    if update_fields is not None and set(update_fields) <= {"last_login"}:
        return
    _forget_after_commit(ApiKey.objects.filter(user=instance).values_list("token_hash", flat=True))


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
        key, request.counted_hit = load_key(hash_token(token))
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
            _remember(key, getattr(key, "_cache_generation", 0))
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
