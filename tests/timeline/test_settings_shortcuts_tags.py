"""Settings → Shortcuts and tags: the org's tags (colour, who added each) and shortcuts (with
their owners), paged, at a fixed query cost; tags are the admins', an agent sees only their own
shortcuts; a shared shortcut is changed only by its owner or an admin."""

import pytest

from conversations import services as conv_services
from conversations.models import Shortcut, Tag
from kdesk.models import Event
from tests.conversations.factories import ShortcutFactory, TagFactory
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


def test_an_admin_sees_tags_and_shortcuts_with_their_owners(admin, org, admin_user, agent):
    conv_services.tag_create(org=org, actor=admin_user, data={"name": "refund", "color": "#aa0000"})
    TagFactory(org=org, name="legacy")
    ShortcutFactory(owner=agent, name="thanks", payload="Thanks!")
    ShortcutFactory(owner=admin_user, name="mine", payload="Mine", visibility="private")
    ShortcutFactory(owner=agent, name="secret", payload="Secret", visibility="private")
    page = admin.get("/settings/shortcuts/").content.decode()
    assert "<h1>Shortcuts and tags</h1>" in page
    thanks = page.split('id="shortcut-')[1:]
    rows = {row.split("<strong>#")[1].split("<")[0]: row for row in thanks}
    assert set(rows) == {"thanks", "mine"}  # someone else's private one stays theirs
    assert "Sam Rivera" in rows["thanks"] and "Everyone" in rows["thanks"]
    assert ">You<" in rows["mine"] and "Only you" in rows["mine"]
    # an admin may change a colleague's shared shortcut
    assert "Edit #thanks" in rows["thanks"]
    tags = {row.split("<strong>")[1].split("<")[0]: row for row in page.split('id="tag-')[1:]}
    assert ">You<" in tags["refund"] and "#aa0000" in tags["refund"]
    assert "—" in tags["legacy"]  # made before the log: nobody to name


