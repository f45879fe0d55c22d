"""Writes that name a customer (or their conversation) while that customer is being merged
away or deleted in another transaction: each lands on the customer the merge kept, or gets
the answer it would get once the merge is done (a 4xx naming what is gone), never a 500 from
the foreign key failing at commit, and never a 404 for a conversation that still exists. An
edit that waits for another writer on the conversation reads it as that writer left it.

Each test holds the merge (or delete) open in one thread, sends the request from another,
lets the merge commit once the request is waiting on a lock, and reads what each answered.
Found by bench/concurrency.py (notes, KObject creates, upserts and bulk upserts answered 500;
assigning a team being deleted, and a conversation edit waiting for an assignment, too)."""

import threading

import pytest
from django.db import connections, transaction

from conversations.models import Conversation, Message, Note
from customers.models import Customer
from customers.services import customer_delete, customer_merge
from klasses.models import Klass, KObject
from tests.factories import ApiClient
from tests.parallel import needs_real_concurrency, someone_waits_on_a_lock

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if reason := needs_real_concurrency():
        pytest.skip(reason)


def _while_held(hold, request):
    """Run `hold()` in a transaction of its own thread and keep it open; meanwhile `request()`
    in another thread; commit the first once the second waits on a lock (or has finished).
    Returns what `request()` returned (or raised)."""
    held, release = threading.Event(), threading.Event()
    outcome = {}

    def holder():
        try:
            with transaction.atomic():
                hold()
                held.set()
                release.wait(30)
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome["hold"] = exc
            held.set()
        finally:
            connections.close_all()

    def requester():
        try:
            outcome["request"] = request()
        except Exception as exc:  # noqa: BLE001 - a 500 raised through the test client
            outcome["request"] = exc
        finally:
            connections.close_all()

    first = threading.Thread(target=holder)
    first.start()
    assert held.wait(30)
    second = threading.Thread(target=requester)
    second.start()
    waiting = someone_waits_on_a_lock()
    release.set()
    first.join(30)
    second.join(30)
    assert not first.is_alive() and not second.is_alive()
    assert "hold" not in outcome, outcome["hold"]
    assert waiting, "the request never waited for the merge: the test proves nothing"
    return outcome["request"]


@pytest.fixture
def client(org, make_key):
    _, token = make_key(org)
    return ApiClient(token)


@pytest.fixture
def pair(org, client):
    """(source, target, source's conversation id): two customers, the first to be merged."""
    source = client.post("/v1/customers", {"name": "Source"}).json()["data"]["id"]
    target = client.post("/v1/customers", {"name": "Target"}).json()["data"]["id"]
    conversation = client.post("/v1/conversations", {"customer": source, "name": "Hello"})
    return int(source), int(target), int(conversation.json()["data"]["id"])


def _merge(org, source, target):
    return lambda: customer_merge(org=org, actor=None, source=source, target=target)


def _delete(org, customer):
    return lambda: customer_delete(
        org=org, actor=None, customer=Customer.objects.get(org=org, pk=customer)
    )


def test_it_writes_a_note_on_the_customer_the_merge_kept(org, client, pair):
    source, target, conv = pair
    response = _while_held(
        _merge(org, source, target),
        lambda: client.post(f"/v1/conversations/{conv}/notes", {"body": "during the merge"}),
    )
    assert getattr(response, "status_code", response) == 201
    note = Note.objects.get(org=org)
    assert (note.conversation_id, note.customer_id) == (conv, target)


def test_it_writes_a_message_on_the_customer_the_merge_kept(org, client, pair):
    source, target, conv = pair
    response = _while_held(
        _merge(org, source, target),
        lambda: client.post(
            f"/v1/conversations/{conv}/messages",
            {"direction": "in", "channel": "chat", "body": "during the merge"},
        ),
    )
    assert getattr(response, "status_code", response) == 201
    message = Message.objects.get(org=org)
    assert (message.conversation_id, message.customer_id) == (conv, target)
    assert Conversation.objects.get(pk=conv).message_count == 1


def test_a_note_on_a_conversation_deleted_meanwhile_is_a_404(org, client, pair):
    source, _, conv = pair
    response = _while_held(
        _delete(org, source),
        lambda: client.post(f"/v1/conversations/{conv}/notes", {"body": "too late"}),
    )
    assert getattr(response, "status_code", response) == 404
    assert not Note.objects.filter(org=org).exists()


def test_a_conversation_for_a_customer_merged_meanwhile_names_the_customer(org, client, pair):
    source, target, _ = pair
    response = _while_held(
        _merge(org, source, target),
        lambda: client.post("/v1/conversations", {"customer": str(source), "name": "Late"}),
    )
    assert getattr(response, "status_code", response) == 404
    assert response.json()["errors"][0]["source"]["pointer"] == "/customer"
    assert Conversation.objects.filter(org=org).count() == 1  # the merged one, now the target's


@pytest.fixture
def order(org, client):
    assert client.post("/v1/klasses", {"name": "order"}).status_code == 201
    return Klass.objects.get(org=org, name="order")


