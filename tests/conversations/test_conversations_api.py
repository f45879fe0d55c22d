import pytest

from conversations.models import Notification, Shortcut, Tag
from kdesk.models import Event
from tests.conversations.factories import (
    ConversationCustomerFactory,
    ConversationFactory,
    MessageFactory,
    NoteFactory,
    ShortcutFactory,
    TagFactory,
)
from tests.events import emitted_since
from tests.factories import ApiClient, TeamFactory, UserFactory


@pytest.fixture
def customer(org):
    return ConversationCustomerFactory(org=org, name="Jane Doe")


@pytest.fixture
def conv(org, customer):
    return ConversationFactory(org=org, customer=customer, name="Late parcel")


@pytest.fixture
def foreign(other_org):
    customer = ConversationCustomerFactory(org=other_org)
    return ConversationFactory(org=other_org, customer=customer)


def limited(make_key, org, *scopes):
    _, token = make_key(org, scopes=[f"org.permission.{s}" for s in scopes])
    return ApiClient(token)


# ---------------------------------------------------------------- conversations


def test_create_and_get_a_conversation(api, customer, agent):
    r = api.post(
        "/v1/conversations",
        {
            "customer": str(customer.pk),
            "name": "Refund",
            "priority": 1,
            "assignedUser": str(agent.pk),
            "custom": {"reasonStr": "late"},
        },
    )
    assert r.status_code == 201, r.json()
    data = r.json()["data"]
    assert data["type"] == "conversation"
    assert data["attributes"]["name"] == "Refund"
    assert data["attributes"]["status"] == "open"
    assert data["attributes"]["custom"] == {"reasonStr": "late"}
    assert data["attributes"]["rev"] == 1
    assert data["attributes"]["createdAt"].endswith("Z")
    assert data["relationships"] == {
        "customer": {"data": {"type": "customer", "id": str(customer.pk)}},
        "assignedUser": {"data": {"type": "user", "id": str(agent.pk)}},
    }
    assert data["links"]["self"] == f"/v1/conversations/{data['id']}"
    assert Notification.objects.filter(user=agent, kind="assignment").count() == 1
    got = api.get(f"/v1/conversations/{data['id']}/").json()["data"]
    assert got == data


def test_create_reports_every_error(api):
    r = api.post("/v1/conversations", {"priority": 0, "status": "x", "nope": True})
    assert r.status_code == 400
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/customer", "/priority", "/status", "/nope"}


def test_another_orgs_ids_are_404_in_path_and_body(api, foreign, other_org, conv):
    assert api.get(f"/v1/conversations/{foreign.pk}").status_code == 404
    assert api.patch(f"/v1/conversations/{foreign.pk}", {"name": "x"}).status_code == 404
    assert api.get(f"/v1/conversations/{foreign.pk}/messages").status_code == 404
    assert api.get(f"/v1/conversations/{foreign.pk}/notes").status_code == 404
    assert api.get(f"/v1/customers/{foreign.customer_id}/conversations").status_code == 404
    r = api.post(
        f"/v1/customers/{foreign.customer_id}/messages",
        {"direction": "in", "channel": "email", "body": "x"},
    )
    assert r.status_code == 404
    r = api.post("/v1/conversations", {"customer": foreign.customer_id})
    assert r.status_code == 404
    assert r.json()["errors"][0]["source"]["pointer"] == "/customer"
    stranger = UserFactory(org=other_org)
    r = api.patch(f"/v1/conversations/{conv.pk}", {"assignedUser": stranger.pk})
    assert r.status_code == 404
    assert r.json()["errors"][0]["source"]["pointer"] == "/assignedUser"
    r = api.post(
        f"/v1/conversations/{conv.pk}/notes",
        {"body": "hi", "userMentions": [{"user": str(stranger.pk)}]},
    )
    assert r.status_code == 404
    assert r.json()["errors"][0]["source"]["pointer"] == "/userMentions/0/user"


def test_patch_put_and_stale_rev(api, conv, agent):
    r = api.patch(f"/v1/conversations/{conv.pk}", {"status": "done", "rev": 1, "priority": 5})
    assert r.status_code == 200, r.json()
    attrs = r.json()["data"]["attributes"]
    assert attrs["status"] == "done" and attrs["rev"] == 2 and attrs["priority"] == 5
    r = api.patch(f"/v1/conversations/{conv.pk}/", {"status": "open", "rev": 1})
    assert r.status_code == 409
    assert r.json()["errors"][0]["status"] == "409"
    r = api.put(f"/v1/conversations/{conv.pk}", {"name": "New subject", "rev": 2})
    assert r.status_code == 200
    attrs = r.json()["data"]["attributes"]
    assert attrs["name"] == "New subject" and attrs["priority"] == 5 and attrs["status"] == "done"
    event = Event.objects.filter(type="conversation.update").first()
    assert event.changes["status"] == {"before": "open", "after": "done"}


