import pytest
from django.db import transaction

from kdesk.events import emit, subscribe, unsubscribe
from kdesk.models import Event


@pytest.fixture
def received():
    seen = []

    def sink(events):
        seen.extend(e.type for e in events)

    subscribe(sink)
    yield seen
    unsubscribe(sink)


@pytest.mark.django_db(transaction=True)
def test_it_publishes_after_commit_only(org, received):
    with transaction.atomic():
        emit(org=org, type="customer.create", resource="customer", resource_id=1)
        assert received == []
    assert received == ["customer.create"]


@pytest.mark.django_db(transaction=True)
def test_it_publishes_nothing_on_rollback(org, received):
    with pytest.raises(RuntimeError), transaction.atomic():
        emit(org=org, type="customer.create", resource="customer", resource_id=1)
        raise RuntimeError("boom")
    assert received == []
    assert not Event.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_does_not_stop_others(org, received):
    def broken(events):
        raise ValueError("nope")

    subscribe(broken)
    try:
        with transaction.atomic():
            emit(org=org, type="x.y", resource="x", resource_id=1)
    finally:
        unsubscribe(broken)
    assert received == ["x.y"]


def _feed(api, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = api.get(f"/v1/events?{query}")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.django_db
def test_feed_returns_events_in_order_with_a_cursor(org, other_org, api):
    Event.objects.all().delete()  # the key's own creation event is not this test's subject
    for n in range(5):
        emit(
            org=org,
            type=f"customer.{'update' if n else 'create'}",
            resource="customer",
            resource_id=n,
        )
    emit(org=other_org, type="customer.create", resource="customer", resource_id=99)
    first = _feed(api, limit=3)
    ids = [int(e["id"]) for e in first["data"]]
    assert ids == sorted(ids) and len(ids) == 3
    assert first["data"][0]["attributes"]["name"] == "customer.create"
    second = _feed(api, after=first["meta"]["cursor"]["next"], limit=3)
    assert [e["attributes"]["resourceId"] for e in second["data"]] == ["3", "4"]
    assert second["links"]["next"] is None
    # polling from the last cursor sees only what happens later
    tail = _feed(api, after=second["meta"]["cursor"]["next"])
    assert tail["data"] == []
    emit(org=org, type="customer.delete", resource="customer", resource_id=4)
    tail = _feed(api, after=second["meta"]["cursor"]["next"])
    assert [e["attributes"]["name"] for e in tail["data"]] == ["customer.delete"]


@pytest.mark.django_db
def test_feed_filters_by_type_and_prefix(org, api):
    emit(org=org, type="customer.create", resource="customer", resource_id=1)
    emit(org=org, type="kobject.order.create", resource="kobject", resource_id=1)
    emit(org=org, type="kobject.order.delete", resource="kobject", resource_id=1)
    names = [e["attributes"]["name"] for e in _feed(api, types="kobject.*")["data"]]
    assert names == ["kobject.order.create", "kobject.order.delete"]
    names = [e["attributes"]["name"] for e in _feed(api, types="customer.create")["data"]]
    assert names == ["customer.create"]


@pytest.mark.django_db
def test_feed_never_shows_another_orgs_events(org, other_org, api, other_api):
    Event.objects.all().delete()
    emit(org=other_org, type="customer.create", resource="customer", resource_id=1)
    assert _feed(api)["data"] == []
    assert len(_feed(other_api)["data"]) == 1


@pytest.mark.django_db
def test_feed_rejects_a_forged_cursor(api):
    response = api.get("/v1/events?after=not-a-cursor!!")
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/after"


@pytest.mark.django_db
def test_feed_keeps_private_shortcuts_to_their_owner(org, admin_user, agent, api):
    from django.test import Client

    from conversations.services import shortcut_create

    shortcut_create(
        org=org,
        actor=admin_user,
        data={"name": "mine", "payload": "PRIVATE TEXT", "visibility": "private"},
    )
    browser = Client()
    browser.force_login(agent)
    assert "PRIVATE TEXT" not in browser.get("/v1/events?types=shortcut.*").content.decode()
    assert "PRIVATE TEXT" not in api.get("/v1/events?types=shortcut.*").content.decode()
    browser.force_login(admin_user)
    assert "PRIVATE TEXT" in browser.get("/v1/events?types=shortcut.*").content.decode()
