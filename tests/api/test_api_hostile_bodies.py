"""Bodies the JSON decoder accepts but kdesk cannot store or walk are a 400 parse error in
API.md's shape, never a 500: deep nesting and lone UTF-16 surrogates."""

import pytest

pytestmark = pytest.mark.django_db

DEEP = "[" * 1200 + "]" * 1200
DEEPISH = '{"name": "x", "custom": ' + "[" * 70 + "]" * 70 + "}"
LONE = '{"name": "\\ud800x"}'
LONE_KEY = '{"name": "x", "custom": {"\\udc00Str": "y"}}'


def parse_error(response):
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert errors[0]["status"] == "400" and errors[0]["code"] == "parse_error"
    return errors[0]["detail"]


@pytest.fixture
def order(api):
    api.post("/v1/klasses", {"name": "order"})


@pytest.mark.parametrize(
    "method,path",
    [
        ("post", "/v1/customers"),
        ("post", "/v1/customers/search"),
        ("post", "/v1/klasses/order"),
        ("post", "/v1/klasses/order/bulk"),
        ("put", "/v1/metadata/customer"),
        ("post", "/v1/tags"),
    ],
)
@pytest.mark.parametrize("raw", [DEEP, DEEPISH, LONE, LONE_KEY])
def test_it_refuses_bodies_it_cannot_store(api, order, method, path, raw):
    detail = parse_error(getattr(api, method)(path, raw=raw))
    assert "nests deeper" in detail or "surrogate" in detail


def test_it_names_the_problem(api):
    assert "nests deeper than 64" in parse_error(api.post("/v1/customers", raw=DEEP))
    assert "lone UTF-16 surrogate" in parse_error(api.post("/v1/customers", raw=LONE))


def test_it_keeps_surrogate_pairs_and_other_escapes(api):
    # 😀 escaped as a pair is one character, not a lone surrogate
    response = api.post("/v1/customers", raw='{"name": "Ada \\ud83d\\ude00 \\u00e9 \\\\ud800"}')
    assert response.status_code == 201, response.content
    assert response.json()["data"]["attributes"]["name"] == "Ada 😀 é \\ud800"


def test_it_refuses_numbers_it_cannot_store(api):
    for raw in ('{"name": "x", "custom": {"aNum": 1e999}}', '{"name": NaN}'):
        parse_error(api.post("/v1/customers", raw=raw))


def test_a_search_criterion_with_a_lone_surrogate_is_refused(api):
    body = '{"queryContext": "customer", "and": [{"customer_name": {"equals": "\\udfff"}}]}'
    parse_error(api.post("/v1/customers/search", raw=body))


def test_a_forged_cursor_that_nests_deeply_is_a_400(api):
    import base64

    cursor = base64.urlsafe_b64encode(DEEP.encode()).decode().rstrip("=")
    for path in (f"/v1/events?after={cursor}", f"/v1/events?after={cursor[:-4]}"):
        response = api.get(path)
        assert response.status_code == 400, response.content
    body = {
        "queryContext": "customer",
        "and": [{"customer_updated_at": {"gte": "2020-01-01"}}],
        "sort": [{"customer_updated_at": "asc"}],
    }
    response = api.post(f"/v1/customers/search?cursor={cursor}", body)
    assert response.status_code == 400, response.content


def test_desk_forms_replace_undecodable_bytes(client, admin_user):
    """Form posts never reach the JSON parser: Django decodes them with replacement, so what a
    desk form stores is always text."""
    from conversations.models import Shortcut

    client.force_login(admin_user)
    response = client.post(
        "/shortcuts/",
        data="name=a%ED%A0%80&payload=hi&visibility=shared",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code < 500
    for name in Shortcut.objects.values_list("name", flat=True):
        name.encode("utf-8")