def test_a_kobject_for_a_customer_merged_meanwhile_names_the_customer(org, client, pair, order):
    source, target, _ = pair
    response = _while_held(
        _merge(org, source, target),
        lambda: client.post(
            "/v1/klasses/order", {"title": "O", "externalId": "o-1", "customer": str(source)}
        ),
    )
    assert getattr(response, "status_code", response) == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/customer"
    assert not KObject.objects.filter(klass=order).exists()


def test_an_upsert_moving_a_kobject_to_a_customer_deleted_meanwhile_names_it(
    org, client, pair, order
):
    source, target, _ = pair
    path = "/v1/klasses/order/externalId=o-1"
    assert client.put(path, {"title": "O", "customer": str(target)}).status_code == 201
    response = _while_held(
        _delete(org, source),
        lambda: client.put(path, {"title": "O", "customer": str(source)}),
    )
    assert getattr(response, "status_code", response) == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/customer"
    assert KObject.objects.get(klass=order).customer_id == target


def test_a_bulk_upsert_naming_a_customer_deleted_meanwhile_writes_nothing(org, client, pair, order):
    source, target, _ = pair
    items = [
        {"title": "A", "externalId": "a", "customer": str(target)},
        {"title": "B", "externalId": "b", "customer": str(source)},
    ]
    response = _while_held(
        _delete(org, source), lambda: client.post("/v1/klasses/order/bulk", items)
    )
    assert getattr(response, "status_code", response) == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/1/customer"
    assert not KObject.objects.filter(klass=order).exists()


def test_assigning_a_team_deleted_meanwhile_names_the_team(org, client, pair):
    from kdesk.models import Team
    from kdesk.services import team_delete

    _, _, conv = pair
    team = client.post("/v1/teams", {"name": "Billing"}).json()["data"]["id"]
    response = _while_held(
        lambda: team_delete(org=org, actor=None, team=int(team)),
        lambda: client.patch(f"/v1/conversations/{conv}", {"assignedTeam": team}),
    )
    assert getattr(response, "status_code", response) == 404
    assert response.json()["errors"][0]["source"]["pointer"] == "/assignedTeam"
    assert not Team.objects.filter(org=org).exists()
    assert Conversation.objects.get(pk=conv).assigned_team_id is None


# An edit that waits for another writer's lock on the conversation reads it as that writer
# left it (PostgreSQL rechecks the row it waited for against the rows joined beside it as they
# were before: a team assigned meanwhile came back missing, a 500; a merge meanwhile dropped
# the row, a 404).


def test_an_edit_waiting_for_an_assignment_keeps_the_team_assigned(org, client, pair):
    from conversations.services import conversation_update
    from kdesk.models import Event

    _, _, conv = pair
    team = client.post("/v1/teams", {"name": "Billing"}).json()["data"]["id"]
    response = _while_held(
        lambda: conversation_update(
            org=org, actor=None, conversation=conv, data={"assignedTeam": team}
        ),
        lambda: client.patch(f"/v1/conversations/{conv}", {"priority": 1}),
    )
    assert getattr(response, "status_code", response) == 200
    assert response.json()["data"]["relationships"]["assignedTeam"]["data"]["id"] == team
    event = Event.objects.filter(type="conversation.update").latest("id")
    assert event.data["meta"]["assignedTeamName"] == "Billing"
    assert event.changes == {"priority": {"before": 3, "after": 1}}


def test_an_edit_waiting_for_a_merge_edits_the_conversation_moved(org, client, pair):
    source, target, conv = pair
    response = _while_held(
        _merge(org, source, target),
        lambda: client.patch(f"/v1/conversations/{conv}", {"priority": 1}),
    )
    assert getattr(response, "status_code", response) == 200
    conversation = Conversation.objects.get(pk=conv)
    assert (conversation.customer_id, conversation.priority) == (target, 1)


def test_a_message_deleted_after_a_merge_records_it_for_the_customer_kept(org, client, pair):
    from kdesk.models import Event

    source, target, conv = pair
    body = {"direction": "in", "channel": "chat", "body": "Hi"}
    message = client.post(f"/v1/conversations/{conv}/messages", body).json()["data"]["id"]
    response = _while_held(
        _merge(org, source, target),
        lambda: client.delete(f"/v1/conversations/{conv}/messages/{message}"),
    )
    assert getattr(response, "status_code", response) == 204
    event = Event.objects.get(type="conversation.message.delete")
    assert event.customer_id == target
    assert Conversation.objects.get(pk=conv).message_count == 0


def test_a_merge_waiting_for_an_edit_moves_the_edit_event_too(org, client, pair):
    from conversations.services import conversation_update
    from kdesk.models import Event

    source, target, conv = pair
    response = _while_held(
        lambda: conversation_update(org=org, actor=None, conversation=conv, data={"priority": 1}),
        lambda: client.post("/v1/customers/merges", {"source": str(source), "target": str(target)}),
    )
    assert getattr(response, "status_code", response) in (200, 201)
    edit = Event.objects.get(type="conversation.update", changes__has_key="priority")
    assert edit.customer_id == target
    assert not Event.objects.filter(org=org, customer_id=source).exists()
