"""After a merge, the kept customer's timeline holds both histories: the removed customer's
conversations, messages, notes and KObjects show on it, because the merge re-points their stored
events to the kept customer inside its transaction, in one statement whatever the history's size.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import services as conv
from customers.services import customer_create, customer_merge
from kdesk.models import Event
from klasses.models import Klass
from klasses.services import kobject_create
from tests.timeline.desk_data import build, people
from timeline.selectors import timeline_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


def _history(org, who, customer, n):
    """`n` conversations (a message and a note each) and `n` orders of `customer`."""
    order = Klass.objects.get(org=org, name="order")
    for i in range(n):
        message = conv.message_create(
            org=org,
            actor=None,
            customer=customer,
            data={"direction": "in", "channel": "email", "body": f"Question {i}"},
        )
        conv.note_create(
            org=org,
            actor=who["sam"],
            conversation=message.conversation,
            data={"body": f"Note {i}"},
        )
        kobject_create(
            org=org,
            actor=None,
            klass=order,
            data={
                "title": f"Order {i}",
                "customer": customer.pk,
                "data": {"orderNumberStr": f"M-{customer.pk}-{i}"},
            },
        )


def _entries(org, customer_id):
    rows, more = timeline_page(org=org, customer_id=customer_id, limit=500)
    assert more is None
    return rows


def test_the_kept_customers_timeline_shows_the_removed_ones_history(client, org, who):
    removed, conversation = build(org, who, orders=True)  # orders, a conversation and a note
    kept = customer_create(org=org, actor=None, data={"name": "G. Hopper"})
    conv.message_create(
        org=org,
        actor=None,
        customer=kept,
        data={"direction": "in", "channel": "chat", "body": "Second account here"},
    )
    history = {row["id"] for row in _entries(org, removed.pk)}
    kinds = {row["kind"] for row in _entries(org, removed.pk)}
    assert {"conversation", "message", "note", "kobject"} <= kinds

    customer_merge(org=org, actor=who["ada"], source=removed.pk, target=kept.pk)

    entries = _entries(org, kept.pk)
    assert history <= {row["id"] for row in entries}
    assert _entries(org, removed.pk) == []
    client.force_login(who["sam"])
    html = client.get(f"/customers/{kept.pk}/").content.decode()
    assert "Second account here" in html  # its own history stays
    assert "Hi, my parcel has not arrived yet." in html  # the removed one's messages,
    assert "can you chase the carrier?" in html  # notes,
    assert "Order DO-" in html  # and KObjects
    assert f'value="{conversation.pk}"' in html  # its conversation is offered on the card
    assert f"/customers/{removed.pk}/" not in html  # nothing links to the customer that went
    assert client.get(f"/customers/{removed.pk}/").status_code == 404


def test_the_history_moves_in_a_number_of_queries_that_does_not_grow_with_it(org, who):
    build(org, who, orders=True)  # the Klasses and the demo setup
    pairs = {}
    for n in (2, 1, 4):
        source = customer_create(org=org, actor=None, data={"name": f"Source {n}"})
        target = customer_create(org=org, actor=None, data={"name": f"Target {n}"})
        _history(org, who, source, n)
        pairs[n] = (source, target)

    counts = {}
    for n in (2, 1, 4):  # the first merge warms what a process caches
        source, target = pairs[n]
        moved = Event.objects.filter(org=org, customer_id=source.pk).count()
        own = Event.objects.filter(org=org, customer_id=target.pk).count()
        last = Event.objects.latest("id").pk
        with CaptureQueriesContext(connection) as queries:
            customer_merge(org=org, actor=who["ada"], source=source.pk, target=target.pk)
        counts[n] = len(queries)
        repointed = [
            q["sql"]
            for q in queries.captured_queries
            if q["sql"].startswith('UPDATE "kdesk_event"')
        ]
        assert len(repointed) == 1, repointed
        assert not Event.objects.filter(org=org, customer_id=source.pk).exists()
        # what the merge recorded (the moved rows' updates, the merge itself) names the target
        recorded = Event.objects.filter(org=org, id__gt=last)
        assert set(recorded.values_list("customer_id", flat=True)) == {target.pk}
        total = Event.objects.filter(org=org, customer_id=target.pk).count()
        assert total == own + moved + recorded.count()
    assert counts[1] == counts[4], counts
