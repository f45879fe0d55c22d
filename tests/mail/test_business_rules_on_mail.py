"""An inbound email goes through business rules on messages like any message, and they can route
by its addresses: "inbound email to billing@ → team Billing, priority high, tag billing"."""

import pytest

from conversations.models import Conversation
from kdesk.models import Event
from mail import services
from tests.factories import TeamFactory
from tests.mail import corpus

pytestmark = pytest.mark.django_db


def test_an_email_to_billing_is_routed_by_a_rule_on_messages(api, org, deliver, mailbox):
    services.mailbox_create(
        org=org,
        actor=None,
        data={"address": "billing@acme.test", "displayName": "Acme Billing",
              "smtpHost": "127.0.0.1", "smtpPort": 25, "smtpSecurity": "none"},
    )  # fmt: skip
    billing = TeamFactory(org=org, name="Billing")
    r = api.post(
        "/v1/workflows",
        {
            "name": "Billing inbox",
            "trigger": {"type": "rule", "resource": "message", "on": ["create"]},
            "conditions": {"and": [
                {"field": "message.direction", "op": "equals", "value": "in"},
                {"field": "email.to", "op": "contains", "value": "Billing@acme.test"},
            ]},
            "steps": [{"id": "set", "action": "set", "params": {
                "assignedTeam": str(billing.pk), "priority": 5, "tags": ["billing"]}}],
        },
    )  # fmt: skip
    assert r.status_code == 201, r.json()
    deliver(corpus.plain(to="support@acme.test").as_bytes())
    deliver(corpus.plain(to="billing@acme.test", subject="My invoice").as_bytes())
    support, invoice = Conversation.objects.order_by("id")
    assert (support.priority, support.assigned_team_id, support.tags) == (3, None, [])
    assert (invoice.priority, invoice.assigned_team_id, invoice.tags) == (
        5,
        billing.pk,
        ["billing"],
    )
    update = Event.objects.get(type="conversation.update", resource_id=str(invoice.pk))
    assert update.changes["tags"]["rule"] == f"Billing inbox (rule {r.json()['data']['id']})"