def test_an_admin_adds_edits_and_deletes_a_tag_with_errors_beside_the_fields(
    admin, org, admin_user
):
    response = admin.post("/settings/tags/_new/", {"name": "VIP", "color": "#112233"})
    assert response.status_code == 302 and response["Location"] == "/settings/shortcuts/"
    tag = Tag.objects.get(org=org)
    assert (tag.name, tag.color) == ("VIP", "#112233")
    # the same name again, in other letters, is refused beside the name
    response = admin.post("/settings/tags/_new/", {"name": "vip", "color": "#112233"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'id="id_name_error"' in page and "A tag named &#x27;vip&#x27; exists." in page
    response = admin.post("/settings/tags/_new/", {"name": "", "color": "blue"})
    assert (
        response.status_code == 400 and "Please correct the 2 fields" in response.content.decode()
    )
    page = admin.get(f"/settings/tags/{tag.pk}/").content.decode()
    assert 'value="VIP"' in page and 'type="color"' in page
    response = admin.post(
        f"/settings/tags/{tag.pk}/", {"name": "Very important", "color": "#445566", "rev": 1}
    )
    assert response.status_code == 302
    tag.refresh_from_db()
    assert (tag.name, tag.color) == ("Very important", "#445566")
    # a stale form does not overwrite the newer change
    response = admin.post(
        f"/settings/tags/{tag.pk}/", {"name": "Old", "color": "#000000", "rev": 1}
    )
    assert response.status_code == 400 and "Someone else changed this tag" in (
        response.content.decode()
    )
    page = admin.get(f"/settings/tags/{tag.pk}/delete/").content.decode()
    assert "Delete the tag “Very important”?" in page and "keep the word" in page
    assert admin.post(f"/settings/tags/{tag.pk}/delete/").status_code == 302
    assert not Tag.objects.exists()
    types = list(Event.objects.filter(resource="tag").order_by("id").values_list("type", flat=True))
    assert types == ["tag.create", "tag.update", "tag.delete"]
    assert set(Event.objects.filter(resource="tag").values_list("actor_id", flat=True)) == {
        admin_user.pk
    }


def test_an_agent_sees_only_their_own_shortcuts_and_no_tags(client, org, agent, admin_user):
    TagFactory(org=org, name="refund")
    ShortcutFactory(owner=agent, name="mine", payload="Mine")
    theirs = ShortcutFactory(owner=admin_user, name="shared-by-ada", payload="Hello")
    client.force_login(agent)
    response = client.get("/settings/")
    assert response.status_code == 302 and response["Location"] == "/settings/profile/"
    page = client.get("/settings/profile/").content.decode()
    assert 'href="/settings/shortcuts/"' in page and "Your shortcuts" in page
    assert 'href="/settings/activity/"' not in page
    page = client.get("/settings/shortcuts/").content.decode()
    assert "#mine" in page and "shared-by-ada" not in page
    assert "Tags" not in page and "refund" not in page
    # a colleague's shared shortcut is not theirs to change, here or anywhere
    assert client.get(f"/settings/shortcuts/{theirs.pk}/").status_code == 404
    assert client.post(f"/settings/shortcuts/{theirs.pk}/delete/").status_code == 404
    assert Shortcut.objects.filter(pk=theirs.pk).exists()
    tag = Tag.objects.get()
    for path in (
        "/settings/tags/_new/",
        f"/settings/tags/{tag.pk}/",
        f"/settings/tags/{tag.pk}/delete/",
    ):
        assert client.post(path, {"name": "x", "color": "#000000"}).status_code == 403, path
    assert client.get(f"/settings/tags/{tag.pk}/").status_code == 403
    assert Tag.objects.get().name == "refund"


def test_an_agent_edits_and_deletes_their_own_shortcut(client, org, agent):
    mine = ShortcutFactory(owner=agent, name="mine", payload="Mine")
    client.force_login(agent)
    page = client.get(f"/settings/shortcuts/{mine.pk}/").content.decode()
    assert "Edit #mine" in page and 'href="/settings/shortcuts/">Cancel' in page
    response = client.post(
        f"/settings/shortcuts/{mine.pk}/",
        {"name": "mine", "payload": "", "visibility": "shared", "tags": ""},
    )
    assert response.status_code == 400 and "field-error" in response.content.decode()
    response = client.post(
        f"/settings/shortcuts/{mine.pk}/",
        {"name": "mine2", "payload": "Better", "visibility": "private", "tags": "refund"},
    )
    assert response.status_code == 302 and response["Location"] == "/settings/shortcuts/"
    mine.refresh_from_db()
    assert (mine.name, mine.payload, mine.visibility) == ("mine2", "Better", "private")
    assert (
        "Delete the shortcut #mine2?"
        in client.get(f"/settings/shortcuts/{mine.pk}/delete/").content.decode()
    )
    assert client.post(f"/settings/shortcuts/{mine.pk}/delete/").status_code == 302
    assert not Shortcut.objects.exists()


def test_an_admin_changes_a_colleagues_shared_shortcut(admin, org, agent, admin_user):
    theirs = ShortcutFactory(owner=agent, name="thanks", payload="Thanks")
    page = admin.get(f"/settings/shortcuts/{theirs.pk}/").content.decode()
    assert "Sam Rivera’s shortcut; you change it as an admin." in page
    response = admin.post(
        f"/settings/shortcuts/{theirs.pk}/",
        {"name": "thanks", "payload": "Thank you", "visibility": "shared", "tags": ""},
    )
    assert response.status_code == 302
    theirs.refresh_from_db()
    assert theirs.payload == "Thank you" and theirs.owner_id == agent.pk
    assert theirs.modified_by_id == admin_user.pk


def test_another_orgs_records_are_not_found(admin, other_org):
    stranger = UserFactory(org=other_org, role="admin", username="zed")
    tag = TagFactory(org=other_org, name="theirs")
    theirs = ShortcutFactory(owner=stranger, name="theirs")
    for path in (
        f"/settings/tags/{tag.pk}/",
        f"/settings/tags/{tag.pk}/delete/",
        f"/settings/shortcuts/{theirs.pk}/",
        f"/settings/shortcuts/{theirs.pk}/delete/",
    ):
        assert admin.get(path).status_code == 404, path
        assert (
            admin.post(path, {"name": "x", "payload": "x", "color": "#000000"}).status_code == 404
        )
    page = admin.get("/settings/shortcuts/").content.decode()
    assert "theirs" not in page
    assert Tag.objects.get().name == "theirs" and Shortcut.objects.get().name == "theirs"


def _fill(org, admin_user, agent, n):
    for i in range(n):
        conv_services.tag_create(org=org, actor=admin_user, data={"name": f"t{i}"})
        ShortcutFactory(owner=agent if i % 2 else admin_user, name=f"s{i}", payload="Hi")


@pytest.mark.parametrize("n", [3, 30])
def test_the_page_costs_the_same_whatever_its_length(
    admin, org, admin_user, agent, n, django_assert_num_queries
):
    _fill(org, admin_user, agent, n)
    # session, user, org, unread count, live cursor; shortcuts count and page; tags count and
    # page; who added the tags on the page
    with django_assert_num_queries(10):
        response = admin.get("/settings/shortcuts/")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('id="tag-') == min(n, 25) and page.count('id="shortcut-') == min(n, 25)
    if n > 25:
        assert "Page 1 of 2" in page and 'href="?tags=2&amp;page=1"' in page
        second = admin.get("/settings/shortcuts/?tags=2").content.decode()
        assert second.count('id="tag-') == n - 25


def test_an_empty_org_says_so(admin):
    page = admin.get("/settings/shortcuts/").content.decode()
    assert "No shortcuts yet" in page and "No tags yet" in page
