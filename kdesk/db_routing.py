"""Reads that may be served by a read replica (`DATABASE_REPLICA_URL`, the `replica` alias).

Only code that can live with a replica's lag asks for it, by running its reads inside
`replica_reads()`: page-numbered searches (a reporting tool, an agent's search). A sync search
(the incremental-sync cursor) stays on the primary: its never-skip guarantee assumes that rows
older than its safety margin are visible, which a lagging replica does not promise. Writes and
every other read go to the primary. Without a replica configured, nothing changes.
"""

import contextlib
import contextvars

from django.conf import settings

REPLICA = "replica"

_replica_reads = contextvars.ContextVar("replica_reads", default=False)


@contextlib.contextmanager
def replica_reads():
    """ORM reads inside this block go to the replica, if there is one."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reading_from_replica():
    return _replica_reads.get() and REPLICA in settings.DATABASES


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        return REPLICA if reading_from_replica() else None

    def db_for_write(self, model, **hints):
        return None  # the primary

    def allow_relation(self, obj1, obj2, **hints):
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return False if db == REPLICA else None
