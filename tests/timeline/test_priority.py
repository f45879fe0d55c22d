"""Priority in the desk: set on the card, shown on inbox rows (when not Normal) and on the
timeline in words, and the inbox sorts by it (most urgent first, paged by keyset)."""

import re

import pytest

from conversations import services as conv
from tests.customers.factories import CustomerFactory
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


def test_the_card_sets_it_and_the_timeline_says_so(client, org, who):
    customer, conversation = build(org, who, orders=False)
    client.force_login(who["sam"])

    response = client.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "open", "priority": "5"},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.priority == 5
    html = response.content.decode()
    assert '<option value="5" selected>Urgent</option>' in html
    assert "set the priority to <strong>Urgent</strong>" in html


def test_a_bad_priority_is_an_error_beside_the_field(client, org, who):
    customer, conversation = build(org, who, orders=False)
    client.force_login(who["sam"])
    response = client.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "open", "priority": "9"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    field = response.content.decode().split('for="conv-priority"')[1].split("</div>\n")[0]
    assert "field-error" in field


def test_the_inbox_shows_and_sorts_by_it(client, org, who, monkeypatch):
    monkeypatch.setattr("timeline.views.inbox.INBOX_PAGE", 2)
    for name, priority in (("low", 2), ("urgent", 5), ("normal", 3), ("high", 4), ("urgent2", 5)):
        conv.conversation_create(
            org=org,
            actor=None,
            customer=CustomerFactory(org=org, name=name),
            data={"priority": priority},
        )
    client.force_login(who["sam"])

    seen, url = [], "/inbox/?sort=priority"
    html = client.get(url).content.decode()
    assert '<span class="prio prio-5" title="Priority: Urgent">Urgent</span>' in html
    while True:
        seen += re.findall(r'<span class="title">(\w+) ', html)
        found = re.search(r'hx-get="(/inbox/\?[^"]*cursor=[^"]*)"', html)
        if not found:
            break
        html = client.get(found.group(1).replace("&amp;", "&"), HTTP_HX_REQUEST="true")
        html = html.content.decode()
    assert seen == ["urgent2", "urgent", "high", "normal", "low"]
