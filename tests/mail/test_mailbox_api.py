"""`/v1/mailboxes`: admins' keys manage mailboxes; every problem reported at once; passwords
stored encrypted, never returned, never in an event; other orgs see nothing."""

import pytest

from kdesk.models import Event
from mail import crypto
from mail.models import Mailbox

pytestmark = pytest.mark.django_db

BODY = {
    "address": "Support@Acme.test",
    "displayName": "Acme Support",
    "smtpHost": "smtp.acme.test",
    "smtpPort": 587,
    "smtpSecurity": "starttls",
    "smtpUser": "support",
    "smtpPassword": "s3cret-smtp",
}


def test_create_read_update_delete(api):
    r = api.post("/v1/mailboxes", BODY)
    assert r.status_code == 201, r.content
    data = r.json()["data"]
    attrs = data["attributes"]
    assert data["type"] == "mailbox" and data["links"]["self"] == f"/v1/mailboxes/{data['id']}"
    assert attrs["address"] == "support@acme.test" and attrs["smtpPasswordSet"] is True
    assert "smtpPassword" not in attrs and "s3cret" not in r.content.decode()
    stored = Mailbox.objects.get().smtp_password
    assert "s3cret" not in stored and crypto.decrypt(stored) == "s3cret-smtp"
    assert "s3cret" not in str(list(Event.objects.values_list("data", "changes")))
    assert api.get("/v1/mailboxes").json()["meta"]["total"] == 1
    r = api.patch(f"/v1/mailboxes/{data['id']}", {"displayName": "Help", "rev": 1})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["rev"] == 2
    assert Mailbox.objects.get().smtp_password == stored  # untouched when not sent
    assert (
        api.patch(f"/v1/mailboxes/{data['id']}", {"displayName": "x", "rev": 1}).status_code == 409
    )
    r = api.patch(f"/v1/mailboxes/{data['id']}", {"smtpPassword": "new-one"})
    assert crypto.decrypt(Mailbox.objects.get().smtp_password) == "new-one"
    (update,) = Event.objects.filter(type="mailbox.update").order_by("-id")[:1]
    assert update.changes == {"smtp_password": {"before": "(hidden)", "after": "(changed)"}}
    assert api.delete(f"/v1/mailboxes/{data['id']}").status_code == 204
    assert api.get(f"/v1/mailboxes/{data['id']}").status_code == 404


def test_every_problem_at_once(api):
    r = api.post(
        "/v1/mailboxes",
        {
            "address": "not-an-address",
            "smtpPort": 70000,
            "smtpSecurity": "rot13",
            "imapEnabled": True,
            "imapHost": "imap://x",
            "bogus": 1,
        },
    )
    assert r.status_code == 400
    pointers = sorted(e["source"]["pointer"] for e in r.json()["errors"])
    assert pointers == [
        "/address",
        "/bogus",
        "/imapHost",
        "/imapPassword",
        "/imapUser",
        "/smtpHost",
        "/smtpPort",
        "/smtpSecurity",
    ]
    assert Mailbox.objects.count() == 0


def test_an_address_is_taken_once_per_org_ignoring_case(api, other_api):
    assert api.post("/v1/mailboxes", BODY).status_code == 201
    r = api.post("/v1/mailboxes", {**BODY, "address": "SUPPORT@acme.test"})
    assert r.status_code == 409 and r.json()["errors"][0]["source"]["pointer"] == "/address"
    assert other_api.post("/v1/mailboxes", BODY).status_code == 201  # another org may


@pytest.mark.parametrize("method", ["put", "patch"])
def test_a_mailboxs_address_cannot_be_cleared(api, method):
    """null clears what it names (API.md); the address is what a mailbox is, so null is a 400
    naming it and nothing is written."""
    pk = api.post("/v1/mailboxes", BODY).json()["data"]["id"]
    before = Event.objects.count()
    r = getattr(api, method)(f"/v1/mailboxes/{pk}", {"address": None, "displayName": "Help"})
    assert r.status_code == 400
    (error,) = r.json()["errors"]
    assert error["source"]["pointer"] == "/address" and "cannot be cleared" in error["detail"]
    mailbox = Mailbox.objects.get()
    assert (mailbox.address, mailbox.display_name) == ("support@acme.test", "Acme Support")
    assert Event.objects.count() == before


