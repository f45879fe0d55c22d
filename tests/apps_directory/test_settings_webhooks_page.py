"""/settings/webhooks/: admins list, create (errors beside fields, token once after a redirect),
edit, toggle, rotate, see the delivery log, replay, and delete after confirming."""

import re

import pytest

from apps_directory.webhooks.models import Delivery, OutboundWebhook

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Order system",
    "events": ["kustomer.customer.create", "kustomer.customer.update"],
    "headers": "X-Shop: north",
    "enabled": "on",
}


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


def test_agents_get_403(client, agent):
    client.force_login(agent)
    assert client.get("/settings/webhooks/").status_code == 403
    assert client.post("/settings/webhooks/", FORM).status_code == 403


def test_create_shows_the_token_once_after_a_redirect(admin_client, receiver, allow_private):
    r = admin_client.post("/settings/webhooks/", {**FORM, "url": receiver.url})
    webhook = OutboundWebhook.objects.get()
    assert r.status_code == 302 and r["Location"] == f"/settings/webhooks/{webhook.pk}/"
    page = admin_client.get(r["Location"]).content.decode()
    assert webhook.token in page and "shown once" in page
    assert webhook.headers == {"X-Shop": "north"}
    again = admin_client.get(r["Location"]).content.decode()
    assert webhook.token not in again


def test_errors_are_shown_beside_fields(admin_client, monkeypatch):
    from apps_directory import outbound

    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["10.0.0.1"])
    r = admin_client.post(
        "/settings/webhooks/",
        {
            **FORM,
            "name": "",
            "url": "https://intranet.example/",
            "events": [],
            "headers": "nocolon",
        },
    )
    assert r.status_code == 400
    page = r.content.decode()
    assert 'id="id_name_error"' in page
    assert 'id="id_headers_error"' in page and "Name: value" in page
    assert not OutboundWebhook.objects.exists()
    r = admin_client.post("/settings/webhooks/", {**FORM, "url": "https://intranet.example/"})
    page = r.content.decode()
    assert r.status_code == 400
    assert re.search(r'id="id_url_error">.*private address', page, re.S)
    r = admin_client.post(
        "/settings/webhooks/",
        {**FORM, "url": "https://intranet.example/", "events": ["kustomer.kobject.nope.create"]},
    )
    assert r.status_code == 400
    assert re.search(r'id="id_events_error">.*not one of the available', r.content.decode(), re.S)
    assert not OutboundWebhook.objects.exists()


def test_log_toggle_rotate_replay_and_delete(
    admin_client, api, receiver, allow_private, django_capture_on_commit_callbacks
):
    admin_client.post("/settings/webhooks/", {**FORM, "url": receiver.url})
    webhook = OutboundWebhook.objects.get()
    base = f"/settings/webhooks/{webhook.pk}/"
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    page = admin_client.get(base).content.decode()
    assert "kustomer.customer.create" in page and "delivered" in page
    assert "webhook-signature" in page and "HTTP 200" in page
    delivery = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(f"{base}deliveries/{delivery.pk}/replay/")
    assert r.status_code == 302 and len(receiver.requests) == 2
    r = admin_client.post(
        f"{base}replay/", {"start": "2030-01-02T00:00", "end": "2030-01-01T00:00"}
    )
    assert r.status_code == 400 and "must be after" in r.content.decode()
    admin_client.post(f"{base}toggle/")
    assert not OutboundWebhook.objects.get().enabled
    admin_client.post(f"{base}toggle/")
    assert OutboundWebhook.objects.get().enabled
    old = webhook.token
    r = admin_client.post(f"{base}rotate/")
    new = OutboundWebhook.objects.get().token
    assert new != old and new in admin_client.get(base).content.decode()
    # edit
    r = admin_client.post(base, {**FORM, "name": "Renamed", "url": receiver.url})
    assert r.status_code == 302 and OutboundWebhook.objects.get().name == "Renamed"
    # delete asks first
    confirm = admin_client.get(f"{base}delete/")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.content.decode()
    assert OutboundWebhook.objects.exists()
    assert admin_client.post(f"{base}delete/").status_code == 302
    assert not OutboundWebhook.objects.exists()


def test_other_orgs_webhooks_are_404(admin_client, other_org):
    from apps_directory.webhooks.models import OutboundWebhook as W

    theirs = W.objects.create(org=other_org, name="x", url="https://x.test/", token="whsec_x")
    assert admin_client.get(f"/settings/webhooks/{theirs.pk}/").status_code == 404
    assert admin_client.post(f"/settings/webhooks/{theirs.pk}/toggle/").status_code == 404


def test_object_types_are_ticked_by_their_display_name(admin_client, org, allow_private, receiver):
    from klasses.models import Klass

    Klass.objects.create(org=org, name="order", display_name="Order")
    page = admin_client.get("/settings/webhooks/").content.decode()
    row = re.search(r'<th scope="row"[^>]*>Order</th>(.*?)</tr>', page, re.S)
    assert row and 'value="kustomer.kobject.order.create"' in row.group(1)
    assert "Custom object events" not in page and ">Customer</th>" in page
    r = admin_client.post(
        "/settings/webhooks/",
        {**FORM, "url": receiver.url, "events": ["kustomer.kobject.order.update"]},
    )
    assert r.status_code == 302
    webhook = OutboundWebhook.objects.get()
    assert webhook.events == ["kustomer.kobject.order.update"]
    # the object type goes away: its event stays ticked, named as deleted, until unticked
    Klass.objects.filter(org=org).delete()
    page = admin_client.get(f"/settings/webhooks/{webhook.pk}/").content.decode()
    row = re.search(
        r'<th scope="row"[^>]*>order \(object type deleted\)</th>(.*?)</tr>', page, re.S
    )
    assert row and re.search(r'value="kustomer.kobject.order.update"[^>]*checked', row.group(1))
    r = admin_client.post(f"/settings/webhooks/{webhook.pk}/", {**FORM, "url": receiver.url})
    assert r.status_code == 302
    assert OutboundWebhook.objects.get().events == FORM["events"]


def test_no_event_and_a_bad_header_read_in_peoples_words(admin_client, receiver, allow_private):
    r = admin_client.post(
        "/settings/webhooks/",
        {**FORM, "url": receiver.url, "events": [], "headers": "Bad Header: x"},
    )

    assert r.status_code == 400
    page = r.content.decode()
    assert "Choose at least one event to send." in page
    assert "“Bad Header” is not a valid header name." in page
    # never the API's field name as the subject of a sentence
    assert "events needs" not in page and ">is not a valid header name" not in page
    assert not OutboundWebhook.objects.exists()
