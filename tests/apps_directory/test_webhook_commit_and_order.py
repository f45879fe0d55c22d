"""Deliveries exist only for committed writes, are sent only after commit, and deliveries of
one resource reach the receiver in event order even under concurrent updates."""

import threading

import pytest
from django.db import connection, transaction

from apps_directory.webhooks import dispatch
from apps_directory.webhooks.models import Delivery
from customers.services import customer_create, customer_update


@pytest.fixture
def subscribed(hook_on):
    return hook_on()


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_write_sends_nothing(api, org, admin_user, subscribed, receiver):
    with pytest.raises(RuntimeError), transaction.atomic():
        customer_create(org=org, actor=admin_user, data={"name": "Ghost"})
        assert Delivery.objects.count() == 1  # decided inside the transaction...
        raise RuntimeError("the write fails after the event was recorded")
    assert Delivery.objects.count() == 0  # ...and gone with it
    dispatch.run_due()
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_before_commit(api, org, admin_user, subscribed, receiver):
    with transaction.atomic():
        customer_create(org=org, actor=admin_user, data={"name": "Ada"})
        assert receiver.requests == []  # the immediate task backend still waits for commit
    assert receiver.wait_for(1)
    assert receiver.bodies()[0]["data"]["attributes"]["name"] == "Ada"


@pytest.mark.django_db(transaction=True)
def test_one_resource_is_delivered_in_order_under_concurrent_updates(
    api, org, admin_user, subscribed, receiver, settings
):
    settings.WEBHOOK_RETRY_SCHEDULE = [0] * 9
    customers = [
        customer_create(org=org, actor=admin_user, data={"name": f"C{i}"}) for i in range(3)
    ]
    # some failures on the way, so retries race with new events
    receiver.answers = [500, 200, 200] * 15
    errors = []

    def worker(n):
        try:
            for step in range(6):
                customer = customers[(n + step) % 3]
                customer_update(
                    org=org, actor=admin_user, customer=customer, data={"name": f"{n}-{step}"}
                )
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    dispatch.run_due()
    expected = Delivery.objects.count()
    assert expected == 3 + 4 * 6
    assert set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}
    delivered = {}
    for body in receiver.bodies():
        delivered.setdefault(body["data"]["id"], []).append(int(body["id"]))
    for customer in customers:
        seen = delivered[str(customer.pk)]
        # a failed attempt is retried before anything later of the same resource goes out
        assert seen == sorted(seen), (customer.pk, seen)
        total = Delivery.objects.filter(resource_key=f"customer:{customer.pk}").count()
        assert len(set(seen)) == total
