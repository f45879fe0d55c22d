"""Inbound hooks: web (JSON) and email (raw RFC 822) calls end in `hook.received` with the
parsed payload and a 202; every bad input is a clear 4xx in the error shape and records
nothing."""

import json
from email.message import EmailMessage

import pytest

from kdesk.models import Event

pytestmark = pytest.mark.django_db


@pytest.fixture
def web_hook(api):
    data = api.post("/v1/hooks", {"name": "Shop orders", "kind": "web"}).json()["data"]
    return data


@pytest.fixture
def email_hook(api):
    return api.post("/v1/hooks", {"name": "Support inbox", "kind": "email"}).json()["data"]


def received():
    return list(Event.objects.filter(type="hook.received").order_by("id"))


def test_a_web_call_is_recorded(client, web_hook):
    url = web_hook["attributes"]["url"]
    assert url.startswith("/v1/hooks/web/") and len(url.rsplit("/", 1)[1]) >= 40
    body = {"order": {"id": "A1", "total": 12.5}, "email": "ada@x.io"}
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code == 202
    assert r.json()["data"]["type"] == "hook_call"
    (event,) = received()
    assert str(event.id) == r.json()["data"]["id"]
    assert event.resource == "hook" and event.resource_id == web_hook["id"]
    assert event.data["payload"] == body
    assert event.data["hook"] == {"id": web_hook["id"], "name": "Shop orders", "kind": "web"}
    # a trailing slash works too, and no API key is needed
    assert client.post(url + "/", "[1]", content_type="application/json").status_code == 202


def build_email():
    msg = EmailMessage()
    msg["From"] = "Ada Lovelace <ada@example.com>"
    msg["To"] = "Support <support@acme.test>, help@acme.test"
    msg["Subject"] = "Order A1 — broken"
    msg["Message-ID"] = "<m1@example.com>"
    msg.set_content("Plain words.\n")
    msg.add_alternative(
        '<p onclick="steal()">Rich <b>words</b><script>alert(1)</script></p>', subtype="html"
    )
    msg.add_attachment(b"x" * 1234, maintype="image", subtype="png", filename="photo.png")
    return msg.as_bytes()


def test_an_email_call_is_parsed(client, email_hook):
    url = email_hook["attributes"]["url"]
    r = client.post(url, build_email(), content_type="message/rfc822")
    assert r.status_code == 202
    payload = received()[0].data["payload"]
    assert payload["from"] == {"name": "Ada Lovelace", "email": "ada@example.com"}
    assert payload["to"] == [
        {"name": "Support", "email": "support@acme.test"},
        {"name": "", "email": "help@acme.test"},
    ]
    assert payload["subject"] == "Order A1 — broken"
    assert payload["text"] == "Plain words.\n"
    assert "<b>words</b>" in payload["html"]
    assert "script" not in payload["html"] and "onclick" not in payload["html"]
    assert payload["attachments"] == [
        {"filename": "photo.png", "contentType": "image/png", "size": 1234}
    ]
    assert payload["messageId"] == "<m1@example.com>"


def test_an_email_posted_as_a_provider_form(client, email_hook):
    url = email_hook["attributes"]["url"]
    r = client.post(url, {"body-mime": build_email().decode()})
    assert r.status_code == 202
    assert received()[0].data["payload"]["subject"] == "Order A1 — broken"
    r = client.post(url, {"other": "x"})
    assert r.status_code == 400 and r.json()["errors"][0]["code"] == "missing_message"