def test_list_filters_sort_and_pagination(api, org, customer, agent):
    team = TeamFactory(org=org)
    other = ConversationCustomerFactory(org=org)
    c1 = ConversationFactory(org=org, customer=customer, assigned_user=agent, priority=1)
    c2 = ConversationFactory(org=org, customer=customer, status="done", assigned_team=team)
    c3 = ConversationFactory(org=org, customer=other, priority=5)

    def ids(query):
        r = api.get(f"/v1/conversations?{query}")
        assert r.status_code == 200, r.json()
        return [int(d["id"]) for d in r.json()["data"]]

    assert sorted(ids("")) == sorted([c1.pk, c2.pk, c3.pk])
    assert ids("status=done") == [c2.pk]
    assert sorted(ids("status=open")) == sorted([c1.pk, c3.pk])
    assert ids(f"assignedUser={agent.pk}") == [c1.pk]
    assert ids(f"assignedTeam={team.pk}") == [c2.pk]
    assert ids(f"customer={other.pk}") == [c3.pk]
    assert ids("sort=priority") == [c1.pk, c2.pk, c3.pk]
    assert ids("sort=-priority") == [c3.pk, c2.pk, c1.pk]
    assert ids("updatedSince=2999-01-01T00:00:00Z") == []
    r = api.get("/v1/conversations?status=bogus")
    assert r.status_code == 400 and r.json()["errors"][0]["source"]["pointer"] == "/status"
    r = api.get("/v1/conversations?updatedSince=soon")
    assert r.status_code == 400
    page = api.get("/v1/conversations?pageSize=2&sort=priority").json()
    assert page["meta"] == {"page": 1, "pageSize": 2, "total": 3, "totalPages": 2}
    assert page["links"]["next"] is not None and page["links"]["prev"] is None
    page2 = api.get(page["links"]["next"]).json()
    assert [int(d["id"]) for d in page2["data"]] == [c3.pk]
    assert page2["links"]["next"] is None
    r = api.get(f"/v1/customers/{customer.pk}/conversations/?status=done")
    assert [int(d["id"]) for d in r.json()["data"]] == [c2.pk]


def test_lists_cost_a_fixed_number_of_queries(api, org, customer, django_assert_num_queries):
    conv = ConversationFactory(org=org, customer=customer)

    def fill(n):
        for _ in range(n):
            c = ConversationFactory(org=org, customer=customer)
            MessageFactory(conversation=conv)
            NoteFactory(conversation=conv, author=None)
            TagFactory(org=org)
            ShortcutFactory(owner=api.key.user)
            assert c

    counts = {}
    api.get("/v1/tags")  # the key's first use writes last_used_at
    for n in (2, 28):
        fill(n)
        for path in (
            "/v1/conversations",
            f"/v1/customers/{customer.pk}/conversations",
            f"/v1/conversations/{conv.pk}/messages",
            f"/v1/conversations/{conv.pk}/notes",
            "/v1/tags",
            "/v1/shortcuts",
        ):
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                r = api.get(path)
            assert r.status_code == 200
            counts.setdefault(path, set()).add(len(ctx.captured_queries))
    assert all(len(v) == 1 for v in counts.values()), counts


def test_conversation_list_query_count(api, org, customer, django_assert_num_queries):
    for _ in range(30):
        ConversationFactory(org=org, customer=customer)
    api.get("/v1/conversations")  # warm caches (key lookup paths)
    # API key (with its user) + count + page
    with django_assert_num_queries(2):
        api.get("/v1/conversations")


