"""Saved inbox views: a view's filters (status, assignee, team, tag, channel, priority, a
conversation attribute, a customer KObject criterion) compile to a search; private views are
their owner's, team views their team's; the sidebar counts each view; bad choices come back
beside their fields and nothing is saved; every write records one event."""

import re

import pytest

from conversations import services as conv
from customers.services import customer_create
from kdesk.models import Event
from tests.conversations.factories import TagFactory
from tests.events import assert_events
from tests.factories import OrganizationFactory, UserFactory
from tests.timeline.desk_data import build, people
from timeline import saved_views
from timeline.models import SavedView
from timeline.services import saved_view_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def shop(org, who):
    """Grace: an email conversation and orders (some over 500). Ken: a chat conversation,
    tagged vip, urgent, assigned to Sam and the billing team; no orders."""
    grace, grace_conv = build(org, who, orders=True)
    TagFactory(org=org, name="vip", color="#7c3aed")
    ken = customer_create(org=org, actor=None, data={"name": "Ken Tanaka"})
    message = conv.message_create(
        org=org,
        actor=None,
        customer=ken,
        data={"direction": "in", "channel": "chat", "body": "Is my refund through?"},
    )
    ken_conv = conv.conversation_update(
        org=org,
        actor=who["ada"],
        conversation=message.conversation,
        data={
            "tags": ["vip"],
            "priority": 5,
            "assignedUser": who["sam"].pk,
            "assignedTeam": who["billing"].pk,
        },
    )
    return grace_conv, ken_conv


@pytest.fixture
def sam(client, who):
    client.force_login(who["sam"])
    return client


def found(org, user, filters):
    qs = saved_views.conversations(org=org, user_id=user.pk, filters=filters)
    return set(qs.values_list("id", flat=True))


def test_each_filter_finds_what_it_says(org, who, shop):
    grace_conv, ken_conv = shop
    sam = who["sam"]
    both = {grace_conv.pk, ken_conv.pk}
    assert found(org, sam, {}) == both
    assert found(org, sam, {"status": "open"}) == both
    assert found(org, sam, {"status": "done"}) == set()
    assert found(org, sam, {"assignee": "me"}) == {ken_conv.pk}
    assert found(org, who["lee"], {"assignee": "me"}) == set()
    assert found(org, sam, {"assignee": "none"}) == {grace_conv.pk}
    assert found(org, sam, {"assignee": str(sam.pk)}) == {ken_conv.pk}
    assert found(org, sam, {"team": who["billing"].pk}) == {ken_conv.pk}
    assert found(org, sam, {"tag": "vip"}) == {ken_conv.pk}
    assert found(org, sam, {"channel": "email"}) == {grace_conv.pk}
    assert found(org, sam, {"priority": 5}) == {ken_conv.pk}
    attr = {"name": "resolutionStr", "op": "equals", "value": "refunded"}
    assert found(org, sam, {"attr": attr}) == set()
    over = {"klass": "order", "name": "totalNum", "op": "gt", "value": 500}
    assert found(org, sam, {"kobject": over}) == {grace_conv.pk}
    huge = {"klass": "order", "name": "totalNum", "op": "gt", "value": 100000}
    assert found(org, sam, {"kobject": huge}) == set()


def test_creating_a_view_from_the_form(sam, org, who, shop):
    with assert_events(["view.create"], org=org):
        response = sam.post(
            "/inbox/views/new/",
            {
                "name": "Big spenders",
                "share": str(who["billing"].pk),
                "status": "open",
                "kobject_attr": "order.totalNum",
                "kobject_op": "gt",
                "kobject_value": "500",
            },
        )
    view = SavedView.objects.get(org=org, name="Big spenders")
    assert response.status_code == 302 and response["Location"] == f"/inbox/?view={view.pk}"
    assert view.owner == who["sam"] and view.team == who["billing"]
    assert view.filters == {
        "status": "open",
        "kobject": {"klass": "order", "name": "totalNum", "op": "gt", "value": 500},
    }
    html = sam.get(f"/inbox/?view={view.pk}").content.decode()
    assert "Big spenders" in html and "Grace Hopper" in html and "Ken Tanaka" not in html


