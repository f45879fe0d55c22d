"""A mail taken in is pushed live once: the hook call, the customer, the conversation and the
message its transaction recorded reach the live publisher in one batch, in order, each push
naming the timeline event before it; a reply costs the same queries whatever came before."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from kdesk.events import subscribe, unsubscribe
from kdesk.models import Event
from tests.mail import corpus
from timeline import live
from timeline.entries import HIDDEN_TYPES

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def batches():
    seen = []

    def sink(events):
        seen.append([e.type for e in events])

    subscribe(sink)
    yield seen
    unsubscribe(sink)


@pytest.fixture
def pushed(monkeypatch):
    """What the live publisher hands the channel layer, instead of sending it."""
    out = []
    monkeypatch.setattr(live, "_flush", lambda layer, messages: out.extend(messages))
    # every group counts as followed: these pin what a followed group costs
    monkeypatch.setattr(live, "listening", lambda layer, groups: None)
    return out


def test_a_mail_that_opens_a_conversation_is_published_in_one_batch(deliver, mailbox, batches):
    response = deliver(corpus.plain(message_id="<first@example.com>").as_bytes())
    assert response.status_code == 202, response.content
    assert batches == [
        ["hook.received", "customer.create", "conversation.create", "conversation.message.create"]
    ]
    batches.clear()
    reply = corpus.plain(subject="Re: Order", in_reply_to="<first@example.com>")
    assert deliver(reply.as_bytes()).status_code == 202
    assert batches == [["hook.received", "conversation.message.create"]]


def test_each_push_names_the_event_before_it(deliver, mailbox, pushed):
    deliver(corpus.plain(message_id="<first@example.com>").as_bytes())
    deliver(corpus.plain(subject="Re", in_reply_to="<first@example.com>").as_bytes())
    customer_pushes = [m for group, m in pushed if m["topic"].startswith("customer.")]
    timeline = list(
        Event.objects.exclude(type__in=HIDDEN_TYPES)
        .exclude(customer_id=None)
        .order_by("id")
        .values_list("id", flat=True)
    )
    assert [m["id"] for m in customer_pushes] == timeline  # one push per entry, in order
    assert [m["prev"] for m in customer_pushes] == [None, *timeline[:-1]]
    # the new conversation and both messages reach the inbox too
    assert sum(1 for _, m in pushed if m["topic"] == "inbox") == 3


def test_the_live_push_of_a_mail_costs_one_query(deliver, mailbox, pushed, monkeypatch):
    real = live.publish
    spent = []

    def counting(events):
        with CaptureQueriesContext(connection) as queries:
            real(events)
        spent.append(len(queries))

    monkeypatch.setattr(live, "publish", counting)
    from kdesk import events as event_log

    monkeypatch.setattr(event_log, "_subscribers", [counting])
    deliver(corpus.plain(message_id="<first@example.com>").as_bytes())
    deliver(corpus.plain(subject="Re", in_reply_to="<first@example.com>").as_bytes())
    # the previous ids of the customer's pushes; no attribute definitions or Klasses (a
    # message, a new conversation and a new customer do not show them)
    assert spent == [1, 1]
