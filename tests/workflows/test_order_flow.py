"""The order-system flow from the reference, through HTTP: a web hook receives a shop's order,
the workflow finds or creates the customer by email, upserts the order by externalId on that
customer and adds nothing twice; a payload without an email fails the run naming the step."""

import pytest

from customers.models import Customer
from klasses.models import KObject
from workflows.models import Run

pytestmark = pytest.mark.django_db

ORDER = {
    "email": "ada@shop.test",
    "name": "Ada Lovelace",
    "order": {"id": "A-1001", "number": "1001", "total": 42.5},
}


def test_it_creates_the_customer_and_the_order(api, client, admin_user, order_workflow, post_hook):
    post_hook(ORDER)
    (run,) = Run.objects.all()
    assert run.status == Run.Status.SUCCEEDED, run.error
    assert run.trigger_type == "hook" and run.payload["data"] == ORDER
    customer = Customer.objects.get()
    assert customer.name == "Ada Lovelace"
    order = KObject.objects.get()
    assert order.external_id == "A-1001" and order.customer_id == customer.pk
    assert order.title == "Order 1001"
    assert order.data == {"totalNum": 42.5}  # one expression keeps its type
    customer_step, order_step = run.steps
    assert customer_step["status"] == "succeeded" and customer_step["output"]["created"] is True
    assert customer_step["input"] == {"email": "ada@shop.test", "name": "Ada Lovelace"}
    assert order_step["input"]["customer"] == str(customer.pk)
    assert isinstance(order_step["durationMs"], int)

    # the customer's timeline shows the order, and the desk page its card
    timeline = api.get(f"/v1/customers/{customer.pk}/timeline").json()["data"]
    events = [item["attributes"]["event"] for item in timeline]
    assert "kobject.order.create" in events and "customer.create" in events
    client.force_login(admin_user)
    page = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Order 1001" in page


def test_the_same_payload_twice_leaves_one_order(order_workflow, post_hook):
    post_hook(ORDER)
    post_hook(ORDER)
    assert KObject.objects.count() == 1 and Customer.objects.count() == 1
    first, second = Run.objects.order_by("id")
    assert first.status == second.status == Run.Status.SUCCEEDED
    assert second.steps[0]["output"]["created"] is False
    assert second.steps[1]["output"]["created"] is False


def test_a_payload_without_an_email_fails_naming_the_step(api, order_workflow, post_hook):
    post_hook({"name": "Nobody", "order": {"id": "A-2", "number": "2", "total": 3}})
    (run,) = Run.objects.all()
    assert run.status == Run.Status.FAILED
    assert run.failed_step == "customer"
    assert "customer" in run.error and "email, phone or externalId" in run.error
    assert run.steps[0]["status"] == "failed" and run.steps[1]["status"] == "not_run"
    assert not Customer.objects.exists() and not KObject.objects.exists()
    # the API's run log says the same, failed runs filterable
    wf = order_workflow["id"]
    failed = api.get(f"/v1/workflows/{wf}/runs?status=failed").json()
    assert failed["meta"]["total"] == 1
    attrs = failed["data"][0]["attributes"]
    assert attrs["failedStep"] == "customer" and attrs["steps"][0]["error"]


def test_a_failing_later_step_keeps_earlier_ones_and_says_so(api, web_hook, post_hook):
    # no "order" Klass: the second step fails, the customer stays
    from tests.workflows.conftest import ORDER_WORKFLOW

    body = {**ORDER_WORKFLOW, "trigger": {"type": "hook", "hook": web_hook["id"]}}
    assert api.post("/v1/workflows", body).status_code == 201
    post_hook(ORDER)
    (run,) = Run.objects.all()
    assert run.status == Run.Status.FAILED and run.failed_step == "order"
    assert "No Klass named 'order'" in run.error
    assert "not undone: customer" in run.error
    assert Customer.objects.count() == 1


def test_conditions_filter_the_payloads(order_workflow, post_hook):
    post_hook({**ORDER, "order": {"id": "Z", "number": "0", "total": 0}})
    assert not Run.objects.exists()
