"""A revoked or expired key, or one whose user is deactivated or deleted, stops working at once
in every process: every change to a key deletes its shared-cache entry (admin edits too), no
process keeps a copy of its own, and while Redis is away keys are read from the database. In the
common case (key cached in Redis) authenticating costs no query."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

from kdesk import sharedcache
from kdesk.api import auth, ratelimit
from kdesk.api.auth import cache_key
from tests.factories import ApiClient

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _cache_up():
    sharedcache._state.update(down=False, down_until=0.0)
    sharedcache._pending_deletes.clear()
    yield
    sharedcache._state.update(down=False, down_until=0.0)
    sharedcache._pending_deletes.clear()


@pytest.fixture
def used_key(org, make_key):
    key, token = make_key(org)
    client = ApiClient(token, key=key)
    assert client.get("/v1/users/current").status_code == 200
    assert cache.get(cache_key(key.token_hash)) is not None  # cached, as in steady use
    return key, client


def _refused(client):
    response = client.get("/v1/users/current")
    assert response.status_code == 401, response.content
    return response.json()["errors"][0]["detail"]


def test_authenticating_a_cached_key_costs_no_query(used_key):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, client = used_key
    with CaptureQueriesContext(connection) as queries:
        client.get("/v1/users/current")
    assert not [q for q in queries if "kdesk_apikey" in q["sql"]]


def test_the_cached_entry_holds_no_password_hash_and_gives_back_the_same_rows(used_key):
    key, client = used_key
    entry = cache.get(cache_key(key.token_hash))
    assert key.user.password and key.user.password not in repr(entry)
    cached = auth._from_entry(entry)
    assert (cached.pk, cached.scopes, cached.token_hash) == (key.pk, key.scopes, key.token_hash)
    assert (cached.user.pk, cached.user.email, cached.user.is_active) == (
        key.user.pk,
        key.user.email,
        key.user.is_active,
    )
    assert (cached.org.pk, cached.org.slug) == (key.org.pk, key.org.slug)
    assert cached.user.get_deferred_fields() == {"password"}
    # anything that does ask for the hash reads it from the database, as a deferred field
    assert cached.user.password == type(key.user).objects.get(pk=key.user.pk).password
    body = client.get("/v1/users/current").json()
    assert body["data"]["id"] == str(key.user.pk)


@pytest.mark.parametrize(
    "left_by",
    ["an older version (a pickled key)", "a version with other columns", "an old generation"],
)
def test_an_entry_this_code_cannot_read_is_taken_as_missing(used_key, left_by):
    key, client = used_key
    entry = cache.get(cache_key(key.token_hash))
    foreign = {
        "an older version (a pickled key)": (entry[0], key),
        "a version with other columns": (entry[0], "another", *entry[2:]),
        "an old generation": (entry[0] - 1, *entry[1:]),
    }[left_by]
    cache.set(cache_key(key.token_hash), foreign, 60)
    type(key).objects.filter(pk=key.pk).update(revoked_at=timezone.now())  # no signal
    assert "revoked" in _refused(client)  # read from the database, not from the entry
    assert auth._current(cache.get(cache_key(key.token_hash)), entry[0])  # and written anew


def test_an_admin_edit_that_revokes_the_key_applies_at_once(used_key):
    key, client = used_key
    key.revoked_at = timezone.now()
    key.save()  # as the Django admin does: no service, no explicit cache delete
    assert "revoked" in _refused(client)


def test_an_expiry_moved_into_the_past_applies_at_once(used_key):
    key, client = used_key
    key.expires_at = timezone.now() - timedelta(seconds=1)
    key.save(update_fields=["expires_at"])
    assert "expired" in _refused(client)


def test_deactivating_the_keys_user_applies_at_once(used_key):
    key, client = used_key
    key.user.is_active = False
    key.user.save(update_fields=["is_active"])
    assert "inactive" in _refused(client)


def test_deleting_the_key_applies_at_once(used_key):
    key, client = used_key
    key.delete()
    assert "Invalid" in _refused(client)


def _break_cache(monkeypatch):
    def down(*args, **kwargs):
        raise RedisConnectionError("Error 111 connecting to 127.0.0.1:1. Connection refused.")

    for name in ("get", "set", "add", "incr", "delete", "get_many"):
        monkeypatch.setattr(cache, name, down)
    # and the script that reads a key's entry and counts its hit in one round trip
    monkeypatch.setattr(ratelimit, "_read_and_count", down)


def test_a_key_revoked_while_redis_is_away_is_refused_then_and_after(used_key, monkeypatch):
    from kdesk.services import api_key_revoke

    key, client = used_key
    with monkeypatch.context() as outage:
        _break_cache(outage)
        assert client.get("/v1/users/current").status_code == 200  # served from the database
        api_key_revoke(org=key.org, key=key)
        assert "revoked" in _refused(client)
        assert cache_key(key.token_hash) in sharedcache._pending_deletes
    # Redis is back, still holding the entry cached before the outage: the missed delete is
    # made at the first use of the cache, before the entry can be read
    sharedcache._state["down_until"] = 0.0
    assert "revoked" in _refused(client)
    cached = auth._from_entry(cache.get(cache_key(key.token_hash)))
    assert cached.revoked_at is not None  # what is cached now is the revoked row


def test_entries_cached_before_an_outage_are_not_trusted_after_it(used_key, monkeypatch):
    """Another process revoked the key during the outage and could not delete the entry (its
    pending delete lives in that process): the generation bumped on recovery retires it."""
    key, client = used_key
    stale = cache.get(cache_key(key.token_hash))
    with monkeypatch.context() as outage:
        _break_cache(outage)
        assert client.get("/v1/users/current").status_code == 200
    type(key).objects.filter(pk=key.pk).update(revoked_at=timezone.now())  # no signal
    cache.set(cache_key(key.token_hash), stale, 60)  # the entry the other process left
    sharedcache._state["down_until"] = 0.0
    assert "revoked" in _refused(client)


def test_a_process_with_a_stale_copy_cannot_exist(used_key):
    """Simulate a second process that read the key before it was revoked: all it holds is the
    shared entry, which the revocation deleted; nothing else is consulted."""
    from kdesk.api import auth
    from kdesk.services import api_key_revoke

    key, client = used_key
    assert not [name for name in vars(auth) if name.startswith("_local")]
    api_key_revoke(org=key.org, key=key)
    assert cache.get(cache_key(key.token_hash)) is None
    assert "revoked" in _refused(client)


@pytest.mark.skipif(
    "not __import__('django.conf').conf.settings.REDIS_URL",
    reason="needs Redis (the CI PostgreSQL leg runs it)",
)
def test_two_server_processes_refuse_a_key_revoked_elsewhere(org, make_key):
    import httpx
    from django.conf import settings

    from kdesk.services import api_key_revoke
    from tests.servers import start_daphne, start_gunicorn, stop

    key, token = make_key(org)
    servers = [
        start_daphne(REDIS_URL=settings.REDIS_URL),
        start_gunicorn(REDIS_URL=settings.REDIS_URL),
    ]
    try:
        headers = {"Authorization": f"Bearer {token}"}
        for _, base in servers:  # each process authenticates (the key is now cached)
            assert httpx.get(base + "/v1/users/current", headers=headers).status_code == 200
        api_key_revoke(org=org, key=key)  # a third process (this one) revokes it
        for _, base in servers:
            assert httpx.get(base + "/v1/users/current", headers=headers).status_code == 401
    finally:
        for proc, _ in servers:
            stop(proc)
