"""What one run of the order workflow costs in queries: a fixed number, whatever the size of the
payload, and no transaction of the runner's own around a step whose service has one."""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from klasses.models import KObject
from workflows import runner
from workflows.models import Run

pytestmark = pytest.mark.django_db

# The returning customer's run (the common case in a shop's order stream): claim the run, read
# it with its workflow and org, find the customer by email (one query, nothing to update), the
# Klass, the order upsert (its own transaction: the lookup, metadata, the customer reference,
# validation rules, the insert in its savepoint and its event with the webhook check), record
# the run's log.
RETURNING_CUSTOMER_RUN = {"postgresql": 16, "sqlite": 16}


def _order(i, items=0):
    return {
        "email": "ada@shop.test",
        "name": "Ada Lovelace",
        "order": {
            "id": f"A-{i}",
            "number": str(i),
            "total": 10 + i,
            "items": [{"sku": f"SKU-{n}", "title": "x" * 200, "qty": n} for n in range(items)],
        },
    }


def _pending_run(client, web_hook, body):
    """The run a hook call leaves pending (its worker task is not run: nothing commits)."""
    url = web_hook["attributes"]["url"]
    r = client.post(url, json.dumps(body), content_type="application/json")
    assert r.status_code == 202, r.content
    return Run.objects.filter(status=Run.Status.PENDING).latest("id")


def _queries_of(run):
    with CaptureQueriesContext(connection) as queries:
        assert runner.execute(run.pk) == Run.Status.SUCCEEDED, Run.objects.get(pk=run.pk).error
    return [q["sql"] for q in queries.captured_queries]


def test_a_run_costs_the_same_queries_whatever_the_payload_size(client, order_workflow, web_hook):
    _queries_of(_pending_run(client, web_hook, _order(1)))  # creates the customer
    small = _queries_of(_pending_run(client, web_hook, _order(2)))
    large = _queries_of(_pending_run(client, web_hook, _order(3, items=500)))
    assert len(small) == len(large) == RETURNING_CUSTOMER_RUN[connection.vendor], small
    assert KObject.objects.count() == 3
    # the customer is read once (found by email, nothing new to write)
    assert sum(q.startswith("SELECT") and 'FROM "customers_identity"' in q for q in small) == 1
    assert not any(q.startswith("UPDATE") and '"customers_customer"' in q for q in small)


def test_a_step_refused_by_its_service_leaves_nothing(api, client, order_workflow, web_hook):
    """Without the runner's transaction around it, a refused order still writes nothing."""
    r = api.put("/v1/metadata/kobject.order", {"properties": {"totalNum": {"max": 100}}})
    assert r.status_code == 200, r.json()
    run = _pending_run(client, web_hook, {**_order(1), "order": {"id": "B-1", "total": 500}})
    assert runner.execute(run.pk) == Run.Status.FAILED
    run.refresh_from_db()
    assert run.failed_step == "order" and "totalNum" in run.error
    assert not KObject.objects.exists()
    assert run.steps[0]["status"] == "succeeded"  # the customer stays, as the log says
    assert "not undone: customer" in run.error
