import pytest

from tests.factories import ApiClient


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture
def org(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(slug="acme", name="Acme")


@pytest.fixture
def other_org(db):
    from tests.factories import OrganizationFactory

    return OrganizationFactory(slug="globex", name="Globex")


@pytest.fixture
def admin_user(org):
    from tests.factories import UserFactory

    return UserFactory(org=org, role="admin", username="ada", display_name="Ada Admin")


@pytest.fixture
def agent(org):
    from tests.factories import UserFactory

    return UserFactory(org=org, role="agent", username="sam", display_name="Sam Rivera")


@pytest.fixture
def make_key(db):
    from kdesk.services import api_key_create

    def make(org, scopes=None, **kwargs):
        key, token = api_key_create(
            org=org, name=kwargs.pop("name", "test key"), scopes=scopes, **kwargs
        )
        return key, token

    return make


@pytest.fixture
def api(org, make_key):
    """An API client for `org` holding a key with every scope."""
    key, token = make_key(org)
    client = ApiClient(token, key=key)
    client.get("/v1/users/current")  # authenticated once: the key is cached, as in steady use
    return client


@pytest.fixture
def other_api(other_org, make_key):
    key, token = make_key(other_org)
    return ApiClient(token, key=key)


def pytest_collection_modifyitems(config, items):
    """Browser tests last: Playwright keeps an event loop in the main thread for the rest of the
    session, which async tests (websocket consumers) cannot share."""
    items.sort(key=lambda item: "/tests/browser/" in str(item.path))