def test_bad_choices_come_back_beside_their_fields(sam, org, shop):
    response = sam.post(
        "/inbox/views/new/",
        {
            "name": "",
            "status": "lost",
            "tag": "nosuchtag",
            "priority": "9",
            "attr_name": "resolutionStr",
            "attr_op": "gt",
            "attr_value": "x",
            "kobject_attr": "order.totalNum",
            "kobject_op": "gt",
            "kobject_value": "lots",
        },
    )
    assert response.status_code == 422
    html = response.content.decode()
    for text in (
        "Give the view a name.",
        "Choose a status from the list.",
        "There is no tag “nosuchtag”.",
        "Choose a priority from the list.",
        "Over and under compare numbers",
        "“lots” is not a number.",
    ):
        assert text in html, text
    assert 'name="name"' in html and 'value="x"' in html  # the form again, typed values kept
    assert not SavedView.objects.filter(org=org).exists()
    assert not Event.objects.filter(org=org, type="view.create").exists()


def test_private_views_are_their_owners_and_team_views_their_teams(client, org, who, shop):
    mine = saved_view_create(org=org, actor=who["sam"], name="Mine", team_id=None, filters={})
    team = saved_view_create(
        org=org, actor=who["sam"], name="Billing queue", team_id=who["billing"].pk, filters={}
    )
    client.force_login(who["lee"])  # in billing
    html = client.get("/inbox/views/counts/").content.decode()
    assert "Billing queue" in html and "Mine" not in html
    assert client.get(f"/inbox/?view={mine.pk}").content.decode().count("Mine") == 0
    assert client.get(f"/inbox/views/{team.pk}/edit/").status_code == 404  # not theirs
    client.force_login(who["priya"])  # in no team
    html = client.get("/inbox/views/counts/").content.decode()
    assert "Billing queue" not in html and "Mine" not in html
    client.force_login(who["ada"])  # an admin changes any view they can see
    response = client.post(f"/inbox/views/{mine.pk}/delete/")
    assert response.status_code == 404  # Ada cannot see Sam's private view


def test_the_sidebar_counts_each_view_with_one_query_a_view(
    sam, org, who, shop, django_assert_num_queries
):
    for n, filters in enumerate([{"tag": "vip"}, {"status": "open"}, {"channel": "sms"}]):
        saved_view_create(org=org, actor=who["sam"], name=f"V{n}", team_id=None, filters=filters)
    sam.get("/inbox/")
    # session, user, org, the views, one count each, the bell's unread count
    with django_assert_num_queries(4 + 3 + 1):
        html = sam.get("/inbox/views/counts/").content.decode()
    counts = dict(
        re.findall(
            r'class="view-name">(V\d)</span><span class="count" data-view-count="\d+">(\d+)', html
        )
    )
    assert counts == {"V0": "1", "V1": "2", "V2": "0"}


