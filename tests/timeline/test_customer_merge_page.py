"""Merging two customers from the desk: find the duplicate, a preview of what moves and what
the kept record gains, choose which one is kept, confirm; the merge is customers' service
(one `customer.merge` event), and a preview gone stale is shown again instead of merged."""

import pytest

from conversations import services as conv
from conversations.models import Conversation
from customers.models import Customer
from customers.services import customer_create, customer_update
from kdesk.models import Event
from klasses.models import KObject
from tests.factories import OrganizationFactory
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    grace, _ = build(org, who, orders=True)  # an order history and one conversation
    dupe = customer_create(
        org=org,
        actor=None,
        data={
            "name": "G. Hopper",
            "emails": [{"type": "work", "email": "g.hopper@navy.example"}],
            "tags": ["navy"],
            "custom": {"tierStr": "gold"},
        },
    )
    conv.message_create(
        org=org,
        actor=None,
        customer=dupe,
        data={"direction": "in", "channel": "email", "body": "Second account here"},
    )
    return grace, dupe


@pytest.fixture
def sam(client, agent):
    client.force_login(agent)
    return client


def test_the_customer_page_offers_it(sam, pair):
    grace, _ = pair
    html = sam.get(f"/customers/{grace.pk}/").content.decode()
    assert f'href="/customers/{grace.pk}/merge/"' in html


def test_it_finds_the_duplicate_but_not_the_customer_itself(sam, pair):
    grace, dupe = pair
    html = sam.get(f"/customers/{grace.pk}/merge/", {"q": "Hopper"}).content.decode()
    assert f"?other={dupe.pk}" in html and f"?other={grace.pk}" not in html


def test_the_preview_says_what_moves_and_what_is_gained(sam, org, pair):
    grace, dupe = pair
    html = sam.get(f"/customers/{grace.pk}/merge/", {"other": dupe.pk}).content.decode()
    kept, removed = html.index("merge-kept"), html.index("merge-removed")
    assert html.index("Grace Hopper", kept) < removed  # this page's customer is kept
    assert "<span>Conversations</span><strong>1</strong>" in html
    assert "<span>Messages</span><strong>1</strong>" in html
    assert "g.hopper@navy.example" in html and "navy" in html
    assert "<span>Tier</span>" in html and "tierStr" not in html  # display names
    assert "is deleted" in html
    assert Customer.objects.filter(pk=dupe.pk).exists()  # a preview changes nothing


def test_it_can_keep_the_other_one_instead(sam, org, pair):
    grace, dupe = pair
    orders = KObject.objects.filter(org=org, customer=grace, klass__name="order").count()
    html = sam.get(
        f"/customers/{grace.pk}/merge/", {"other": dupe.pk, "keep": dupe.pk}
    ).content.decode()
    assert html.index("G. Hopper", html.index("merge-kept")) < html.index("merge-removed")
    assert f"<span>Order</span><strong>{orders}</strong>" in html


def test_confirming_merges_through_the_service(sam, org, pair):
    grace, dupe = pair
    response = sam.post(
        f"/customers/{grace.pk}/merge/",
        {"other": dupe.pk, "keep": grace.pk, "kept_rev": grace.rev, "removed_rev": dupe.rev},
    )
    assert response.status_code == 302 and response["Location"] == f"/customers/{grace.pk}/"
    assert not Customer.objects.filter(pk=dupe.pk).exists()
    grace.refresh_from_db()
    assert "g.hopper@navy.example" in [e["email"] for e in grace.emails]
    assert grace.custom.get("tierStr") == "gold" and "navy" in grace.tags
    assert Conversation.objects.filter(org=org, customer=grace).count() == 2
    merges = Event.objects.filter(org=org, type="customer.merge")
    assert merges.count() == 1 and merges.get().resource_id == str(grace.pk)


def test_a_stale_preview_is_shown_again_not_merged(sam, org, pair):
    grace, dupe = pair
    seen = {"kept_rev": grace.rev, "removed_rev": dupe.rev}
    customer_update(org=org, actor=None, customer=dupe, data={"tags": ["navy", "late"]})
    response = sam.post(
        f"/customers/{grace.pk}/merge/", {"other": dupe.pk, "keep": grace.pk, **seen}
    )
    assert response.status_code == 409
    html = response.content.decode()
    assert "changed since the preview" in html and "late" in html  # the fresh preview
    assert Customer.objects.filter(pk=dupe.pk).exists()
    assert not Event.objects.filter(org=org, type="customer.merge").exists()


def test_bad_choices_are_refused(sam, org, pair):
    grace, _ = pair
    assert sam.get(f"/customers/{grace.pk}/merge/", {"other": grace.pk}).status_code == 404
    assert sam.get(f"/customers/{grace.pk}/merge/", {"other": 999999}).status_code == 404
    response = sam.post(f"/customers/{grace.pk}/merge/", {})
    assert response.status_code == 422 and "Choose the customer" in response.content.decode()
    assert Customer.objects.filter(org=org).count() == 2


def test_another_orgs_customer_is_never_merged(sam, org, pair):
    grace, _ = pair
    other = OrganizationFactory(slug="globex", name="Globex")
    stranger = customer_create(org=other, actor=None, data={"name": "Grace Hopper"})
    response = sam.post(
        f"/customers/{grace.pk}/merge/",
        {"other": stranger.pk, "keep": grace.pk, "kept_rev": grace.rev, "removed_rev": 1},
    )
    assert response.status_code == 404
    assert Customer.objects.filter(pk=stranger.pk).exists()
    html = sam.get(f"/customers/{grace.pk}/merge/", {"q": "Grace"}).content.decode()
    assert f"?other={stranger.pk}" not in html
    assert sam.get(f"/customers/{stranger.pk}/merge/").status_code == 404
