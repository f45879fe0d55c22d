"""A read replica (DATABASE_REPLICA_URL) serves page-numbered searches; sync searches, writes
and every other read stay on the primary; without a replica nothing changes."""

import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
from django.conf import settings

from kdesk import db_routing
from kdesk.db_routing import ReplicaRouter, replica_reads

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))


def test_reads_go_to_the_replica_only_inside_replica_reads(monkeypatch):
    # the settings the router reads, as they are with DATABASE_REPLICA_URL set
    configured = {**settings.DATABASES, "replica": dict(settings.DATABASES["default"])}
    monkeypatch.setattr(db_routing, "settings", SimpleNamespace(DATABASES=configured))
    router = ReplicaRouter()
    assert router.db_for_read(None) is None
    with replica_reads():
        assert router.db_for_read(None) == "replica"
        assert router.db_for_write(None) is None
    assert router.db_for_read(None) is None
    assert router.allow_migrate("replica", "customers") is False
    assert router.allow_migrate("default", "customers") is None


def test_without_a_replica_everything_reads_the_primary():
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert ReplicaRouter().db_for_read(None) is None


@pytest.fixture
def where_searches_ran(monkeypatch):
    from kdesk.api import search

    seen = []
    real = search.search_page

    def spy(plan, **kwargs):
        seen.append(db_routing._replica_reads.get())
        return real(plan, **kwargs)

    monkeypatch.setattr(search, "search_page", spy)
    return seen


def test_a_page_search_reads_from_the_replica(api, where_searches_ran):
    response = api.post("/v1/customers/search", {"queryContext": "customer", "and": []})
    assert response.status_code == 200, response.content
    assert where_searches_ran == [True]


def test_a_sync_search_stays_on_the_primary(api, where_searches_ran):
    body = {
        "queryContext": "customer",
        "and": [{"customer_updated_at": {"gte": "2020-01-01T00:00:00Z"}}],
        "sort": [{"customer_updated_at": "asc"}],
    }
    response = api.post("/v1/customers/search", body)
    assert response.status_code == 200, response.content
    assert "cursor" in response.json()["meta"]
    assert where_searches_ran == [False]


def _load(**env):
    base = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "kdesk.settings"}
    code = "import django; django.setup(); from django.conf import settings; "
    code += "print(sorted(settings.DATABASES), settings.DATABASES.get('replica', {}).get('HOST'))"
    return subprocess.run(
        [sys.executable, "-c", code],
        env={**base, "DEBUG": "true", **env},
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )


def test_the_setting_adds_the_replica_alias():
    done = _load(
        DATABASE_URL="postgres://kdesk@primary:5432/kdesk",
        DATABASE_REPLICA_URL="postgres://kdesk@replica.internal:5432/kdesk",
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == "['default', 'replica'] replica.internal"


@pytest.mark.parametrize(
    "url,message",
    [("nosuchdb://x", "DATABASE_REPLICA_URL"), ("sqlite:///other.sqlite3", "same kind")],
)
def test_a_bad_replica_url_stops_the_start_naming_it(url, message):
    done = _load(DATABASE_URL="postgres://kdesk@primary:5432/kdesk", DATABASE_REPLICA_URL=url)
    assert done.returncode != 0
    assert message in done.stderr