def test_scopes(make_key, org, conv, customer):
    reader = limited(make_key, org, "conversation.read", "message.read", "note.read")
    assert reader.get("/v1/conversations").status_code == 200
    assert reader.post("/v1/conversations", {"customer": customer.pk}).status_code == 403
    assert reader.patch(f"/v1/conversations/{conv.pk}", {"name": "x"}).status_code == 403
    assert reader.put(f"/v1/conversations/{conv.pk}", {"name": "x"}).status_code == 403
    body = {"direction": "in", "channel": "chat", "body": "x"}
    assert reader.post(f"/v1/conversations/{conv.pk}/messages", body).status_code == 403
    assert reader.post(f"/v1/customers/{customer.pk}/messages", body).status_code == 403
    assert reader.post(f"/v1/conversations/{conv.pk}/notes", {"body": "x"}).status_code == 403
    nobody = limited(make_key, org, "customer.read")
    for path in (
        "/v1/conversations",
        f"/v1/conversations/{conv.pk}",
        f"/v1/customers/{customer.pk}/conversations",
        f"/v1/conversations/{conv.pk}/messages",
        f"/v1/conversations/{conv.pk}/notes",
        "/v1/tags",
        "/v1/shortcuts",
    ):
        assert nobody.get(path).status_code == 403, path
    assert nobody.post("/v1/tags", {"name": "x"}).status_code == 403
    assert nobody.post("/v1/shortcuts", {"name": "x", "payload": "y"}).status_code == 403
    assert not Tag.objects.exists() and not Shortcut.objects.exists()


def test_trailing_slash_both_ways(api, conv, customer):
    for path in (
        "/v1/conversations",
        f"/v1/conversations/{conv.pk}",
        f"/v1/customers/{customer.pk}/conversations",
        f"/v1/conversations/{conv.pk}/messages",
        f"/v1/conversations/{conv.pk}/notes",
        "/v1/tags",
        "/v1/shortcuts",
    ):
        a, b = api.get(path), api.get(path + "/")
        assert a.status_code == b.status_code == 200, path
        assert a.json()["data"] == b.json()["data"]
    r = api.post(
        f"/v1/customers/{customer.pk}/messages/",
        {"direction": "in", "channel": "chat", "body": "x"},
    )
    assert r.status_code == 201
    assert api.post("/v1/tags/", {"name": "slash"}).status_code == 201


# ---------------------------------------------------------------- messages


def test_messages_create_and_list(api, conv):
    r = api.post(
        f"/v1/conversations/{conv.pk}/messages",
        {
            "direction": "out",
            "channel": "email",
            "bodyHtml": "<b>Hi</b><script>x</script>",
            "custom": {"langStr": "en"},
        },
    )
    assert r.status_code == 201, r.json()
    data = r.json()["data"]
    assert data["type"] == "message"
    assert data["attributes"]["bodyHtml"] == "<b>Hi</b>"
    assert data["attributes"]["body"] == "Hi" and data["attributes"]["preview"] == "Hi"
    assert data["relationships"]["conversation"]["data"]["id"] == str(conv.pk)
    assert data["relationships"]["author"]["data"]["id"] == str(api.key.user_id)
    assert api.get(data["links"]["self"]).json()["data"] == data
    page = api.get(f"/v1/conversations/{conv.pk}/messages").json()
    assert page["meta"]["total"] == 1 and page["data"][0]["id"] == data["id"]
    conv.refresh_from_db()
    assert conv.message_count == 1


def test_message_errors(api, conv):
    r = api.post(f"/v1/conversations/{conv.pk}/messages", {"channel": "fax", "x": 1})
    assert r.status_code == 400
    pointers = {e["source"]["pointer"] for e in r.json()["errors"]}
    assert pointers == {"/direction", "/channel", "/body", "/x"}
    r = api.post(f"/v1/conversations/{conv.pk}/messages", raw="[1,2]")
    assert r.status_code == 400


def test_customer_messages_pick_a_conversation(api, customer, conv):
    r = api.post(
        f"/v1/customers/{customer.pk}/messages",
        {"direction": "in", "channel": "email", "body": "Any news?"},
    )
    assert r.status_code == 201
    assert r.json()["data"]["relationships"]["conversation"]["data"]["id"] == str(conv.pk)
    r = api.post(
        f"/v1/customers/{customer.pk}/messages",
        {"direction": "in", "channel": "sms", "body": "hello", "subject": "SMS thread"},
    )
    new_id = r.json()["data"]["relationships"]["conversation"]["data"]["id"]
    assert new_id != str(conv.pk)
    assert api.get(f"/v1/conversations/{new_id}").json()["data"]["attributes"]["name"] == (
        "SMS thread"
    )
    r = api.post(
        f"/v1/customers/{customer.pk}/messages",
        {"direction": "in", "channel": "sms", "body": "x", "conversation": str(conv.pk)},
    )
    assert r.json()["data"]["relationships"]["conversation"]["data"]["id"] == str(conv.pk)


# ---------------------------------------------------------------- notes


