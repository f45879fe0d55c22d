"""What each desk page costs in queries, exactly: the views read through selectors, and the
attribute definitions (`Metadata`) are read once per request whatever the page needs of them.
(Before the views were split: the customer page cost 21 queries, a conversation save 25.)"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db

# (method, url template, data, expected queries). Counted with a warm session and an empty
# cache, so a change in any page shows here as a number to explain.
PAGES = [
    ("get", "/inbox/", None, 11),  # 9, plus the bulk bar's people and teams
    ("get", "/customers/", None, 6),
    ("get", "/customers/{c}/", None, 22),  # 20, plus the email composer's mailbox (mail app)
    ("get", "/customers/{c}/timeline/", None, 10),
    ("get", "/customers/{c}/conversation/?conversation={v}", None, 12),
    ("post", "/customers/{c}/conversation/", {"conversation": "{v}", "priority": "4"}, 24),
    ("get", "/customers/{c}/insights/", None, 7),
    ("get", "/customers/{c}/attributes/tierStr/?edit=1", None, 6),
    ("post", "/customers/{c}/attributes/tierStr/", {"value": "gold"}, 16),
    ("get", "/notifications/", None, 7),
]


@pytest.fixture
def page_data(client, org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, conversation = build(org, who, orders=False)
    client.force_login(who["sam"])
    client.get("/inbox/")  # the session and the user's first-visit reads are warm
    return client, customer, conversation


def _run(client, method, url, data):
    with CaptureQueriesContext(connection) as ctx:
        response = getattr(client, method)(url, data, headers={"HX-Request": "true"})
    assert response.status_code == 200, (url, response.status_code)
    return ctx.captured_queries


@pytest.mark.parametrize(("method", "template", "data", "expected"), PAGES)
def test_it_costs_a_fixed_number_of_queries(page_data, method, template, data, expected):
    client, customer, conversation = page_data
    fill = {"c": customer.pk, "v": conversation.pk}
    url = template.format(**fill)
    data = {k: v.format(**fill) for k, v in (data or {}).items()} or None
    queries = _run(client, method, url, data)
    assert len(queries) == expected, "\n".join(q["sql"][:160] for q in queries)


@pytest.mark.parametrize(("method", "template", "data", "expected"), PAGES)
def test_it_never_reads_the_same_attribute_definitions_twice(
    page_data, method, template, data, expected
):
    client, customer, conversation = page_data
    fill = {"c": customer.pk, "v": conversation.pk}
    url = template.format(**fill)
    data = {k: v.format(**fill) for k, v in (data or {}).items()} or None
    queries = _run(client, method, url, data)
    metadata = [q["sql"] for q in queries if 'FROM "klasses_metadata"' in q["sql"]]
    # The view's own read (customer and conversation definitions together), the timeline
    # decoration's (KObject and conversation labels) and a save's validator are three
    # different questions; none of them is asked twice.
    assert len(set(metadata)) == len(metadata), metadata
    desk = [sql for sql in metadata if "IN ('customer', 'conversation')" in sql]
    assert len(desk) <= 1, desk
