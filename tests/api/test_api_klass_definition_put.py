"""PUT /v1/klasses/{name}/definition changes the definition and its attributes together: a bad
attribute leaves the Klass as it was; `?force=true` reports the rows it left violating."""

import pytest

pytestmark = pytest.mark.django_db
URL = "/v1/klasses/order/definition"


@pytest.fixture
def order(api):
    api.post("/v1/klasses", {"name": "order", "displayName": "Order"})
    return api.get(URL).json()["data"]["attributes"]


def test_a_bad_attribute_changes_nothing(api, order):
    from kdesk.models import Event

    events = Event.objects.count()
    response = api.put(URL, {"displayName": "Orders!", "metadata": {"properties": {"x": {}}}})
    assert response.status_code == 400, response.content
    after = api.get(URL).json()["data"]["attributes"]
    assert after["displayName"] == "Order"
    assert after["rev"] == order["rev"]
    assert Event.objects.count() == events


def test_rows_the_new_attributes_would_break_refuse_the_whole_change(api, order):
    api.post("/v1/klasses/order", {"title": "big", "data": {"totalNum": 50}})
    body = {"displayName": "Orders", "metadata": {"properties": {"totalNum": {"max": 10}}}}
    assert api.put(URL, body).status_code == 409
    assert api.get(URL).json()["data"]["attributes"]["displayName"] == "Order"


def test_force_applies_both_and_reports_the_violating_rows(api, order):
    obj = api.post("/v1/klasses/order", {"title": "big", "data": {"totalNum": 50}}).json()["data"]
    body = {"displayName": "Orders", "metadata": {"properties": {"totalNum": {"max": 10}}}}
    response = api.put(URL + "?force=true", body)
    assert response.status_code == 200, response.content
    doc = response.json()
    assert doc["data"]["attributes"]["displayName"] == "Orders"
    assert doc["data"]["attributes"]["metadata"]["properties"]["totalNum"]["max"] == 10
    assert doc["meta"] == {"violatingRows": 1, "violatingIds": [obj["id"]]}


def test_a_stale_rev_in_the_query_changes_nothing(api, order):
    response = api.put(URL + f"?rev={order['rev'] + 5}", {"displayName": "Nope"})
    assert response.status_code == 409
    assert api.get(URL).json()["data"]["attributes"]["displayName"] == "Order"


def test_a_force_that_is_not_a_flag_is_refused_without_metadata_too(api):
    api.post("/v1/klasses", {"name": "gadget"})
    response = api.put("/v1/klasses/gadget/definition?force=2.5e16", {"displayName": "Thing"})
    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["source"]["pointer"] == "/force"
    assert (
        api.get("/v1/klasses/gadget/definition").json()["data"]["attributes"]["displayName"]
        != "Thing"
    )
