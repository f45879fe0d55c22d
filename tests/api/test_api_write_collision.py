"""A write the database undoes because another transaction, running at the same moment, held
what it needed (a deadlock, a serialization failure, a lock given up on) answers 503 with
Retry-After and says so, not a 500: nothing was written, and the same request a moment later
goes through. Desk pages get a page that says the same in people's words."""

import threading
import time

import psycopg
import pytest
from django.db import OperationalError, connection

pytestmark = pytest.mark.django_db(transaction=True)

BODY = {"name": "Shop", "url": "https://93.184.215.14/hook", "events": ["kustomer.customer.create"]}
CHANGE = {"events": ["kustomer.customer.update"]}


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    from apps_directory import outbound

    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])


def _collision(sqlstate_error):
    failure = OperationalError("deadlock detected")
    failure.__cause__ = sqlstate_error("deadlock detected")
    return failure


@pytest.mark.parametrize(
    "failure",
    [
        _collision(psycopg.errors.DeadlockDetected),
        _collision(psycopg.errors.SerializationFailure),
        _collision(psycopg.errors.LockNotAvailable),
        OperationalError("database is locked"),
    ],
)
def test_a_collided_write_answers_503_with_retry_after(api, monkeypatch, failure):
    import customers.api.customers as endpoint

    def collided(**kwargs):
        raise failure

    monkeypatch.setattr(endpoint.services, "customer_create", collided)
    response = api.post("/v1/customers", {"name": "Ada"})
    assert response.status_code == 503
    assert response["Retry-After"] == "1"
    [error] = response.json()["errors"]
    assert error["code"] == "write_conflict"
    assert "nothing was changed" in error["detail"] and "Retry" in error["detail"]


@pytest.mark.parametrize(
    ("referer", "back"),
    [("http://testserver/settings/webhooks/", True), ("https://elsewhere.example/", False)],
)
def test_a_desk_page_that_collided_says_so_in_words(rf, referer, back):
    from kdesk import views

    request = rf.post("/settings/webhooks/", HTTP_REFERER=referer)
    try:
        raise _collision(psycopg.errors.DeadlockDetected)
    except OperationalError:
        response = views.server_error(request)
    assert response.status_code == 503 and response["Retry-After"] == "1"
    page = response.content.decode()
    assert "Someone else was saving the same thing" in page
    assert "nothing you sent was saved" in page
    assert (f'href="{referer}"' in page) is back


def test_a_real_deadlock_through_the_api_is_a_503_and_writes_nothing(api, monkeypatch):
    """Another transaction holds the org's configuration version (it changed one webhook's
    events) and waits for the webhook this request has locked, whose events the request then
    changes, which waits for that version: PostgreSQL undoes the request."""
    if connection.vendor != "postgresql":
        pytest.skip("a real deadlock needs PostgreSQL")
    from apps_directory.webhooks import services
    from apps_directory.webhooks.models import OutboundWebhook

    first = api.post("/v1/outbound-webhooks", {**BODY, "name": "First"}).json()["data"]["id"]
    second = api.post("/v1/outbound-webhooks", {**BODY, "name": "Second"}).json()["data"]["id"]
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        password=settings["PASSWORD"] or None,
    )
    other.execute("SET deadlock_timeout = '10s'")  # the request's backend finds the cycle
    table = OutboundWebhook._meta.db_table
    touch = f"UPDATE {table} SET events = events || '[]'::jsonb WHERE id = %s"
    other.execute(touch, [first])  # its trigger takes the org's row (config_version)
    locked = threading.Event()
    original = services.model_changes

    def after_the_lock(*args, **kwargs):
        locked.set()  # the request holds the second webhook's row
        time.sleep(0.5)  # meanwhile the other transaction starts waiting for it
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "model_changes", after_the_lock)

    def then_the_second():
        locked.wait(10)
        try:
            other.execute(touch, [second])
        finally:
            other.rollback()

    thread = threading.Thread(target=then_the_second)
    thread.start()
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET deadlock_timeout = '100ms'")
        response = api.put(f"/v1/outbound-webhooks/{second}", CHANGE)
    finally:
        thread.join()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET deadlock_timeout")
    assert response.status_code == 503, response.content
    assert response.json()["errors"][0]["code"] == "write_conflict"
    assert response["Retry-After"] == "1"
    assert OutboundWebhook.objects.get(pk=second).events == BODY["events"]
    monkeypatch.setattr(services, "model_changes", original)
    # a moment later, the same request goes through
    again = api.put(f"/v1/outbound-webhooks/{second}", CHANGE)
    assert again.status_code == 200, again.content
    assert OutboundWebhook.objects.get(pk=second).events == CHANGE["events"]
