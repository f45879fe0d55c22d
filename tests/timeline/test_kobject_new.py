"""A new KObject from a customer's page: pick the Klass, fill its title and attributes; it is
created through the schema service (one event, on the customer's timeline); bad values come
back beside their fields with what was typed, and nothing is created."""

import pytest

from kdesk.models import Event
from klasses.models import Klass, KObject
from tests.factories import OrganizationFactory
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, _ = build(org, who, orders=True)  # the demo Klasses: order, subscription
    return customer


@pytest.fixture
def sam(client, agent):
    client.force_login(agent)
    return client


def test_the_customer_page_offers_it(sam, shop):
    html = sam.get(f"/customers/{shop.pk}/").content.decode()
    assert f'href="/customers/{shop.pk}/objects/new/"' in html


def test_it_lists_the_active_klasses_to_choose_from(sam, org, shop):
    Klass.objects.filter(org=org, name="subscription").update(status=Klass.Status.DISABLED)
    Klass.objects.create(org=org, name="return", display_name="Return")
    html = sam.get(f"/customers/{shop.pk}/objects/new/").content.decode()
    assert "?klass=order" in html and "?klass=return" in html
    assert "?klass=subscription" not in html


def test_before_a_kind_is_chosen_it_asks_for_one_with_buttons_that_look_like_buttons(sam, shop):
    html = sam.get(f"/customers/{shop.pk}/objects/new/").content.decode()
    assert "What kind of object? Choose one" in html
    # outlined buttons, not the bare ghost style that reads as plain text
    assert '<a class="btn btn-sm" href="?klass=order"' in html
    chosen = sam.get(f"/customers/{shop.pk}/objects/new/?klass=order").content.decode()
    assert "What kind of object?" not in chosen
    assert 'class="btn btn-sm btn-primary" href="?klass=order"' in chosen
    assert 'class="btn btn-sm btn-ghost" href="?klass=subscription"' in chosen


def test_it_shows_the_klass_form_with_display_names(sam, shop):
    html = sam.get(f"/customers/{shop.pk}/objects/new/?klass=order").content.decode()
    assert 'name="title"' in html and 'name="data.totalNum"' in html
    assert (
        "Order number" in html
        and "Total" in html
        and "orderNumberStr"
        not in html.replace('name="data.orderNumberStr"', "")
        .replace('id="kobject-orderNumberStr"', "")
        .replace('for="kobject-orderNumberStr"', "")
    )


def test_it_creates_the_object_for_the_customer(sam, org, shop):
    before = KObject.objects.filter(org=org, customer=shop).count()
    response = sam.post(
        f"/customers/{shop.pk}/objects/new/",
        {
            "klass": "order",
            "title": "Order #9001",
            "data.orderNumberStr": "9001",
            "data.totalNum": "129.50",
            "data.currencyStr": "EUR",
            "data.statusStr": "",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/customers/{shop.pk}/"
    obj = KObject.objects.get(org=org, customer=shop, title="Order #9001")
    assert obj.klass.name == "order"
    assert obj.data["orderNumberStr"] == "9001" and obj.data["totalNum"] == 129.5
    assert obj.data["currencyStr"] == "EUR" and "statusStr" not in obj.data
    assert KObject.objects.filter(org=org, customer=shop).count() == before + 1
    events = Event.objects.filter(org=org, type="kobject.order.create", resource_id=str(obj.pk))
    assert events.count() == 1 and events.get().customer_id == shop.pk


def test_errors_come_back_beside_the_fields_and_nothing_is_created(sam, org, shop):
    count = KObject.objects.filter(org=org).count()
    response = sam.post(
        f"/customers/{shop.pk}/objects/new/",
        {"klass": "order", "title": "", "data.totalNum": "-5", "data.trackingUrl": "nope"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert KObject.objects.filter(org=org).count() == count
    assert 'value="-5"' in html and 'value="nope"' in html  # what was typed stays
    assert html.count('class="field-error"') >= 3  # title, total, tracking (and the number)
    assert "Title" in html and "Order number" in html
    assert "orderNumberStr is" not in html and "totalNum" not in html.split("<form", 1)[0]


def test_an_unknown_or_disabled_klass_is_a_404(sam, org, shop):
    assert sam.get(f"/customers/{shop.pk}/objects/new/?klass=nope").status_code == 404
    Klass.objects.filter(org=org, name="order").update(status=Klass.Status.DISABLED)
    response = sam.post(f"/customers/{shop.pk}/objects/new/", {"klass": "order", "title": "X"})
    assert response.status_code == 404
    assert not KObject.objects.filter(org=org, title="X").exists()  # not another Klass either


def test_another_orgs_customer_is_a_404(sam, shop):
    other = OrganizationFactory(slug="globex", name="Globex")
    from customers.services import customer_create

    stranger = customer_create(org=other, actor=None, data={"name": "Stranger"})
    assert sam.get(f"/customers/{stranger.pk}/objects/new/").status_code == 404
    assert (
        sam.post(
            f"/customers/{stranger.pk}/objects/new/", {"klass": "order", "title": "X"}
        ).status_code
        == 404
    )


def test_it_needs_a_signed_in_user(client, shop):
    response = client.get(f"/customers/{shop.pk}/objects/new/")
    assert response.status_code in (302, 401)
