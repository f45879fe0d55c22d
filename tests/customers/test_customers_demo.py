import time

import pytest

from customers import demo
from customers.models import Company, Customer, Identity
from kdesk.models import Event, Organization

pytestmark = pytest.mark.django_db


def test_seed_is_fast_realistic_and_idempotent(org):
    start = time.monotonic()
    demo.seed(org, {})
    assert time.monotonic() - start < 10
    assert Customer.objects.filter(org=org).count() == 200
    assert Company.objects.filter(org=org).count() == 20
    tiers = set(Customer.objects.values_list("custom__tierStr", flat=True))
    assert tiers == {"bronze", "silver", "gold", "platinum"}
    c = Customer.objects.filter(org=org).first()
    assert c.phones[0]["phone"].startswith("+") and c.time_zone and c.locale
    assert set(c.custom) == {"tierStr", "lifetimeValueNum", "vipBool"}
    assert Identity.objects.filter(org=org, kind="email").count() == 200
    assert Identity.objects.filter(org=org, kind="phone").count() == 200
    events = Event.objects.filter(org=org, type="customer.create")
    assert events.count() == 200
    assert events.filter(customer_id__isnull=True).count() == 0
    before = Event.objects.count()
    demo.seed(org, {})
    assert Customer.objects.filter(org=org).count() == 200 and Event.objects.count() == before
    assert Organization.objects.count() == 1
