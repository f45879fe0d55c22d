import pytest

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.kdesk.probe_urls")]


def only_error(response, status):
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"errors"}
    error = body["errors"][0]
    assert error["status"] == str(status)
    assert error["title"] and error["detail"] and error["code"]
    return body["errors"]


def test_validation_reports_every_field_with_pointers(api):
    errors = only_error(api.post("/v1/probe", {"size": "big"}), 400)
    assert {e["source"]["pointer"] for e in errors} == {"/name", "/size"}


def test_malformed_json_is_400(api):
    errors = only_error(api.post("/v1/probe", raw='{"name": '), 400)
    assert errors[0]["code"] == "parse_error"


def test_wrong_content_type_is_415(api):
    errors = only_error(api.post("/v1/probe", raw="name=x", content_type="text/plain"), 415)
    assert "text/plain" in errors[0]["detail"]


def test_unknown_method_is_405(api):
    only_error(api.delete("/v1/probe"), 405)


def test_unknown_api_path_is_404_json(api):
    only_error(api.get("/v1/nothing-here"), 404)


def test_conflict_is_409(api):
    only_error(api.post("/v1/probe", {"name": "x", "conflict": True}), 409)


def test_oversized_body_is_413_and_writes_nothing(api, settings):
    from kdesk.models import Team

    body = {"name": "x" * 6 * 1024 * 1024}
    only_error(api.post("/v1/probe", body), 413)
    assert not Team.objects.exists()


def test_trailing_slash_answers_the_same(api):
    a = api.post("/v1/probe", {"name": "one"})
    b = api.post("/v1/probe/", {"name": "two"})
    assert a.status_code == b.status_code == 201


def test_unauthenticated_is_401(client):
    response = client.get("/v1/probe")
    only_error(response, 401)


def test_session_post_needs_csrf(admin_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(admin_user)
    response = browser.post("/v1/probe", {"name": "x"}, content_type="application/json")
    only_error(response, 403)
    assert browser.get("/v1/probe").status_code == 200


def test_idempotent_replay_returns_the_first_response(api):
    from kdesk.models import Team

    headers = {"Idempotency-Key": "abc-1"}
    first = api.post("/v1/probe", {"name": "once"}, headers=headers)
    second = api.post("/v1/probe", {"name": "once"}, headers=headers)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Team.objects.filter(name="once").count() == 1


def test_idempotency_key_reuse_with_other_body_is_422(api):
    headers = {"Idempotency-Key": "abc-2"}
    api.post("/v1/probe", {"name": "one"}, headers=headers)
    errors = only_error(api.post("/v1/probe", {"name": "two"}, headers=headers), 422)
    assert errors[0]["code"] == "idempotency_key_reused"


def test_idempotency_keys_are_per_key(org, make_key, api):
    from tests.factories import ApiClient

    _, token = make_key(org, name="second")
    headers = {"Idempotency-Key": "shared"}
    assert api.post("/v1/probe", {"name": "a"}, headers=headers).status_code == 201
    other = ApiClient(token).post("/v1/probe", {"name": "b"}, headers=headers)
    assert other.status_code == 201 and "Idempotent-Replayed" not in other


def test_rate_limit_headers_and_429(org, make_key):
    from tests.factories import ApiClient

    _, token = make_key(org, rate_limit_per_minute=3)
    client = ApiClient(token)
    remaining = []
    for _ in range(3):
        response = client.get("/v1/probe")
        assert response.status_code == 200
        assert response["x-ratelimit-limit"] == "3"
        assert int(response["x-ratelimit-reset"]) > 0
        remaining.append(int(response["x-ratelimit-remaining"]))
    assert remaining == [2, 1, 0]
    errors = only_error(client.get("/v1/probe"), 429)
    assert errors[0]["code"] == "throttled"
    assert int(client.get("/v1/probe")["Retry-After"]) >= 1