def test_other_orgs_and_scopes(api, other_api, org, make_key):
    from tests.factories import ApiClient

    pk = api.post("/v1/mailboxes", BODY).json()["data"]["id"]
    assert other_api.get(f"/v1/mailboxes/{pk}").status_code == 404
    assert other_api.get("/v1/mailboxes").json()["meta"]["total"] == 0
    key, token = make_key(org, scopes=["org.permission.mailbox.read"])
    reader = ApiClient(token, key=key)
    assert reader.get(f"/v1/mailboxes/{pk}").status_code == 200
    assert reader.patch(f"/v1/mailboxes/{pk}", {"enabled": False}).status_code == 403
    assert reader.post("/v1/mailboxes", BODY).status_code == 403


def test_agents_sessions_may_not_change_mailboxes(client, agent, api):
    pk = api.post("/v1/mailboxes", BODY).json()["data"]["id"]
    client.force_login(agent)
    r = client.patch(f"/v1/mailboxes/{pk}", '{"enabled": false}', content_type="application/json")
    assert r.status_code == 403
    assert client.get("/settings/mailboxes/").status_code == 403


def test_changing_only_the_folder_keeps_the_uids_of_an_unchanged_server(api):
    """A request naming the folder alone changes the folder: the host and user it leaves out
    are not changes, so only a real move of folder forgets the remembered UIDs."""
    body = {
        **BODY,
        "imapEnabled": True,
        "imapHost": "imap.acme.test",
        "imapUser": "support",
        "imapPassword": "s3cret-imap",
    }
    pk = api.post("/v1/mailboxes", body).json()["data"]["id"]
    Mailbox.objects.filter(pk=pk).update(imap_uidvalidity=7, imap_last_uid=41)
    r = api.patch(f"/v1/mailboxes/{pk}", {"imapFolder": "INBOX"})
    assert r.status_code == 200
    row = Mailbox.objects.get(pk=pk)
    assert (row.imap_uidvalidity, row.imap_last_uid, row.rev) == (7, 41, 1)
    r = api.patch(f"/v1/mailboxes/{pk}", {"imapFolder": "INBOX", "displayName": "Help"})
    row = Mailbox.objects.get(pk=pk)
    assert (row.imap_uidvalidity, row.imap_last_uid, row.rev) == (7, 41, 2)
    api.patch(f"/v1/mailboxes/{pk}", {"imapFolder": "Support"})
    row = Mailbox.objects.get(pk=pk)
    assert (row.imap_folder, row.imap_uidvalidity, row.imap_last_uid) == ("Support", None, 0)


def test_the_documented_bodies_state_the_rules_across_fields(api):
    jsonschema = pytest.importorskip("jsonschema")
    from mail.openapi import MAILBOX_BODY, MAILBOX_CREATE_BODY

    create = jsonschema.Draft202012Validator(MAILBOX_CREATE_BODY)
    create.validate(BODY)
    create.validate({"address": "a@acme.test", "sending": "django"})
    refused = [
        {"address": "a@acme.test"},  # no SMTP server to send through
        {**BODY, "imapEnabled": True, "imapHost": "imap.acme.test"},  # no IMAP user, password
        {**BODY, "address": "0@0.00"},  # Django's validator wants a top-level domain of letters
        {**BODY, "smtpPort": 0},
    ]
    for body in refused:
        assert not create.is_valid(body), body
        assert api.post("/v1/mailboxes", body).status_code == 400, body
    update = jsonschema.Draft202012Validator(MAILBOX_BODY)
    assert update.is_valid({"imapEnabled": False, "imapHost": ""})
    assert not update.is_valid({"sending": "smtp"})
