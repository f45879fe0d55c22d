"""API authentication: `Authorization: Bearer <key>` for programs, sessions (with CSRF) for agents."""

import hashlib
from datetime import timedelta

from django.core.cache import cache
from django.db import transaction
from django.db.models.base import ModelState
from django.utils import timezone
from rest_framework import authentication, exceptions

from kdesk import sharedcache
from kdesk.api import ratelimit
from kdesk.models import ApiKey, Organization, User

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
# An entry holds the three rows' column values, not pickled model objects: it costs a fraction
# to read back on every request, and the user's password hash never leaves the database.
_USER_SECRETS = {"password"}
_KEY_COLUMNS = tuple(f.attname for f in ApiKey._meta.concrete_fields)
_USER_COLUMNS = tuple(
    f.attname for f in User._meta.concrete_fields if f.attname not in _USER_SECRETS
)
_ORG_COLUMNS = tuple(f.attname for f in Organization._meta.concrete_fields)
# Which columns the rows hold: a process running other code (a deploy under way, a migration
# that added a column) takes an entry written with another layout as missing, and writes its own.
_LAYOUT = hashlib.sha256(repr((_KEY_COLUMNS, _USER_COLUMNS, _ORG_COLUMNS)).encode()).hexdigest()


def cache_key(token_hash):
    # the same for every layout, so that forgetting a key reaches processes of every version
    return f"apikey:{token_hash}"


def _from_database(token_hash):
    return (
        ApiKey.objects.select_related("user", "org")
        .defer(*(f"user__{name}" for name in _USER_SECRETS))
        .filter(token_hash=token_hash)
        .first()
    )


def _columns(instance, names):
    return tuple(getattr(instance, name) for name in names)


def _entry(key, generation):
    return (
        generation,
        _LAYOUT,
        _columns(key, _KEY_COLUMNS),
        _columns(key.user, _USER_COLUMNS),
        _columns(key.org, _ORG_COLUMNS),
    )


def _current(entry, generation):
    return (
        isinstance(entry, tuple)
        and len(entry) == 5
        and entry[0] == generation
        and entry[1] == _LAYOUT
    )


def _rebuild(model, names, row):
    # as unpickling builds a model object (no __init__, which costs four times as much here)
    instance = model.__new__(model)
    instance.__dict__.update(zip(names, row, strict=True))
    instance._state = ModelState()
    instance._state.adding = False
    instance._state.db = "default"
    return instance


def _from_entry(entry):
    """The key with its user and org, as loaded from the database; a column left out of the
    entry (the password hash) is a deferred field, read from the database if anything asks."""
    _, _, key_row, user_row, org_row = entry
    key = _rebuild(ApiKey, _KEY_COLUMNS, key_row)
    key.user = _rebuild(User, _USER_COLUMNS, user_row)
    key.org = _rebuild(Organization, _ORG_COLUMNS, org_row)
    return key


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
    if _current(entry, generation):
        key = _from_entry(entry)
    else:
        key = _from_database(token_hash)
        if key is not None:
            _remember(key, generation)
    return key, counted


def _remember(key, generation):
    key._cache_generation = generation
    sharedcache.set_quietly(cache_key(key.token_hash), _entry(key, generation), KEY_CACHE_SECONDS)


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
