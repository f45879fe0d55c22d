"""The notifications list: newest first by time (not by id), pages of 50 beyond the first with
a keyset cursor, a team mention says which team; opening what a notification is about marks it
read."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from conversations import services as conv
from conversations.models import Note, Notification
from tests.conversations.factories import NotificationFactory
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


def _texts(html):
    return re.findall(r'class="notif-link" href="[^"]*">([^<]*)</a>|<span>(N\d+)</span>', html)


def test_it_is_ordered_by_time_and_pages_beyond_a_hundred(client, org, who):
    now = timezone.now()
    # ids ascending, times deliberately not: the list follows the times.
    for i in range(130):
        NotificationFactory(
            user=who["sam"], text=f"N{i}", created_at=now - timedelta(minutes=(i * 7) % 130)
        )
    expected = [
        n.text for n in Notification.objects.filter(user=who["sam"]).order_by("-created_at", "-id")
    ]
    client.force_login(who["sam"])

    seen, url = [], "/notifications/"
    html = client.get(url).content.decode()
    while True:
        seen += re.findall(r"<span>(N\d+)</span>", html)
        found = re.search(r'hx-get="(/notifications/\?[^"]*cursor=[^"]*)"', html)
        if not found:
            break
        html = client.get(found.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
        html = html.content.decode()
    assert seen == expected and len(seen) == 130


def test_a_page_costs_a_fixed_number_of_queries(client, org, who, django_assert_num_queries):
    for i in range(60):
        NotificationFactory(user=who["sam"], text=f"N{i}")
    client.force_login(who["sam"])
    client.get("/notifications/")  # warm the session and caches
    with django_assert_num_queries(6):
        client.get("/notifications/?part=list", HTTP_HX_REQUEST="true")


def test_a_team_mention_says_which_team(org, who):
    customer, conversation = build(org, who, orders=False)  # "@lee ... @billing FYI" by Sam
    lee = Notification.objects.get(user=who["lee"])
    assert "mentioned you on" in lee.text  # named directly (and a member of billing)
    conv.note_create(
        org=org, actor=who["ada"], conversation=conversation, data={"body": "@billing heads up"}
    )
    sam = Notification.objects.filter(user=who["sam"]).latest("id")
    assert sam.text.startswith("Ada Admin mentioned @billing on “Where is my order?”")


def test_opening_the_note_marks_its_notification_read(client, org, who):
    customer, conversation = build(org, who, orders=False)
    note = Note.objects.latest("id")
    mine = Notification.objects.get(user=who["lee"], note=note)
    other = NotificationFactory(user=who["lee"], text="something else")
    client.force_login(who["lee"])

    listing = client.get("/notifications/").content.decode()
    link = re.search(rf'href="(/customers/{customer.pk}/\?note={note.pk}[^"]*)"', listing)
    assert link
    page = client.get(link.group(1).split("#")[0]).content.decode()

    mine.refresh_from_db()
    other.refresh_from_db()
    assert mine.read_at is not None and other.read_at is None
    assert 'data-count="1"' in page  # the bell already counts it read


def test_opening_an_assigned_conversation_marks_the_assignment_read(client, org, who):
    customer, conversation = build(org, who, orders=False)
    conv.conversation_update(
        org=org, actor=who["ada"], conversation=conversation, data={"assignedUser": who["sam"].pk}
    )
    assignment = Notification.objects.get(user=who["sam"], kind="assignment")
    client.force_login(who["sam"])
    client.get(f"/customers/{customer.pk}/?conversation={conversation.pk}")
    assignment.refresh_from_db()
    assert assignment.read_at is not None
