from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations import demo
from conversations.models import Conversation, Message, Note, Notification, Shortcut, Tag
from customers.models import Customer
from kdesk.demo import seed as seed_people
from kdesk.models import Event


def test_demo_seed_is_complete_idempotent_and_batched(db):
    org, people = seed_people()
    Customer.objects.bulk_create([Customer(org=org, name=f"Demo Person{i}") for i in range(200)])
    with CaptureQueriesContext(connection) as queries:
        demo.seed(org, people)
    # Batched writes (bulk inserts in chunks), never a query per row: 70 queries for 200
    # customers' conversations, messages and notes when this was written.
    assert len(queries) < Conversation.objects.count() / 2, len(queries)
    counts = [
        Conversation.objects.count(),
        Message.objects.count(),
        Note.objects.count(),
        Notification.objects.count(),
        Tag.objects.count(),
        Shortcut.objects.count(),
        Event.objects.count(),
    ]
    assert counts[0] >= 200 and counts[1] >= 2 * counts[0] and counts[2] > 20 and counts[3] > 10
    demo.seed(org, people)
    assert counts == [
        Conversation.objects.count(),
        Message.objects.count(),
        Note.objects.count(),
        Notification.objects.count(),
        Tag.objects.count(),
        Shortcut.objects.count(),
        Event.objects.count(),
    ]
    assert set(Conversation.objects.values_list("status", flat=True)) == {"open", "done", "snoozed"}
    conv = Conversation.objects.filter(message_count__gte=3).first()
    messages = list(conv.messages.order_by("sent_at"))
    assert conv.message_count == len(messages)
    assert conv.last_message_at == messages[-1].sent_at
    # Event rows carry the message times, and ids follow time order.
    event = Event.objects.get(type="conversation.message.create", resource_id=str(messages[0].pk))
    assert event.created_at == messages[0].sent_at
    stamps = list(
        Event.objects.filter(customer_id__isnull=False)
        .order_by("id")
        .values_list("created_at", flat=True)
    )
    assert stamps == sorted(stamps)
    note_event = Event.objects.filter(type="conversation.note.create").first()
    assert note_event.data["meta"]["authorName"]
    customer = Customer.objects.get(pk=conv.customer_id)
    assert customer.last_activity_at is not None
    assert Notification.objects.filter(user=people["lee"]).exists()


def test_demo_mentions_of_a_team_say_the_team_not_you(db):
    org, people = seed_people()
    Customer.objects.bulk_create([Customer(org=org, name=f"Demo Person{i}") for i in range(60)])
    demo.seed(org, people)
    checked = 0
    for n in Notification.objects.filter(kind=Notification.Kind.MENTION).select_related("note"):
        direct = n.user_id in n.note.mentioned_user_ids
        assert (" mentioned you on " in n.text) == direct, n.text
        if not direct:
            assert " mentioned @" in n.text, n.text
            checked += 1
    assert checked, "the demo has no team mentions to check"
