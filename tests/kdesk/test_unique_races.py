"""The unique constraints written outside the API (people, teams, relationships from the
admin, settings pages and commands) turn a lost race into the same refusal as a sequential
duplicate: a ServiceError the form shows, never an IntegrityError."""

import pytest

from kdesk import services
from kdesk.errors import ServiceError
from kdesk.models import Team, User
from klasses import services as klass_services
from klasses.models import Relationship
from tests.parallel import needs_real_concurrency, parallel

PARALLEL = 6

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only():
    if reason := needs_real_concurrency():
        pytest.skip(reason)


def _outcomes(results):
    for result in results:
        assert not isinstance(result, Exception) or isinstance(result, ServiceError), result
    return sorted("refused" if isinstance(r, Exception) else "ok" for r in results)


def test_parallel_team_creates_with_one_slug(org):
    results = parallel(PARALLEL, lambda i: services.team_create(org=org, data={"name": "Billing"}))
    assert _outcomes(results) == ["ok"] + ["refused"] * (PARALLEL - 1)
    assert Team.objects.filter(org=org).count() == 1


def test_parallel_user_creates_with_one_email(org):
    results = parallel(
        PARALLEL,
        lambda i: services.user_create_or_update(org=org, email="sam@acme.test", username=f"s{i}"),
    )
    outcomes = _outcomes(results)
    assert "ok" in outcomes
    assert User.objects.filter(email="sam@acme.test").count() == 1


def test_parallel_relationship_creates_with_one_name(org):
    klass_services.klass_create(org=org, actor=None, data={"name": "order"})
    body = {
        "name": "buyer",
        "from": "kobject.order",
        "to": "customer",
        "cardinality": "one_to_many",
    }
    results = parallel(
        PARALLEL, lambda i: klass_services.relationship_create(org=org, actor=None, data=body)
    )
    assert _outcomes(results) == ["ok"] + ["refused"] * (PARALLEL - 1)
    assert Relationship.objects.filter(org=org).count() == 1
