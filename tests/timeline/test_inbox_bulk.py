"""Bulk actions on the inbox: the selected conversations are assigned, closed, snoozed or
tagged, each through conversation_update (one event each); all or nothing: one refusal (a
rule, a past snooze) rolls every change back and names each refusal; another organization's
ids are never touched; the cost grows by a fixed number of queries a conversation."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conversations import services as conv
from conversations.models import Conversation
from customers.services import customer_create
from tests.events import assert_events
from tests.factories import OrganizationFactory
from tests.timeline.desk_data import people

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


def conversations(org, n, start=0):
    out = []
    for i in range(start, start + n):
        customer = customer_create(org=org, actor=None, data={"name": f"Customer {i}"})
        message = conv.message_create(
            org=org,
            actor=None,
            customer=customer,
            data={"direction": "in", "channel": "chat", "body": f"hello {i}"},
        )
        out.append(message.conversation)
    return out


@pytest.fixture
def sam(client, who):
    client.force_login(who["sam"])
    return client


def post(client, ids, **fields):
    return client.post(
        "/inbox/bulk/", {"ids": [str(i) for i in ids], **fields}, headers={"HX-Request": "true"}
    )


def test_the_inbox_offers_a_checkbox_a_row_and_the_bar(sam, org, who):
    rows = conversations(org, 2)
    html = sam.get("/inbox/").content.decode()
    assert 'id="bulk-form"' in html
    for c in rows:
        assert f'name="ids" value="{c.pk}" form="bulk-form"' in html


def test_bulk_assign_of_twenty(sam, org, who):
    rows = conversations(org, 20)
    with assert_events(["conversation.update"] * 20, org=org):
        response = post(sam, [c.pk for c in rows], assignedUser=str(who["lee"].pk))
    assert response.status_code == 200
    assert "20 conversations assigned to Lee Chen." in response.content.decode()
    assert "kdesk-bulk-done" in response["HX-Trigger"]
    assert Conversation.objects.filter(org=org, assigned_user=who["lee"]).count() == 20


def test_status_tag_and_team_together(sam, org, who):
    rows = conversations(org, 3)
    conv.conversation_update(org=org, actor=None, conversation=rows[0], data={"tags": ["old"]})
    response = post(
        sam,
        [c.pk for c in rows],
        status="done",
        tag="refund, late",
        assignedTeam=str(who["billing"].pk),
    )
    assert response.status_code == 200
    for c in Conversation.objects.filter(pk__in=[r.pk for r in rows]):
        assert c.status == "done" and c.assigned_team_id == who["billing"].pk
        assert c.tags[-2:] == ["refund", "late"]
    assert Conversation.objects.get(pk=rows[0].pk).tags == ["old", "refund", "late"]


def test_snooze_needs_a_future_time(sam, org, who):
    rows = conversations(org, 2)
    response = post(sam, [c.pk for c in rows], status="snoozed", snoozeUntil="")
    assert response.status_code == 422 and "wake-up time" in response.content.decode()
    past = (timezone.now() - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = post(sam, [c.pk for c in rows], status="snoozed", snoozeUntil=past)
    assert response.status_code == 422
    assert "Customer 0" in response.content.decode() and "Customer 1" in response.content.decode()
    assert not Conversation.objects.filter(org=org, status="snoozed").exists()
    future = (timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    assert post(sam, [c.pk for c in rows], status="snoozed", snoozeUntil=future).status_code == 200
    assert Conversation.objects.filter(org=org, status="snoozed").count() == 2


def test_one_refusal_rolls_everything_back(sam, org, who):
    from klasses import demo as klasses_demo
    from timeline import demo as timeline_demo

    rows = conversations(org, 3)
    # The demo's rule: a conversation is closed only with a resolution. One of the three has
    # its resolution: the other two are refused, and the allowed one is not closed either.
    klasses_demo._define(org, "conversation", klasses_demo.CONVERSATION_PROPERTIES)
    timeline_demo.seed(org, who)
    conv.conversation_update(
        org=org, actor=None, conversation=rows[0], data={"custom": {"resolutionStr": "answered"}}
    )
    with assert_events([], org=org):  # every change rolled back, its events with it
        response = post(sam, [c.pk for c in rows], status="done")
    assert response.status_code == 422
    html = response.content.decode()
    assert "Customer 1" in html and "Customer 2" in html and "Customer 0" not in html
    assert "Pick a resolution before closing" in html  # the rule's own words
    assert not Conversation.objects.filter(org=org, status="done").exists()


def test_nothing_chosen_or_nothing_selected_is_refused(sam, org, who):
    rows = conversations(org, 1)
    response = post(sam, [rows[0].pk])
    assert response.status_code == 422 and "Choose what to change" in response.content.decode()
    response = post(sam, [], status="done")
    assert response.status_code == 422 and "Select at least one" in response.content.decode()
    response = post(sam, [rows[0].pk], assignedUser="999999")
    assert response.status_code == 422 and "Choose someone" in response.content.decode()
    assert Conversation.objects.get(pk=rows[0].pk).status == "open"


def test_another_orgs_conversations_are_never_touched(sam, org, who):
    other = OrganizationFactory(slug="globex", name="Globex")
    theirs = conversations(other, 1)
    response = post(sam, [theirs[0].pk], status="done")
    assert response.status_code == 422
    assert Conversation.objects.get(pk=theirs[0].pk).status == "open"


def test_the_cost_grows_by_a_fixed_number_of_queries_a_conversation(sam, org, who):
    rows = conversations(org, 12)
    costs = []
    for batch in (rows[:2], rows[2:12]):
        with CaptureQueriesContext(connection) as ctx:
            assert post(sam, [c.pk for c in batch], priority="4", status="done").status_code == 200
        costs.append(len(ctx.captured_queries))
    per_row = (costs[1] - costs[0]) / 8
    assert per_row == int(per_row) and per_row <= 12, costs


def test_the_announcement_escapes_what_was_typed(sam, org, who):
    rows = conversations(org, 1)
    response = post(sam, [rows[0].pk], tag="<b>loud</b>")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<b>loud</b>" not in html and "&lt;b&gt;loud&lt;/b&gt;" in html
