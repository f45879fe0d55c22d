"""An Idempotency-Key's record commits with the request's own writes: a concurrent retry gets
409 instead of running the write a second time (PostgreSQL); a failure leaves neither the write
nor the record, so the retry runs; a record left "in progress" by an older version is taken
over at once."""

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from conversations import services as conv_services
from conversations.models import Tag
from kdesk.models import IdempotencyRecord
from tests.factories import ApiClient

HEADERS = {"Idempotency-Key": "retry-1"}


@pytest.mark.django_db(transaction=True)
def test_a_concurrent_retry_is_409_and_the_write_happens_once(org, make_key, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite runs write transactions one at a time: the retry waits instead")
    _, token = make_key(org)
    entered, release = threading.Event(), threading.Event()
    real = conv_services.tag_create

    def slow_create(**kwargs):
        entered.set()
        release.wait(10)
        return real(**kwargs)

    monkeypatch.setattr(conv_services, "tag_create", slow_create)
    results = {}

    def first():
        try:
            results["first"] = ApiClient(token).post("/v1/tags", {"name": "vip"}, headers=HEADERS)
        finally:
            connections.close_all()

    thread = threading.Thread(target=first)
    thread.start()
    try:
        assert entered.wait(10)
        second = ApiClient(token).post("/v1/tags", {"name": "vip"}, headers=HEADERS)
        assert second.status_code == 409, second.content
        error = second.json()["errors"][0]
        assert error["code"] == "idempotency_key_in_progress"
        assert second["Retry-After"]
    finally:
        release.set()
        thread.join()
    assert results["first"].status_code == 201
    replay = ApiClient(token).post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert replay.status_code == 201 and replay["Idempotent-Replayed"] == "true"
    assert replay.json() == results["first"].json()
    assert Tag.objects.filter(org=org).count() == 1


@pytest.mark.django_db
def test_a_crash_releases_the_key(api, org, monkeypatch):
    def boom(**kwargs):
        raise RuntimeError("the process fell over")

    monkeypatch.setattr(conv_services, "tag_create", boom)
    with pytest.raises(RuntimeError):
        api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    response = api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


@pytest.mark.django_db
def test_a_client_error_is_the_first_result(api):
    first = api.post("/v1/tags", {"color": "red"}, headers=HEADERS)
    assert first.status_code == 400
    again = api.post("/v1/tags", {"color": "red"}, headers=HEADERS)
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_a_stale_in_progress_record_is_taken_over_at_once(api, org):
    # a record left "in progress" by an older version whose process died
    api.post("/v1/tags", {"name": "vip"}, headers={"Idempotency-Key": "probe"})
    probe = IdempotencyRecord.objects.get(key="probe")
    probe.pk = None
    probe.key = HEADERS["Idempotency-Key"]
    probe.status_code = 0
    probe.response_body = b""
    probe.save()
    Tag.objects.all().delete()
    response = api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert IdempotencyRecord.objects.get(key=HEADERS["Idempotency-Key"]).status_code == 201


@pytest.mark.django_db
def test_the_write_and_the_record_commit_together(api, org, monkeypatch):
    from kdesk.api import idempotency

    def crash(*args, **kwargs):
        raise RuntimeError("the process fell over before the record was written")

    monkeypatch.setattr(idempotency, "store", crash)
    with pytest.raises(RuntimeError):
        api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert not Tag.objects.exists() and not IdempotencyRecord.objects.exists()
    monkeypatch.undo()
    response = api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    again = api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert again.status_code == 201 and again["Idempotent-Replayed"] == "true"
    assert Tag.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_record_runs_the_request_again(api, org):
    api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(days=2))
    Tag.objects.all().delete()
    response = api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert response.status_code == 201 and "Idempotent-Replayed" not in response


@pytest.mark.django_db
def test_a_database_refusal_is_recorded_and_leaves_nothing(api, org, monkeypatch):
    from django.db import DataError

    real = conv_services.tag_create

    def write_then_refuse(**kwargs):
        real(**kwargs)
        raise DataError("value out of range")

    monkeypatch.setattr(conv_services, "tag_create", write_then_refuse)
    first = api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert first.status_code == 400, first.content
    assert not Tag.objects.exists()
    monkeypatch.undo()
    again = api.post("/v1/tags", {"name": "vip"}, headers=HEADERS)
    assert again.status_code == 400 and again["Idempotent-Replayed"] == "true"
    assert not Tag.objects.exists()
