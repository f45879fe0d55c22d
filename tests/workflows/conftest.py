import json

import pytest

ORDER_WORKFLOW = {
    "name": "Orders from the shop",
    "trigger": {"type": "hook", "hook": None},
    "conditions": {"and": [{"field": "data.order.total", "op": "gt", "value": 0}]},
    "steps": [
        {
            "id": "customer",
            "action": "customer.upsert",
            "params": {"email": "{{ data.email }}", "name": "{{ data.name }}"},
        },
        {
            "id": "order",
            "action": "kobject.upsert",
            "params": {
                "klass": "order",
                "externalId": "{{ data.order.id }}",
                "customer": "{{ steps.customer.id }}",
                "title": "Order {{ data.order.number }}",
                "data": {"totalNum": "{{ data.order.total }}"},
            },
        },
    ],
}


@pytest.fixture
def run_commits(django_capture_on_commit_callbacks):
    """Run a block's on-commit work (the runs it queues) as a committed request would."""

    def run(fn, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return fn(*args, **kwargs)

    return run


@pytest.fixture
def web_hook(api):
    r = api.post("/v1/hooks", {"name": "Shop orders", "kind": "web"})
    assert r.status_code == 201, r.json()
    return r.json()["data"]


@pytest.fixture
def order_klass(api):
    assert api.post("/v1/klasses", {"name": "order", "displayName": "Order"}).status_code == 201


@pytest.fixture
def order_workflow(api, web_hook, order_klass):
    body = json.loads(json.dumps(ORDER_WORKFLOW))
    body["trigger"]["hook"] = web_hook["id"]
    r = api.post("/v1/workflows", body)
    assert r.status_code == 201, r.json()
    return r.json()["data"]


@pytest.fixture
def post_hook(client, web_hook, run_commits):
    def post(body):
        url = web_hook["attributes"]["url"]
        r = run_commits(client.post, url, json.dumps(body), content_type="application/json")
        assert r.status_code == 202, r.content
        return r

    return post
