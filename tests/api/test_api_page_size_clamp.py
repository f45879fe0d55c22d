"""pageSize (and a cursor list's limit) larger than the maximum is clamped, however many digits
it has; a non-number, zero or a negative number is 400."""

import pytest

pytestmark = pytest.mark.django_db
SEARCH = {"queryContext": "customer"}


@pytest.mark.parametrize("size", ["101", "2000000", "9999999999", "1" + "0" * 40, "9" * 5000])
def test_a_list_clamps_page_size(api, size):
    response = api.get(f"/v1/customers?pageSize={size}")
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["pageSize"] == 100


@pytest.mark.parametrize("size", ["501", "2000000", "12345678901234567890"])
def test_search_clamps_page_size(api, size):
    response = api.post(f"/v1/customers/search?pageSize={size}", SEARCH)
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["pageSize"] == 500


def test_a_sync_cursor_clamps_page_size(api):
    body = {
        **SEARCH,
        "and": [{"customer_updated_at": {"gte": "2020-01-01"}}],
        "sort": [{"customer_updated_at": "asc"}],
    }
    response = api.post("/v1/customers/search?cursor=&pageSize=2000000", body)
    assert response.status_code == 200, response.content
    assert response.json()["meta"]["pageSize"] == 500


@pytest.mark.parametrize("path", ["/v1/events?limit=99999999999", "/v1/users?pageSize=99999999999"])
def test_cursor_lists_and_people_clamp_too(api, path):
    assert api.get(path).status_code == 200


@pytest.mark.parametrize("size", ["0", "000", "-5", "ten", "1.5", " 5", "５"])
def test_what_is_not_a_positive_integer_is_400(api, size):
    response = api.get(f"/v1/customers?pageSize={size}")
    assert response.status_code == 400
    assert response.json()["errors"][0]["source"]["pointer"] == "/pageSize"
    response = api.post(f"/v1/customers/search?pageSize={size}", SEARCH)
    assert response.status_code == 400


def test_a_page_beyond_the_bound_is_still_400(api):
    assert api.get("/v1/customers?page=99999999999").status_code == 400
