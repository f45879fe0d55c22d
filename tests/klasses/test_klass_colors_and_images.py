"""A Klass colour is `#rrggbb` (it is written into a style attribute) and Klass and KObject
images are absolute http(s) URLs, wherever they are written: API (create, update, bulk) and
admin. A colour stored before the check is never rendered."""

import json

import pytest
from django.test import Client

from kdesk import services as kdesk_services
from klasses import services
from klasses.models import Klass, KObject
from tests.customers.factories import CustomerFactory

pytestmark = pytest.mark.django_db

BAD_COLORS = ["red;x", "red", "#12345", "#1234567", "#ggg000", "#fff", "x;}body{", "#12345\n"]
BAD_IMAGES = [
    "javascript:alert(1)",
    "data:image/png;base64,AAAA",
    "ftp://files.example.com/a.png",
    "//cdn.example.com/a.png",
    "/static/a.png",
    "https://",
    "vbscript:x",
]


def _pointers(response):
    assert response.status_code == 400, response.content
    return [e["source"]["pointer"] for e in response.json()["errors"]]


@pytest.mark.parametrize("color", BAD_COLORS)
def test_a_klass_colour_that_is_not_rrggbb_is_refused(api, color):
    assert _pointers(api.post("/v1/klasses", {"name": "order", "color": color})) == ["/color"]
    assert not Klass.objects.exists()
    assert api.post("/v1/klasses", {"name": "order", "color": "#AA0011"}).status_code == 201
    assert Klass.objects.get().color == "#aa0011"
    response = api.put("/v1/klasses/order/definition", {"color": color})
    assert _pointers(response) == ["/color"]
    assert Klass.objects.get().color == "#aa0011"


@pytest.mark.parametrize("image", BAD_IMAGES)
def test_klass_and_kobject_images_must_be_http_urls(api, image):
    good = "https://shop.example/a.png"
    assert _pointers(api.post("/v1/klasses", {"name": "order", "images": [image]})) == ["/images/0"]
    assert api.post("/v1/klasses", {"name": "order", "images": [good]}).status_code == 201

    body = {"title": "Order 1", "images": [good, image]}
    assert _pointers(api.post("/v1/klasses/order", body)) == ["/images/1"]
    created = api.post("/v1/klasses/order", {"title": "Order 1", "images": [good]})
    assert created.status_code == 201
    path = f"/v1/klasses/order/{created.json()['data']['id']}"
    assert _pointers(api.put(path, {"images": [image]})) == ["/images/0"]
    assert _pointers(api.patch(path, {"images": [image]})) == ["/images/0"]
    bulk = api.post("/v1/klasses/order/bulk", [{"title": "ok"}, {"title": "x", "images": [image]}])
    assert _pointers(bulk) == ["/1/images/0"]
    assert KObject.objects.get().images == [good]


def test_the_admin_refuses_a_bad_colour_and_image(org):
    user, _ = kdesk_services.user_create_or_update(
        org=org, email="ada@acme.test", password="a-long-enough-passphrase", role="admin"
    )
    client = Client()
    client.force_login(user)
    data = {"name": "order", "display_name": "Order", "description": "", "icon": ""}
    data.update(status="active", color="red;x", images=json.dumps(["javascript:alert(1)"]))

    response = client.post("/admin/klasses/klass/add/", data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "#rrggbb" in page and "http" in page
    assert not Klass.objects.exists()


def test_a_colour_stored_before_the_check_is_not_rendered(org, admin_user, client):
    klass = services.klass_create(org=org, actor=None, data={"name": "order"})
    Klass.objects.filter(pk=klass.pk).update(color="red;x:0")
    customer = CustomerFactory(org=org)
    services.kobject_create(
        org=org, actor=None, klass=klass, data={"title": "Order 1", "customer": customer.pk}
    )
    client.force_login(admin_user)

    page = client.get(f"/customers/{customer.pk}/").content.decode()

    assert "Order 1" in page
    assert "--kind: red" not in page and "red;x:0" not in page
