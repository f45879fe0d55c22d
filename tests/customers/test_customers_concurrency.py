import threading

import pytest
from django.db import connection, connections

from customers.models import Customer
from customers.services import customer_create
from kdesk.errors import Conflict


@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_with_one_email_make_one_customer(org):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database with real concurrent writers")
    barrier = threading.Barrier(6)
    outcomes = []

    def worker(n):
        try:
            barrier.wait()
            customer_create(
                org=org, actor=None, data={"name": f"T{n}", "emails": [{"email": "same@x.io"}]}
            )
            outcomes.append("created")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("created") == 1 and outcomes.count("conflict") == 5
    assert Customer.objects.count() == 1
