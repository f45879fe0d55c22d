"""Files and Cc on messages through the API (Kustomer's way: declare the file, upload its bytes,
send the message with the file's id) and out by SMTP as MIME parts and a Cc header; inbound Cc
kept on the message; files no message took are swept away by the worker."""

import os
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.test.client import encode_multipart
from django.utils import timezone

from conversations.models import Conversation, Message
from mail import attachments, schedule
from mail.models import Attachment, MailMessage
from tests.mail import corpus

pytestmark = pytest.mark.django_db

BOUNDARY = "kdesk-test-boundary"


@pytest.fixture
def thread(deliver, mailbox):
    deliver(corpus.plain(message_id="<first@example.com>").as_bytes())
    return Conversation.objects.get()


def upload(api, name, content_type, data, *, declared=None):
    r = api.post(
        "/v1/attachments",
        {"name": name, "contentType": content_type, "contentLength": declared or len(data)},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["data"]["attributes"]["uploaded"] is False
    assert body["data"]["relationships"] == {}
    url = body["meta"]["upload"]["url"]
    payload = encode_multipart(
        BOUNDARY, {**body["meta"]["upload"]["fields"], "file": ContentFile(data, name=name)}
    )
    done = api.post(url, raw=payload, content_type=f"multipart/form-data; boundary={BOUNDARY}")
    return body["data"]["id"], done


def test_api_reply_with_files_and_cc_goes_out_as_mime_parts_and_a_cc_header(
    api, thread, smtp_sink, django_capture_on_commit_callbacks
):
    pdf, done = upload(api, "plan.pdf", "application/pdf", b"%PDF-1.4 the plan")
    assert done.status_code == 204, done.content
    png, done = upload(api, "shot.png", "image/png", corpus.PNG)
    assert done.status_code == 204
    csv, _ = upload(api, "rows.csv", "text/csv", b"a,b\n1,2\n")
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(
            f"/v1/conversations/{thread.pk}/messages",
            {
                "direction": "out",
                "channel": "email",
                "body": "Here are the files.",
                "cc": ["boss@example.com", {"email": "Team@Example.com"}],
                "attachments": [pdf, {"_id": png}, {"id": csv}],
            },
        )
    assert r.status_code == 201, r.content
    attrs = r.json()["data"]["attributes"]
    assert attrs["cc"] == ["boss@example.com", "Team@Example.com"]
    assert [(a["name"], a["contentType"], a["size"]) for a in attrs["attachments"]] == [
        ("plan.pdf", "application/pdf", 17),
        ("shot.png", "image/png", len(corpus.PNG)),
        ("rows.csv", "text/csv", 8),
    ]
    assert attrs["attachments"][0]["links"]["download"] == f"/v1/attachments/{pdf}/content"
    # the same files are read back with the message and each is tied to it
    listed = api.get(f"/v1/conversations/{thread.pk}/messages").json()["data"][-1]["attributes"]
    assert listed["attachments"] == attrs["attachments"] and listed["cc"] == attrs["cc"]
    message_id = int(r.json()["data"]["id"])
    assert set(Attachment.objects.filter(message_id=message_id).values_list("pk", flat=True)) == {
        int(pdf),
        int(png),
        int(csv),
    }
    (sent,) = smtp_sink.messages
    assert sorted(sent["rcpt"]) == ["Team@Example.com", "ada@example.com", "boss@example.com"]
    email = smtp_sink.parsed()
    assert email["Cc"] == "boss@example.com, Team@Example.com"
    parts = {p.get_filename(): p for p in email.iter_attachments()}
    assert parts["plan.pdf"].get_content_type() == "application/pdf"
    assert parts["plan.pdf"].get_content() == b"%PDF-1.4 the plan"
    assert parts["shot.png"].get_content_type() == "image/png"
    assert parts["shot.png"].get_content() == corpus.PNG
    assert parts["rows.csv"].get_content_type() == "text/csv"
    assert email.get_body(("plain",)).get_content().strip() == "Here are the files."
    assert MailMessage.objects.get(direction="out").cc == [
        {"name": "", "email": "boss@example.com"},
        {"name": "", "email": "Team@Example.com"},
    ]
    # the download needs message read scope
    assert api.get(f"/v1/attachments/{pdf}/content").status_code == 200


def test_every_bad_file_and_address_is_named_and_nothing_is_written(api, thread, org):
    used, _ = upload(api, "used.pdf", "application/pdf", b"%PDF-used")
    api.post(
        f"/v1/conversations/{thread.pk}/messages",
        {"direction": "out", "channel": "email", "body": "first", "attachments": [used]},
    )
    declared = api.post(
        "/v1/attachments",
        {"name": "later.pdf", "contentType": "application/pdf", "contentLength": 5},
    ).json()["data"]["id"]
    fresh, _ = upload(api, "fresh.pdf", "application/pdf", b"%PDF-fresh")
    count = Message.objects.count()
    r = api.post(
        f"/v1/conversations/{thread.pk}/messages",
        {
            "direction": "out",
            "channel": "email",
            "body": "second",
            "cc": ["ok@example.com", "not an address", ""],
            "attachments": [fresh, used, declared, "999999", "x"],
        },
    )
    assert r.status_code == 400
    problems = {e["source"]["pointer"]: e["code"] for e in r.json()["errors"]}
    assert problems == {
        "/cc/1": "invalid",
        "/cc/2": "invalid",
        "/attachments/1": "taken",
        "/attachments/2": "not_uploaded",
        "/attachments/3": "not_found",
        "/attachments/4": "invalid",
    }
    assert Message.objects.count() == count
    assert Attachment.objects.get(pk=fresh).message_id is None  # still free to send


def test_limits_are_checked_when_declaring_and_uploading(api, settings):
    settings.MAIL_ATTACHMENT_MAX_BYTES = 10
    r = api.post(
        "/v1/attachments",
        {"name": "big.bin", "contentType": "application/zip", "contentLength": 11},
    )
    assert r.status_code == 400
    (error,) = r.json()["errors"]
    assert error["source"]["pointer"] == "/contentLength" and "big.bin" in error["detail"]
    assert not Attachment.objects.exists()
    pk, done = upload(api, "small.txt", "text/plain", b"0123456789", declared=9)
    assert done.status_code == 400
    assert "10 bytes; 9 were declared" in done.json()["errors"][0]["detail"]
    assert not Attachment.objects.get(pk=pk).uploaded
    for length in ({}, {"contentLength": None}, {"contentLength": "many"}):
        r = api.post("/v1/attachments", {"name": "", "contentType": "text/plain", **length})
        pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
        assert r.status_code == 400 and pointers == {"/name", "/contentLength"}


def test_declaring_and_uploading_need_message_create(org, make_key, api):
    from tests.factories import ApiClient

    key, token = make_key(org, scopes=["org.permission.message.read"], name="reader")
    reader = ApiClient(token, key=key)
    body = {"name": "a.txt", "contentType": "text/plain", "contentLength": 1}
    assert reader.post("/v1/attachments", body).status_code == 403
    pk = api.post("/v1/attachments", body).json()["data"]["id"]
    payload = encode_multipart(BOUNDARY, {"file": ContentFile(b"a", name="a.txt")})
    r = reader.post(
        f"/v1/attachments/{pk}/upload",
        raw=payload,
        content_type=f"multipart/form-data; boundary={BOUNDARY}",
    )
    assert r.status_code == 403


def test_inbound_cc_is_kept_on_the_message_and_shown(deliver, mailbox, api, client, agent):
    msg = corpus.plain(message_id="<cc1@example.com>")
    msg["Cc"] = "Boss <boss@example.com>, broken-address, team@example.com"
    assert deliver(msg.as_bytes()).status_code == 202
    message = Message.objects.get()
    assert message.cc == ["boss@example.com", "team@example.com"]
    conversation = Conversation.objects.get()
    data = api.get(f"/v1/conversations/{conversation.pk}/messages").json()["data"]
    assert data[0]["attributes"]["cc"] == ["boss@example.com", "team@example.com"]
    client.force_login(agent)
    page = client.get(f"/desk/messages/{message.pk}/email/").content.decode()
    assert "cc boss@example.com, team@example.com" in page


def _age(path, minutes):
    then = (timezone.now() - timedelta(minutes=minutes)).timestamp()
    os.utime(default_storage.path(path), (then, then))


def test_the_sweep_deletes_what_no_message_took(api, thread, org, settings):
    settings.ATTACHMENT_ORPHAN_MINUTES = 30
    old, _ = upload(api, "old.pdf", "application/pdf", b"%PDF-old")
    recent, _ = upload(api, "recent.pdf", "application/pdf", b"%PDF-recent")
    sent, _ = upload(api, "sent.pdf", "application/pdf", b"%PDF-sent")
    api.post(
        f"/v1/conversations/{thread.pk}/messages",
        {"direction": "out", "channel": "email", "body": "x", "attachments": [sent]},
    )
    Attachment.objects.filter(pk__in=[old, sent]).update(
        created_at=timezone.now() - timedelta(minutes=31)
    )
    old_file = Attachment.objects.get(pk=old).file.name
    for pk in (old, sent, recent):
        _age(Attachment.objects.get(pk=pk).file.name, 31 if pk != recent else 1)
    # a reply whose transaction rolled back: its staged file has no row left
    saved = []
    with pytest.raises(RuntimeError), transaction.atomic():
        attachments.stage(org=org, parts=[corpus_part("lost.pdf")], saved=saved)
        raise RuntimeError("the write failed after the file was stored")
    (lost,) = saved
    assert default_storage.exists(lost) and not Attachment.objects.filter(file=lost).exists()
    _age(lost, 31)
    young_saved = []
    with pytest.raises(RuntimeError), transaction.atomic():
        attachments.stage(org=org, parts=[corpus_part("young.pdf")], saved=young_saved)
        raise RuntimeError("rolled back a moment ago")

    schedule.round_once()  # what the worker runs every MAIL_POLL_SECONDS

    assert not Attachment.objects.filter(pk=old).exists()
    assert not default_storage.exists(old_file) and not default_storage.exists(lost)
    # what a message took, and what is younger than the limit, stay
    assert Attachment.objects.filter(pk__in=[sent, recent]).count() == 2
    for pk in (sent, recent):
        assert default_storage.exists(Attachment.objects.get(pk=pk).file.name)
    assert default_storage.exists(young_saved[0])
    assert schedule._needed()  # a pending upload keeps the worker's rounds going


def corpus_part(name):
    from mail.parse import Part

    return Part(filename=name, content_type="application/pdf", data=b"%PDF-" + name.encode())


def test_an_attachment_id_in_other_digits_is_refused_not_a_500(api, thread):
    """ "³" and "١" are digits to str.isdigit but not ids (Schemathesis found the 500)."""
    count = Message.objects.count()
    r = api.post(
        f"/v1/conversations/{thread.pk}/messages",
        {"direction": "out", "channel": "chat", "body": "x",
         "attachments": ["³", "١٢", True, 2**70, " 7 "]},
    )  # fmt: skip
    assert r.status_code == 400, r.content
    problems = {e["source"]["pointer"]: e["code"] for e in r.json()["errors"]}
    assert problems == {
        "/attachments/0": "invalid",
        "/attachments/1": "invalid",
        "/attachments/2": "invalid",
        "/attachments/3": "invalid",
        "/attachments/4": "not_found",  # an id, padded: looked up, and not there
    }
    assert Message.objects.count() == count