def test_notes_create_and_list(api, org, conv, agent):
    team = TeamFactory(org=org, slug="billing")
    lee = UserFactory(org=org, username="lee")
    team.members.set([lee])
    r = api.post(
        f"/v1/conversations/{conv.pk}/notes",
        {"body": "@sam please refund", "userMentions": [{"team": str(team.pk)}]},
    )
    assert r.status_code == 201, r.json()
    data = r.json()["data"]
    assert data["type"] == "note"
    assert data["attributes"]["body"] == "@sam please refund"
    assert data["attributes"]["userMentions"] == [{"user": str(agent.pk)}, {"team": str(team.pk)}]
    assert sorted(Notification.objects.values_list("user_id", flat=True)) == sorted(
        [agent.pk, lee.pk]
    )
    assert api.get(data["links"]["self"]).json()["data"] == data
    page = api.get(f"/v1/conversations/{conv.pk}/notes?pageSize=1").json()
    assert page["meta"]["total"] == 1 and page["data"][0] == data


def test_note_errors(api, conv):
    r = api.post(f"/v1/conversations/{conv.pk}/notes", {"userMentions": "sam"})
    assert r.status_code == 400
    assert {e["source"]["pointer"] for e in r.json()["errors"]} == {"/body", "/userMentions"}


# ---------------------------------------------------------------- tags


def test_tags_crud(api, other_api):
    r = api.post("/v1/tags", {"name": "VIP", "color": "#FFAA00"})
    assert r.status_code == 201, r.json()
    tag = r.json()["data"]
    assert tag["attributes"]["color"] == "#ffaa00" and tag["relationships"] == {}
    assert api.post("/v1/tags", {"name": "vip"}).status_code == 409
    r = api.post("/v1/tags", {"name": "", "color": "red"})
    assert {e["source"]["pointer"] for e in r.json()["errors"]} == {"/name", "/color"}
    assert other_api.get(f"/v1/tags/{tag['id']}").status_code == 404
    assert other_api.delete(f"/v1/tags/{tag['id']}").status_code == 404
    r = api.put(f"/v1/tags/{tag['id']}", {"color": "#000000", "rev": 1})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["rev"] == 2
    assert api.put(f"/v1/tags/{tag['id']}", {"color": "#111111", "rev": 1}).status_code == 409
    assert api.get("/v1/tags").json()["meta"]["total"] == 1
    assert api.delete(f"/v1/tags/{tag['id']}/").status_code == 204
    assert api.get(f"/v1/tags/{tag['id']}").status_code == 404
    assert emitted_since(resource="tag") == ["tag.create", "tag.update", "tag.delete"]


# ---------------------------------------------------------------- shortcuts


def test_shortcuts_crud_and_visibility(api, org, make_key, other_api):
    r = api.post("/v1/shortcuts", {"name": "greet", "payload": "Hi {{customer.firstName}}"})
    assert r.status_code == 201, r.json()
    shared = r.json()["data"]
    assert shared["attributes"]["visibility"] == "shared"
    assert shared["relationships"]["owner"]["data"]["id"] == str(api.key.user_id)
    r = api.post("/v1/shortcuts", {"name": "mine", "payload": "x", "visibility": "private"})
    private = r.json()["data"]
    assert api.post("/v1/shortcuts", {"name": "mine", "payload": "y"}).status_code == 409
    colleague = limited(make_key, org, "shortcut.read", "shortcut.update", "shortcut.delete")
    ids = [d["id"] for d in colleague.get("/v1/shortcuts").json()["data"]]
    assert ids == [shared["id"]]
    assert colleague.get(f"/v1/shortcuts/{private['id']}").status_code == 404
    assert colleague.delete(f"/v1/shortcuts/{private['id']}").status_code == 404
    assert other_api.get(f"/v1/shortcuts/{shared['id']}").status_code == 404
    assert len(api.get("/v1/shortcuts").json()["data"]) == 2
    r = api.put(f"/v1/shortcuts/{private['id']}", {"visibility": "shared", "rev": 1})
    assert r.status_code == 200 and r.json()["data"]["attributes"]["visibility"] == "shared"
    assert api.put(f"/v1/shortcuts/{private['id']}", {"name": "z", "rev": 1}).status_code == 409
    assert colleague.get(f"/v1/shortcuts/{private['id']}").status_code == 200
    assert api.delete(f"/v1/shortcuts/{private['id']}").status_code == 204
    assert emitted_since(resource="shortcut") == [
        "shortcut.create",
        "shortcut.create",
        "shortcut.update",
        "shortcut.delete",
    ]
