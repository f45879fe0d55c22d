"""PreparedValues answers exactly what the ORM queryset it was built from answers."""

from datetime import UTC, datetime

import pytest

from customers.models import Customer, Identity
from customers.representations import CUSTOMER_FIELDS
from kdesk.prepared import PreparedValues

pytestmark = pytest.mark.django_db

BY_NAME = PreparedValues(
    lambda org, name: Customer.objects.filter(org_id=org, name=name).values(*CUSTOMER_FIELDS),
    ints=("org",),
    strings=("name",),
)


def test_it_returns_what_the_orm_returns(org, other_org):
    when = datetime(2026, 3, 4, 5, 6, 7, 890000, tzinfo=UTC)
    grace = Customer.objects.create(
        org=org,
        name="Grace",
        emails=[{"type": "work", "email": "g@x.io"}],
        custom={"tierStr": "gold", "spendNum": 1.5, "nested": {"a": [1, None]}},
        last_activity_at=when,
    )
    Customer.objects.create(org=other_org, name="Grace")
    expected = list(Customer.objects.filter(org=org, name="Grace").values(*CUSTOMER_FIELDS))
    assert BY_NAME.rows(org=org.pk, name="Grace") == expected
    assert expected[0]["id"] == grace.pk and expected[0]["last_activity_at"] == when
    # the second call re-binds the compiled query; markers never leak into results
    assert BY_NAME.rows(org=other_org.pk, name="Grace")[0]["id"] != grace.pk
    assert BY_NAME.rows(org=org.pk, name="nobody") == []


def test_literal_values_in_the_query_stay_literal(org):
    grace = Customer.objects.create(org=org, name="kind")
    Identity.objects.create(org=org, customer=grace, kind="email", value="kind@x.io")
    prepared = PreparedValues(
        lambda org, value: Customer.objects.filter(
            org_id=org, identities__kind="email", identities__value=value
        ).values("id", "name"),
        ints=("org",),
        strings=("value",),
    )
    assert prepared.rows(org=org.pk, value="kind@x.io") == [{"id": grace.pk, "name": "kind"}]


def test_an_unused_marker_is_a_clear_error(org):
    broken = PreparedValues(
        lambda org, name: Customer.objects.filter(org_id=org).values("id"),
        ints=("org",),
        strings=("name",),
    )
    with pytest.raises(ValueError, match="name"):
        broken.rows(org=org.pk, name="x")


def _prepared_statements():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_on_postgresql_it_is_a_prepared_statement_counted_like_any_query(
    org, django_assert_num_queries
):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (the CI PostgreSQL leg runs it)")
    Customer.objects.create(org=org, name="Grace")
    with django_assert_num_queries(1) as captured:
        assert BY_NAME.rows(org=org.pk, name="Grace")[0]["name"] == "Grace"
    assert BY_NAME.rows(org=org.pk, name="nobody") == []  # the same statement, re-bound
    [statement] = [s for s in _prepared_statements() if "customers_customer" in s]
    # the values are bound on the server, not written into the statement
    assert '"customers_customer"."name" = $' in statement and "Grace" not in statement
    assert "Grace" in str(captured.captured_queries)  # the query log still shows them


def test_prepared_statements_can_be_turned_off(org, settings):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are PostgreSQL's (the CI PostgreSQL leg runs it)")
    settings.DATABASE_PREPARED_STATEMENTS = False
    Customer.objects.create(org=org, name="Grace")
    assert BY_NAME.rows(org=org.pk, name="Grace")[0]["name"] == "Grace"
    assert not [s for s in _prepared_statements() if "customers_customer" in s]
