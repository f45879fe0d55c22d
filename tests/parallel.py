"""Run one call from many threads at once (each with its own database connection), for tests of
writers racing on PostgreSQL. Transactional tests only (`django_db(transaction=True)`): each
thread commits."""

import threading
import time

from django.db import connection, connections


def needs_real_concurrency():
    """A reason to skip, or None: SQLite write transactions are serial (and its test database
    is shared through one file), so only PostgreSQL shows a race."""
    if connection.vendor != "postgresql":
        return "real concurrent writers need PostgreSQL"
    return None


def parallel(n, fn, *, timeout=60):
    """[fn(0), ..., fn(n-1)] run together (all released by one barrier); an exception a call
    raised is its result."""
    barrier = threading.Barrier(n)
    results = [None] * n

    def worker(i):
        try:
            barrier.wait(timeout)
            results[i] = fn(i)
        except Exception as exc:  # noqa: BLE001 - the caller asserts on every outcome
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    assert not any(t.is_alive() for t in threads), "a racing call never finished"
    return results


def someone_waits_on_a_lock(timeout=10):
    """Whether another backend of this database is waiting for a lock, within `timeout` s
    (PostgreSQL): the moment a test's other transaction is known to be blocked."""
    deadline = time.monotonic() + timeout
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )
            if cursor.fetchone()[0]:
                return True
            time.sleep(0.02)
    return False
