"""The outbound client refuses private address space, at save and at every send, unless
OUTBOUND_ALLOW_PRIVATE is on; DNS is re-resolved each time and redirects are checked."""

import pytest

from apps_directory import outbound

pytestmark = pytest.mark.django_db

REFUSED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("10.1.2.3", "private"),
    ("172.16.5.4", "private"),
    ("192.168.1.1", "private"),
    ("fd12:3456::1", "private"),
    ("169.254.10.10", "link-local"),
    ("fe80::1", "link-local"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("0.0.0.0", "reserved"),
    ("::ffff:127.0.0.1", "loopback"),
    ("224.0.0.1", "reserved"),
]


@pytest.fixture(autouse=True)
def guard_on(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False


@pytest.mark.parametrize("address,kind", REFUSED)
def test_each_address_class_is_refused(address, kind):
    assert kind in outbound.address_problem(address)
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(outbound.Refused, match=kind):
        outbound.check_url(f"https://{host}/hook")


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"])
def test_public_addresses_pass(address):
    assert outbound.address_problem(address) is None


@pytest.mark.parametrize("address,kind", REFUSED[:13])
def test_a_name_resolving_to_a_private_address_is_refused(monkeypatch, address, kind):
    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14", address])
    with pytest.raises(outbound.Refused, match=kind):
        outbound.check_url("https://hooks.example.com/x")


def test_the_switch_allows_private_addresses(settings):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    assert outbound.check_url("http://127.0.0.1:9/x")[3] == ["127.0.0.1"]


def test_saving_a_private_url_is_refused(api, monkeypatch):
    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["10.0.0.5"])
    r = api.post(
        "/v1/outbound-webhooks",
        {"name": "x", "url": "https://intranet.example/", "events": ["kustomer.customer.create"]},
    )
    assert r.status_code == 400
    error = r.json()["errors"][0]
    assert error["source"]["pointer"] == "/url" and "private address" in error["detail"]
    r = api.post(
        "/v1/outbound-webhooks",
        {"name": "x", "url": "http://93.184.215.14/", "events": ["kustomer.customer.create"]},
    )
    assert r.status_code == 400 and "https" in r.json()["errors"][0]["detail"]


def test_dns_is_checked_again_at_every_send(
    api, receiver, monkeypatch, settings, django_capture_on_commit_callbacks
):
    """Saved while the name was public; at send time it resolves to loopback: refused, and the
    receiver (which is on loopback) never sees a request."""
    settings.WEBHOOK_RETRY_SCHEDULE = [3600]
    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])
    port = receiver.url.split(":")[2].split("/")[0]
    r = api.post(
        "/v1/outbound-webhooks",
        {
            "name": "x",
            "url": f"https://rebind.example:{port}/hook",
            "events": ["kustomer.customer.create"],
        },
    )
    assert r.status_code == 201
    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["127.0.0.1"])
    with django_capture_on_commit_callbacks(execute=True):
        api.post("/v1/customers", {"name": "Ada"})
    from apps_directory.webhooks.models import DeliveryAttempt

    attempt = DeliveryAttempt.objects.get()
    assert "loopback" in attempt.error and attempt.response_status is None
    assert receiver.requests == []


def test_redirects_into_private_space_are_not_followed(receiver, monkeypatch):
    """The receiver (treated as public here) redirects to the metadata service: refused."""
    real = outbound.address_problem
    monkeypatch.setattr(
        outbound, "address_problem", lambda a: None if a == "127.0.0.1" else real(a)
    )
    names = {"public.test": ["127.0.0.1"], "metadata.test": ["169.254.169.254"]}
    monkeypatch.setattr(outbound, "resolve", lambda host, port: names[host])
    port = receiver.url.split(":")[2].split("/")[0]
    receiver.answers = [(302, "http://metadata.test/latest/meta-data/")]
    with pytest.raises(outbound.Refused, match="metadata"):
        outbound.request("POST", f"http://public.test:{port}/hook", follow_redirects=3)
    # not following at all (webhooks): the 302 is the answer, and a failure
    receiver.answers = [(302, "http://metadata.test/latest/meta-data/")]
    response = outbound.request("POST", f"http://public.test:{port}/hook")
    assert response.status == 302


def test_a_name_that_does_not_resolve(monkeypatch):
    def fail(host, port):
        raise OSError("no such host")

    monkeypatch.setattr(outbound, "resolve", fail)
    with pytest.raises(outbound.Refused, match="does not resolve"):
        outbound.check_url("https://nowhere.invalid/")