@pytest.mark.parametrize(
    "body,content_type,status,code",
    [
        ("{not json", "application/json", 400, "parse_error"),
        ("", "application/json", 400, "empty_body"),
        ('{"a": 1}', "text/plain", 415, "unsupported_media_type"),
        ('{"a": 1}', "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        (b"\xff\xfe{}", "application/json", 400, "parse_error"),
        ("[" * 100 + "]" * 100, "application/json", 400, "parse_error"),
    ],
)
def test_bad_web_input(client, web_hook, body, content_type, status, code):
    r = client.post(web_hook["attributes"]["url"], body, content_type=content_type)
    assert r.status_code == status
    error = r.json()["errors"][0]
    assert error["code"] == code and error["status"] == str(status) and error["detail"]
    assert received() == []


def test_nul_characters(client, web_hook, email_hook):
    r = client.post(
        web_hook["attributes"]["url"],
        '{"a": "x\\u0000y", "b": ["ok", "\\u0000"]}',
        content_type="application/json",
    )
    assert r.status_code == 400
    assert [e["source"]["pointer"] for e in r.json()["errors"]] == ["/a", "/b/1"]
    assert received() == []
    raw = b"From: a@b.c\r\nTo: s@acme.test\r\nSubject: hi\x00there\r\n\r\nbody\x00text\r\n"
    r = client.post(email_hook["attributes"]["url"], raw, content_type="message/rfc822")
    assert r.status_code == 202
    payload = received()[0].data["payload"]
    assert payload["subject"] == "hithere" and payload["text"].startswith("bodytext")


def test_too_large(client, web_hook, email_hook, settings):
    big = json.dumps({"x": "a" * (1024 * 1024)})
    r = client.post(web_hook["attributes"]["url"], big, content_type="application/json")
    assert r.status_code == 413 and r.json()["errors"][0]["code"] == "payload_too_large"
    settings.HOOK_EMAIL_MAX_BYTES = 2000
    r = client.post(email_hook["attributes"]["url"], build_email(), content_type="message/rfc822")
    assert r.status_code == 413
    assert received() == []


@pytest.mark.parametrize(
    "body,content_type,status",
    [
        (b"", "message/rfc822", 400),  # empty: no Content-Type even arrives
        (b"just some words, no headers", "text/plain", 400),
        (b"From: a@b.c\r\n\r\nhi", "application/json", 415),
    ],
)
def test_bad_email_input(client, email_hook, body, content_type, status):
    r = client.post(email_hook["attributes"]["url"], body, content_type=content_type)
    assert r.status_code == status and r.json()["errors"][0]["detail"]
    assert received() == []


def test_unknown_disabled_and_rotated_hooks(api, client, web_hook):
    url = web_hook["attributes"]["url"]
    r = client.post("/v1/hooks/web/" + "x" * 43, "{}", content_type="application/json")
    assert r.status_code == 404 and r.json()["errors"][0]["code"] == "not_found"
    # the token belongs to a web hook: the email path does not know it
    r = client.post(url.replace("/web/", "/email/"), "{}", content_type="message/rfc822")
    assert r.status_code == 404
    api.put(f"/v1/hooks/{web_hook['id']}", {"enabled": False})
    r = client.post(url, "{}", content_type="application/json")
    assert r.status_code == 403 and r.json()["errors"][0]["code"] == "hook_disabled"
    api.put(f"/v1/hooks/{web_hook['id']}", {"enabled": True})
    rotated = api.post(f"/v1/hooks/{web_hook['id']}/rotate").json()["data"]["attributes"]["url"]
    assert rotated != url
    assert client.post(url, "{}", content_type="application/json").status_code == 404
    assert client.post(rotated, "{}", content_type="application/json").status_code == 202
    assert client.get(rotated).status_code == 405
    assert len(received()) == 1


def test_rate_limit(api, client, web_hook):
    api.put(f"/v1/hooks/{web_hook['id']}", {"rateLimitPerMinute": 3})
    url = web_hook["attributes"]["url"]
    codes = [client.post(url, "{}", content_type="application/json").status_code for _ in range(5)]
    assert codes == [202, 202, 202, 429, 429]
    r = client.post(url, "{}", content_type="application/json")
    assert int(r["Retry-After"]) >= 1 and r.json()["errors"][0]["code"] == "rate_limited"
    assert len(received()) == 3
