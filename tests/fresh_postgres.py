"""A brand-new PostgreSQL database beside the test database, migrated by a real `manage.py`
and never analyzed: what a fresh install looks like to the planner."""

import contextlib
import os
import subprocess
import sys

from django.db import connection

from tests.servers import ROOT

NO_AUTOVACUUM = """
from django.db import connection
with connection.cursor() as cursor:
    for table in %r:
        cursor.execute(f"ALTER TABLE {table} SET (autovacuum_enabled = off)")
"""


def manage(url, *args):
    """Run manage.py against `url`; its stdout."""
    env = dict(os.environ, DATABASE_URL=url, DJANGO_SETTINGS_MODULE="tests.settings")
    env["PYTHONPATH"] = str(ROOT)
    env["DEBUG"] = "true"  # seed_demo is a development command
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


@contextlib.contextmanager
def fresh_postgres(*, tables):
    """(psycopg connection, database URL) of a new migrated database where autovacuum is off
    for `tables` (so nothing analyzes them behind the test's back); dropped afterwards."""
    import psycopg

    params = connection.get_connection_params()
    name = f"kdesk_fresh_{os.getpid()}"
    admin = psycopg.connect(
        host=params.get("host"),
        port=params.get("port"),
        user=params.get("user"),
        password=params.get("password"),
        dbname="postgres",
        autocommit=True,
    )
    admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.execute(f'CREATE DATABASE "{name}"')
    url = f"postgres://{params.get('user')}@{params.get('host')}:{params.get('port')}/{name}"
    try:
        manage(url, "migrate", "--noinput", "-v0")
        manage(url, "shell", "-c", NO_AUTOVACUUM % (tuple(tables),))
        with psycopg.connect(url, autocommit=True) as conn:
            yield conn, url
    finally:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def never_analyzed(conn, tables):
    """The tables of `tables` the planner has no statistics for."""
    rows = conn.execute(
        "SELECT relname FROM pg_class WHERE relname = ANY(%s) AND reltuples < 0", [list(tables)]
    ).fetchall()
    return {name for (name,) in rows}
