import pytest
from django.db import connection, transaction

from conversations.models import Notification
from conversations.services import note_create, parse_mentions
from kdesk.errors import NotFound, ValidationFailed
from kdesk.models import Event
from tests.conversations.factories import ConversationFactory
from tests.factories import TeamFactory, UserFactory


@pytest.fixture
def people(org, admin_user, agent):
    priya = UserFactory(org=org, username="priya", display_name="Priya Shah")
    lee = UserFactory(org=org, username="lee", display_name="Lee Chen")
    billing = TeamFactory(org=org, name="Billing", slug="billing")
    billing.members.set([agent, priya])
    shipping = TeamFactory(org=org, name="Shipping", slug="shipping")
    shipping.members.set([lee, priya])
    return {
        "ada": admin_user,
        "sam": agent,
        "priya": priya,
        "lee": lee,
        "billing": billing,
        "shipping": shipping,
    }


@pytest.fixture
def conversation(org):
    return ConversationFactory(org=org)


def recipients(note):
    return sorted(Notification.objects.filter(note=note).values_list("user__username", flat=True))


def test_it_resolves_body_mentions_at_word_boundaries(org, people):
    users, teams, ids, errors = parse_mentions(
        org=org, body="@sam can you check? cc @billing. mail ada@acme.io, not@lee", author=None
    )
    assert [u.username for u in users] == ["sam"]
    assert [t.slug for t in teams] == ["billing"]
    assert errors == []
    assert set(ids) == {people["sam"].pk, people["priya"].pk}


def test_it_ignores_unknown_handles_and_other_orgs_users(org, other_org, people):
    UserFactory(org=other_org, username="mallory")
    users, teams, ids, _ = parse_mentions(org=org, body="@mallory @nobody hi", author=None)
    assert users == [] and teams == [] and ids == []


def test_it_notifies_each_person_once_never_the_author(org, people, conversation):
    note = note_create(
        org=org,
        actor=people["priya"],
        conversation=conversation,
        data={
            "body": "@sam @billing @shipping @priya please look",
            "userMentions": [{"user": people["sam"].pk}, {"team": people["shipping"].pk}],
        },
    )
    assert recipients(note) == ["lee", "sam"]
    assert note.mentioned_user_ids == [people["sam"].pk, people["priya"].pk]
    assert note.mentioned_team_ids == [people["shipping"].pk, people["billing"].pk]


def test_it_takes_explicit_mentions(org, people, conversation):
    note = note_create(
        org=org,
        actor=people["ada"],
        conversation=conversation,
        data={"body": "see above", "userMentions": [{"user": str(people["lee"].pk)}]},
    )
    assert recipients(note) == ["lee"]
    n = Notification.objects.get(note=note)
    assert n.kind == "mention" and n.customer_id == conversation.customer_id
    assert n.conversation_id == conversation.pk and n.actor_id == people["ada"].pk


def test_it_refuses_another_orgs_user_or_team(org, other_org, people, conversation):
    stranger = UserFactory(org=other_org)
    team = TeamFactory(org=other_org)
    with pytest.raises(NotFound) as exc:
        note_create(
            org=org,
            actor=people["ada"],
            conversation=conversation,
            data={"body": "x", "userMentions": [{"user": stranger.pk}, {"team": team.pk}]},
        )
    assert [e.pointer for e in exc.value.errors] == ["/userMentions/0/user", "/userMentions/1/team"]
    assert not Notification.objects.exists()


def test_it_reports_bad_mentions_with_pointers(org, people, conversation):
    with pytest.raises(ValidationFailed) as exc:
        note_create(
            org=org,
            actor=people["ada"],
            conversation=conversation,
            data={"body": "", "userMentions": [{"user": "x"}, {"who": 1}]},
        )
    pointers = {e.pointer for e in exc.value.errors}
    assert pointers == {"/body", "/userMentions/0/user", "/userMentions/1"}


@pytest.mark.django_db(transaction=True)
def test_notifications_roll_back_with_the_note(org, people, conversation):
    with pytest.raises(RuntimeError), transaction.atomic():
        note_create(
            org=org, actor=people["ada"], conversation=conversation, data={"body": "@sam hi"}
        )
        assert Notification.objects.count() == 1
        raise RuntimeError
    assert Notification.objects.count() == 0
    assert not Event.objects.filter(type="conversation.note.create").exists()


def test_note_event_snapshot_is_complete(org, people, conversation):
    note = note_create(
        org=org,
        actor=people["ada"],
        conversation=conversation,
        data={"body": "@sam and @shipping: refund approved"},
    )
    event = Event.objects.get(type="conversation.note.create")
    assert event.resource == "note" and event.resource_id == str(note.pk)
    assert event.customer_id == conversation.customer_id
    assert event.actor_id == people["ada"].pk
    assert event.data["attributes"]["body"] == "@sam and @shipping: refund approved"
    meta = event.data["meta"]
    assert meta["authorName"] == "Ada Admin"
    assert meta["conversationId"] == str(conversation.pk)
    assert meta["conversationName"] == conversation.name
    assert meta["mentionedUsers"] == [
        {"id": str(people["sam"].pk), "username": "sam", "displayName": "Sam Rivera"}
    ]
    assert meta["mentionedTeams"][0]["slug"] == "shipping"
    assert sorted(event.data["notified"]) == sorted(
        [people["sam"].pk, people["lee"].pk, people["priya"].pk]
    )


def test_note_create_query_count_is_fixed(org, people, conversation, django_assert_num_queries):
    # Steady state: the org's workflow triggers are read from the shared cache once, by the
    # first write, and no query after that.
    note_create(org=org, actor=people["ada"], conversation=conversation, data={"body": "warm"})
    # conversation, users, teams, memberships, note, notifications, event, the org's webhook
    # subscriptions (outbox rows are decided in the event's transaction) (+ savepoints); on
    # PostgreSQL the conversation is two: its customer's row lock, then its own, as a message
    # takes them (a merge or delete meanwhile waits for the note)
    with django_assert_num_queries(11 if connection.vendor == "postgresql" else 10):
        note_create(
            org=org,
            actor=people["ada"],
            conversation=conversation,
            data={"body": "@sam @lee @billing @shipping"},
        )
