"""A topic-wide refresh ("too much missed", a bulk import) reloads what the customer page shows of
the topic: the timeline section (with its active filter) and the panels."""

import re

import pytest
from asgiref.sync import sync_to_async

from tests.timeline.desk_data import add_events, build, people
from tests.timeline.live_helpers import Browser, desk_world, subscribe

TAG = re.compile(r"<(?:section|div)\b[^>]*\bdata-live-refresh=\"([^\"]*)\"[^>]*>")


def refreshable(html, topic):
    """{element id: its opening tag} of the elements a refresh of `topic` reloads."""
    out = {}
    for match in TAG.finditer(html):
        if topic in match.group(1).split():
            out[re.search(r'\bid="([^"]+)"', match.group(0)).group(1)] = match.group(0)
    return out


@pytest.mark.django_db
def test_it_reloads_the_timeline_and_the_panels_of_the_customer(client, org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, _ = build(org, who, orders=False)
    client.force_login(agent)
    html = client.get(f"/customers/{customer.pk}/?kind=note&kind=message").content.decode()
    parts = refreshable(html, f"customer.{customer.pk}")
    assert set(parts) == {"timeline-section", "conversation-wrap", "insights", "cards"}
    for tag in parts.values():
        assert 'hx-trigger="live-refresh"' in tag or 'hx-trigger="load, live-refresh"' in tag
        assert "hx-get=" in tag
    section = parts["timeline-section"]
    url = re.search(r'hx-get="([^"]+)"', section).group(1).replace("&amp;", "&")
    assert url == f"/customers/{customer.pk}/timeline/?kind=note&kind=message"
    reloaded = client.get(url).content.decode()
    assert reloaded.lstrip().startswith('<section id="timeline-section"')
    assert set(re.findall(r'data-kind="(\w+)"', reloaded)) == {"note", "message"}


@pytest.mark.django_db(transaction=True)
@pytest.mark.asyncio
async def test_too_much_missed_refreshes_and_moves_the_cursor_to_now():
    from kdesk.models import Event

    org, who, grace, conversation, newcomer = await desk_world()
    last = await sync_to_async(lambda: Event.objects.latest("id").pk)()
    await sync_to_async(add_events)(org, grace, 250)
    newest = await sync_to_async(lambda: Event.objects.latest("id").pk)()
    sam = await Browser.sign_in(who["sam"])
    tab = await sam.socket("t")
    await subscribe(tab, f"customer.{grace.pk}", last=last)
    message = await tab.receive_json_from()
    assert message == {"type": "refresh", "topic": f"customer.{grace.pk}", "id": newest}
    await tab.disconnect()
