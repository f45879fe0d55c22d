"""The email hook keeps the org's mailboxes, custom attributes, validation rules and webhook
subscriptions in process at the org's configuration version (kdesk.config_cache): a change
made anywhere else — here by plain SQL or a queryset, as another process or the admin would,
with no Python telling the cache — is seen by the very next mail, because the database bumps
the version in the change's own transaction (triggers, kdesk migration 0006)."""

import pytest
from django.db import connection
from django.db.models import F
from django.test.utils import CaptureQueriesContext

from apps_directory.webhooks.models import Delivery, OutboundWebhook
from kdesk.models import Organization
from klasses.models import Metadata, ValidationRule
from mail.models import Mailbox
from tests.mail import corpus

pytestmark = pytest.mark.django_db

_n = iter(range(10_000))


def post(deliver):
    """(the mail's outcome or None when no mailbox took it, the tables it read)"""
    raw = corpus.plain(subject="Hello", message_id=f"<m{next(_n)}@example.com>").as_bytes()
    with CaptureQueriesContext(connection) as queries:
        r = deliver(raw)
    assert r.status_code == 202, r.content
    mail = r.json()["data"]["attributes"].get("mail")
    reads = {
        table
        for q in queries.captured_queries
        for table in (
            "mail_mailbox",
            "klasses_metadata",
            "klasses_validationrule",
            "apps_directory_outboundwebhook",
        )  # fmt: skip
        if q["sql"].startswith("SELECT") and f'FROM "{table}"' in q["sql"]
    }
    return (mail or {}).get("outcome"), reads


def version(org):
    return Organization.objects.values_list("config_version", flat=True).get(pk=org.pk)


def test_a_mailbox_turned_off_elsewhere_takes_no_more_mail(deliver, mailbox):
    assert post(deliver)[0] == "opened"
    assert post(deliver) == ("opened", set())  # all kept
    with connection.cursor() as cursor:
        cursor.execute("UPDATE mail_mailbox SET enabled = %s WHERE id = %s", [False, mailbox.pk])
    outcome, reads = post(deliver)
    assert outcome is None and "mail_mailbox" in reads
    Mailbox.objects.filter(pk=mailbox.pk).update(enabled=True)
    assert post(deliver)[0] == "opened"


def test_the_fetchs_own_columns_change_no_configuration(deliver, mailbox, org):
    post(deliver)
    before = version(org)
    Mailbox.objects.filter(pk=mailbox.pk).update(
        imap_last_uid=F("imap_last_uid") + 7, imap_error="timeout", imap_uidvalidity=3
    )
    assert version(org) == before
    assert post(deliver) == ("opened", set())


def test_a_validation_rule_added_elsewhere_applies_to_the_next_mail(deliver, mailbox, org):
    assert post(deliver)[0] == "opened"
    assert post(deliver) == ("opened", set())
    rule = ValidationRule.objects.create(
        org=org,
        resource="message",
        attribute="custom.orderStr",
        when=ValidationRule.When.CREATE,
        message="Every message needs an order number.",
    )
    outcome, reads = post(deliver)
    assert outcome == "failed" and "klasses_validationrule" in reads
    ValidationRule.objects.filter(pk=rule.pk).update(active=False)
    assert post(deliver)[0] == "opened"


def test_custom_attributes_defined_elsewhere_apply_to_the_next_mail(deliver, mailbox, org):
    post(deliver)
    assert post(deliver) == ("opened", set())
    order = {
        "name": "orderStr",
        "type": "Str",
        "displayName": "Order",
        "array": False,
        "multi": False,
        "required": True,
        "hidden": False,
        "readOnly": False,
    }
    Metadata.objects.create(org=org, resource="message", properties={"orderStr": order})
    outcome, reads = post(deliver)
    assert outcome == "failed" and "klasses_metadata" in reads
    assert post(deliver)[0] == "failed"
    Metadata.objects.filter(org=org, resource="message").update(
        properties={"orderStr": {**order, "required": False}}, rev=F("rev") + 1
    )
    assert post(deliver)[0] == "opened"
    assert post(deliver) == ("opened", set())


def test_a_webhook_subscribed_elsewhere_gets_the_next_mails_events(
    deliver, mailbox, org, monkeypatch
):
    from apps_directory.webhooks import dispatch

    monkeypatch.setattr(dispatch, "kick", lambda webhook_ids: None)  # nothing sent here
    post(deliver)
    webhook = OutboundWebhook.objects.create(
        org=org, name="CRM", url="https://crm.example.com/hook", token="t", events=[]
    )
    post(deliver)
    assert not Delivery.objects.exists()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE apps_directory_outboundwebhook SET events = %s WHERE id = %s",
            ['["kustomer.message.create"]', webhook.pk],
        )
    post(deliver)
    assert list(Delivery.objects.values_list("name", flat=True)) == ["kustomer.message.create"]
    OutboundWebhook.objects.filter(pk=webhook.pk).delete()
    post(deliver)
    assert not Delivery.objects.exists()  # deleted with their webhook; none recorded since


def test_every_change_to_the_configuration_bumps_the_version(org, other_org):
    other = version(other_org)
    seen = [version(org)]

    def bumped():
        now = version(org)
        assert now != seen[-1]
        seen.append(now)

    meta = Metadata.objects.create(org=org, resource="customer")
    bumped()
    Metadata.objects.filter(pk=meta.pk).update(properties={"x": {}})
    bumped()
    rule = ValidationRule.objects.create(
        org=org, resource="customer", attribute="name", when="create"
    )
    bumped()
    rule.delete()
    bumped()
    box = Mailbox.objects.create(org=org, address="help@acme.test")
    bumped()
    Mailbox.objects.filter(pk=box.pk).update(address="hi@acme.test")
    bumped()
    webhook = OutboundWebhook.objects.create(org=org, name="W", url="https://x.test", token="t")
    bumped()
    OutboundWebhook.objects.filter(pk=webhook.pk).update(events=["kustomer.customer.create"])
    bumped()
    meta.delete()
    bumped()
    # a row moved to another org changes both
    Mailbox.objects.filter(pk=box.pk).update(org=other_org)
    bumped()
    assert version(other_org) != other
