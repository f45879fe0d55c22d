"""A fresh server process answers its first requests without loading anything first: the URLconf
and every view are loaded where the application is (gunicorn's master), and each thread of a
gunicorn worker has opened its database connection before the worker accepts
(kdesk/serving/warm.py, deploy/gunicorn.conf.py)."""

import json
import subprocess
import sys

import httpx
import pytest
from django.db import connection

from tests.servers import ROOT, _server_env, start_gunicorn, stop

# Run in a new process: this one has long had its URLconf loaded by other tests.
FRESH_PROCESS = """
import json, sys
from django.urls import get_resolver
from django.urls.resolvers import URLResolver

def walk(patterns):
    for entry in patterns:
        yield entry
        if isinstance(entry, URLResolver):
            yield from walk(entry.url_patterns)

import kdesk.wsgi  # what gunicorn's master imports (preload_app)
from django.db import connections
resolver = get_resolver()
entries = list(walk(resolver.url_patterns))
print(json.dumps({
    "patterns": len(entries),
    # Django's descriptor keeps a pattern's regex on the pattern once compiled
    "compiled": sum("regex" in e.pattern.__dict__ for e in entries),
    "reverse_built": resolver._populated,
    "views_imported": "customers.api.lookups" in sys.modules,
    "connections_open": [a for a in connections if connections[a].connection is not None],
}))
"""


def test_importing_the_wsgi_module_loads_every_view_and_compiles_every_url_pattern():
    """Nothing is left for a worker's first request to load, and nothing was connected before
    gunicorn forks (a connection opened in the master would be shared by every worker)."""
    out = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        cwd=ROOT,
        env=_server_env({}),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    found = json.loads(out.strip().splitlines()[-1])
    assert found["patterns"] > 400
    assert found["compiled"] == found["patterns"]
    assert found["reverse_built"] is True
    assert found["views_imported"] is True
    assert found["connections_open"] == []


@pytest.mark.django_db(transaction=True)
def test_each_thread_of_a_fresh_gunicorn_worker_is_connected_before_its_first_request():
    if connection.vendor != "postgresql":
        pytest.skip("counts PostgreSQL backends (the CI PostgreSQL leg runs it)")

    def backends():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            return cursor.fetchone()[0]

    before = backends()
    web, base = start_gunicorn(workers=1)  # 4 threads; waits for one /healthz answer
    try:
        # one answered request; the other three threads connected without being asked
        assert backends() - before == 4
        assert httpx.get(base + "/healthz").status_code == 200
    finally:
        stop(web)