def test_changing_and_deleting_a_view(sam, org, who, shop):
    view = saved_view_create(org=org, actor=who["sam"], name="Urgent", team_id=None, filters={})
    response = sam.post(f"/inbox/views/{view.pk}/edit/", {"name": "Urgent ones", "priority": "5"})
    assert response.status_code == 302
    view.refresh_from_db()
    assert view.name == "Urgent ones" and view.filters == {"priority": 5} and view.rev == 2
    event = Event.objects.get(org=org, type="view.update")
    assert event.changes["name"] == {"before": "Urgent", "after": "Urgent ones"}
    assert sam.post(f"/inbox/views/{view.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=view.pk).exists()
    assert Event.objects.filter(org=org, type="view.delete").count() == 1


def test_deleting_a_view_asks_first_and_says_who_loses_it(sam, org, who, shop):
    shared = saved_view_create(
        org=org, actor=who["sam"], name="Billing queue", team_id=who["billing"].pk, filters={}
    )
    edit = sam.get(f"/inbox/views/{shared.pk}/edit/").content.decode()
    # the edit form links to the question; it holds no form that deletes at once
    assert f'href="/inbox/views/{shared.pk}/delete/"' in edit
    assert f'action="/inbox/views/{shared.pk}/delete/"' not in edit
    response = sam.get(f"/inbox/views/{shared.pk}/delete/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Delete the view “Billing queue”?" in html
    assert "shared with Billing" in html and "everyone in that team" in html
    assert SavedView.objects.filter(pk=shared.pk).exists()  # asking deleted nothing
    assert sam.post(f"/inbox/views/{shared.pk}/delete/").status_code == 302
    assert not SavedView.objects.filter(pk=shared.pk).exists()


def test_a_stale_revision_is_a_conflict_and_changes_nothing(org, who):
    from kdesk.errors import Conflict
    from timeline.services import saved_view_update

    view = saved_view_create(org=org, actor=who["sam"], name="Urgent", team_id=None, filters={})
    saved_view_update(
        org=org, actor=who["sam"], view=view, name="Urgent ones", team_id=None, filters={}, rev=1
    )
    with pytest.raises(Conflict) as refused:
        saved_view_update(
            org=org, actor=who["sam"], view=view, name="Mine", team_id=None, filters={}, rev=1
        )
    assert (refused.value.status, refused.value.code) == (409, "conflict")
    assert refused.value.detail == "Someone changed this view meanwhile: reload it."
    view.refresh_from_db()
    assert (view.name, view.rev) == ("Urgent ones", 2)
    assert Event.objects.filter(org=org, type="view.update").count() == 1


def test_the_edit_form_refuses_a_stale_revision_with_409(sam, org, who, shop):
    view = saved_view_create(org=org, actor=who["sam"], name="Urgent", team_id=None, filters={})
    page = sam.get(f"/inbox/views/{view.pk}/edit/").content.decode()
    assert '<input type="hidden" name="rev" value="1">' in page
    # someone else saves first
    assert (
        sam.post(f"/inbox/views/{view.pk}/edit/", {"rev": "1", "name": "Urgent ones"}).status_code
        == 302
    )
    response = sam.post(f"/inbox/views/{view.pk}/edit/", {"rev": "1", "name": "Mine"})
    assert response.status_code == 409
    html = response.content.decode()
    assert 'role="alert"' in html and "Someone changed this view meanwhile: reload it." in html
    assert 'value="Mine"' in html  # what was typed is still there to copy
    view.refresh_from_db()
    assert (view.name, view.rev) == ("Urgent ones", 2)
    # reloaded, the form carries the current revision and saves
    assert (
        '<input type="hidden" name="rev" value="2">'
        in sam.get(f"/inbox/views/{view.pk}/edit/").content.decode()
    )
    assert (
        sam.post(f"/inbox/views/{view.pk}/edit/", {"rev": "2", "name": "Mine"}).status_code == 302
    )
    view.refresh_from_db()
    assert (view.name, view.rev) == ("Mine", 3)


def test_another_orgs_views_are_never_seen(sam, org, shop):
    other = OrganizationFactory(slug="globex", name="Globex")
    stranger = UserFactory(org=other, username="gx")
    theirs = saved_view_create(org=other, actor=stranger, name="Theirs", team_id=None, filters={})
    assert "Theirs" not in sam.get("/inbox/views/counts/").content.decode()
    assert "Theirs" not in sam.get(f"/inbox/?view={theirs.pk}").content.decode()
    assert sam.get(f"/inbox/views/{theirs.pk}/edit/").status_code == 404
    assert sam.post(f"/inbox/views/{theirs.pk}/delete/").status_code == 404
