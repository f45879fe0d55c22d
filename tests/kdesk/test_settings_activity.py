"""Settings → Activity: every settings change from the event log as a readable list (who, when,
what, before → after), in display names, filterable by kind, paged, at a fixed query cost."""

import pytest

from conversations import services as conv_services
from kdesk.models import Event
from kdesk.services import api_key_create, api_key_revoke, team_create, team_update
from klasses import services as klass_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def _row(page, event):
    return page.split(f'id="event-{event.pk}"')[1].split("</tr>")[0]


def _last(type):
    return Event.objects.filter(type=type).latest("id")


def test_changes_read_as_sentences_in_display_names(admin, org, admin_user, agent):
    ret = klass_services.klass_create(
        org=org, actor=admin_user, data={"name": "return", "displayName": "Return"}
    )
    klass_services.klass_update(
        org=org, actor=admin_user, klass=ret, data={"displayName": "Return request"}
    )
    klass_services.metadata_update(
        org=org,
        actor=admin_user,
        resource="kobject.return",
        data={"properties": {"refundNum": {"displayName": "Refund amount"}}},
    )
    klass_services.metadata_update(
        org=org,
        actor=admin_user,
        resource="kobject.return",
        data={"properties": {"refundNum": {"min": 0}}},
    )
    team = team_create(org=org, actor=admin_user, data={"name": "Returns"})
    team_update(org=org, actor=admin_user, team=team, data={"members": [agent.pk]})
    key, _ = api_key_create(
        org=org, actor=admin_user, name="Order sync", scopes=["org.permission.customer.read"]
    )
    api_key_revoke(org=org, key=key, actor=admin_user)
    conv_services.tag_create(org=org, actor=None, data={"name": "vip", "color": "#123456"})

    page = admin.get("/settings/activity/").content.decode()
    row = _row(page, _last("klass.update"))
    # named as it is called today, not by its machine name
    assert "Ada Admin" in row and "Object type “Return request”" in row
    assert "<strong>Display name</strong>" in row
    assert '<span class="before">Return</span>' in row
    assert '<span class="after">Return request</span>' in row
    rows = Event.objects.filter(type="metadata.update").order_by("id")
    added, changed = _row(page, rows[0]), _row(page, rows[1])
    assert "Attributes of Return request" in added and "“Refund amount” added" in added
    assert "“Refund amount”: minimum" in changed
    assert '<span class="before">—</span>' in changed and '<span class="after">0</span>' in changed
    row = _row(page, _last("team.update"))
    # members by name, never by id
    assert "Team “Returns”" in row and '<span class="after">Sam Rivera</span>' in row
    assert str(agent.pk) not in row.split("<strong>Members</strong>")[1]
    row = _row(page, _last("api_key.revoke"))
    assert "API key “Order sync”" in row and "revoked" in row
    row = _row(page, _last("tag.create"))
    assert "A program or the system" in row and "Tag “vip”" in row and "created" in row
    # newest first
    assert page.index(f'id="event-{_last("tag.create").pk}"') < page.index(
        f'id="event-{_last("klass.create").pk}"'
    )


def test_it_shows_settings_changes_only_and_filters_by_kind(admin, org, admin_user):
    ret = klass_services.klass_create(org=org, actor=admin_user, data={"name": "return"})
    klass_services.kobject_create(org=org, actor=admin_user, klass=ret, data={"title": "R1"})
    team_create(org=org, actor=admin_user, data={"name": "Billing"})
    page = admin.get("/settings/activity/").content.decode()
    assert page.count('id="event-') == 2  # the object itself is data, not a setting
    page = admin.get("/settings/activity/?kind=team").content.decode()
    assert page.count('id="event-') == 1 and "Team “Billing”" in page
    assert '<option value="team" selected>Teams</option>' in page
    page = admin.get("/settings/activity/?kind=nonsense").content.decode()
    assert page.count('id="event-') == 2


def test_an_empty_log_says_so(admin):
    assert "No changes yet" in admin.get("/settings/activity/").content.decode()


def test_agents_are_refused_and_other_orgs_changes_never_show(client, admin, agent, org, other_org):
    team_create(org=other_org, actor=None, data={"name": "Their secret team"})
    team_create(org=org, actor=None, data={"name": "Ours"})
    page = admin.get("/settings/activity/").content.decode()
    assert "Ours" in page and "Their secret team" not in page
    client.force_login(agent)
    assert client.get("/settings/activity/").status_code == 403
    assert client.get("/settings/activity/?kind=team").status_code == 403


def _fill(org, actor, people, n):
    for i in range(n):
        team = team_create(org=org, actor=actor, data={"name": f"Team {i}"})
        team_update(org=org, actor=actor, team=team, data={"members": [p.pk for p in people]})
        klass = klass_services.klass_create(
            org=org, actor=actor, data={"name": f"k{i}", "displayName": f"K {i}"}
        )
        klass_services.metadata_update(
            org=org,
            actor=actor,
            resource=f"kobject.{klass.name}",
            data={"properties": {"aStr": {"displayName": "A"}}},
        )


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_costs_the_same_whatever_its_length(
    admin, org, admin_user, agent, n, django_assert_num_queries
):
    _fill(org, admin_user, [agent, admin_user], n)
    # session, user, org, unread count, live cursor; the events with their authors; the
    # object types' display names; the people the changes name
    with django_assert_num_queries(8):
        response = admin.get("/settings/activity/")
    page = response.content.decode()
    assert page.count('id="event-') == min(4 * n, 50)
    assert "Sam Rivera" in page and "Attributes of K " in page
    if 4 * n > 50:
        older = page.split("before=")[1].split('"')[0]
        with django_assert_num_queries(8):
            second = admin.get(f"/settings/activity/?before={older}").content.decode()
        assert second.count('id="event-') == min(4 * n - 50, 50)
        first_ids = {chunk.split('"')[0] for chunk in page.split('id="event-')[1:]}
        second_ids = {chunk.split('"')[0] for chunk in second.split('id="event-')[1:]}
        assert not first_ids & second_ids
