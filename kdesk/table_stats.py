"""Planner statistics after bulk loads, on PostgreSQL (a no-op elsewhere).

A table that was never analyzed has no statistics, and until autovacuum gets to it (a minute or
more after a load) the planner guesses: a fresh install that imports its data must not run its
first minutes on guessed plans. Bulk loads therefore analyze what they filled.
"""

import logging

from django.db import connections

log = logging.getLogger(__name__)

# (database alias, table) this process knows to have statistics: checked once, then left to
# autovacuum, which keeps them current as the table grows.
_known = set()


def _tables(models):
    return [model._meta.db_table for model in models]


def analyze(*models, using="default"):
    """ANALYZE the tables of `models` (every table without any), after a bulk load."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        if not models:
            cursor.execute("ANALYZE")
        for table in _tables(models):
            cursor.execute(f"ANALYZE {quote(table)}")
    _known.update((using, table) for table in _tables(models))


def analyze_if_never(*models, using="default"):
    """ANALYZE those tables of `models` that were never analyzed (reltuples is -1 until the first
    ANALYZE or VACUUM): the first bulk write into a fresh install. One catalog query per table
    and process, nothing afterwards. Failing here must not fail the write that called it."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    tables = [t for t in _tables(models) if (using, t) not in _known]
    if not tables:
        return
    try:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT relname, reltuples < 0 FROM pg_class WHERE oid = ANY(%s::regclass[])",
                [tables],
            )
            never = [name for name, unanalyzed in cursor.fetchall() if unanalyzed]
            quote = connection.ops.quote_name
            for table in never:
                cursor.execute(f"ANALYZE {quote(table)}")
    except Exception:
        log.exception("analyzing %s after a bulk load failed", ", ".join(tables))
        return
    _known.update((using, table) for table in tables)
