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

CHANGE = {"name": "Grace Hopper"}


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
    """Another transaction holds one customer's row and waits for a second's, which this
    request has locked to change it; the request then reaches for the first customer's row:
    PostgreSQL undoes the request. (Configuration rows no longer collide this way: their
    writers queue on the org's row first, tests/kdesk/test_config_lock.py.)"""
    if connection.vendor != "postgresql":
        pytest.skip("a real deadlock needs PostgreSQL")
    from customers.models import Customer
    from customers.services import customers as services

    first = api.post("/v1/customers", {"name": "Ada"}).json()["data"]["id"]
    second = api.post("/v1/customers", {"name": "Grace"}).json()["data"]["id"]
    settings = connection.settings_dict
    other = psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"],
        user=settings["USER"],
        dbname=settings["NAME"],
        password=settings["PASSWORD"] or None,
    )
    other.execute("SET deadlock_timeout = '10s'")  # the request's backend finds the cycle
    touch = f"UPDATE {Customer._meta.db_table} SET updated_at = updated_at WHERE id = %s"
    other.execute(touch, [first])  # holds the first customer's row
    locked = threading.Event()
    original = services.clean_customer

    def after_the_lock(*args, **kwargs):
        locked.set()  # the request holds the second customer's row
        time.sleep(0.5)  # meanwhile the other transaction starts waiting for it
        Customer.objects.select_for_update().get(pk=first)  # and this waits for the other
        return original(*args, **kwargs)

    monkeypatch.setattr(services, "clean_customer", after_the_lock)

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
        response = api.put(f"/v1/customers/{second}", CHANGE)
    finally:
        thread.join()
        other.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET deadlock_timeout")
    assert response.status_code == 503, response.content
    assert response.json()["errors"][0]["code"] == "write_conflict"
    assert response["Retry-After"] == "1"
    assert Customer.objects.get(pk=second).name == "Grace"
    monkeypatch.setattr(services, "clean_customer", original)
    # a moment later, the same request goes through
    again = api.put(f"/v1/customers/{second}", CHANGE)
    assert again.status_code == 200, again.content
    assert Customer.objects.get(pk=second).name == CHANGE["name"]
