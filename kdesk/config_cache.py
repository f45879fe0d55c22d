"""An org's configuration (custom-attribute metadata, validation rules, webhook subscriptions,
mailboxes) cached in process, keyed by the org's `config_version`.

Every inbound mail read those rows four to six times, though they change a few times a day.
The database bumps `Organization.config_version` in the same transaction as any insert,
update or delete of them (triggers made by kdesk migration 0006, so no write path — service,
admin, bulk update, cascade — can forget to), and a request that read its org's version at its
start (the email hook reads it with the hook, in the same query) declares it with
`versioned(org)`: inside that block the cached rows of that version are used, elsewhere (or
for another org) every read goes to the database as before. A change committed in another
process is therefore seen by the next request that reads the version, never later.

A version starts as a random number, not 0, so an org that reuses a deleted one's primary key
(SQLite can) never meets the deleted org's cached rows.

The bump locks the org's row until commit, so every write of those rows takes that lock first
(`lock_config(org)`), before it touches any of them: two writers then queue on the org's row
instead of each holding one configuration row and waiting, through the other's bump, for it.
"""

import contextvars
import secrets
import threading
from contextlib import contextmanager

from django.db import connection
from django.db.transaction import TransactionManagementError

_current = contextvars.ContextVar("kdesk_config_version", default=None)


def new_version():
    return secrets.randbits(52)


def lock_config(org):
    """Take the org's row as the configuration triggers' UPDATE will (FOR NO KEY UPDATE: rows
    that merely reference the org, whose foreign-key checks take KEY SHARE, are not held up),
    until the transaction commits. Call it inside the transaction, before the first read-for-
    update or write of a metadata, validation rule, webhook or mailbox row. SQLite runs write
    transactions one at a time already (`transaction_mode` IMMEDIATE): nothing to lock there."""
    if not connection.in_atomic_block:
        raise TransactionManagementError("lock_config(org) only holds inside a transaction.")
    if not connection.features.has_select_for_update:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM kdesk_organization WHERE id = %s FOR NO KEY UPDATE",
            [getattr(org, "pk", org)],
        )


@contextmanager
def versioned(org):
    """Use cached configuration rows for `org` in this block, at `org.config_version` (read at
    the start of the request)."""
    token = _current.set((org.pk, org.config_version))
    try:
        yield
    finally:
        _current.reset(token)


def forget():
    """This block changed its org's configuration itself (a custom attribute seen for the
    first time gets a definition): its declared version is out of date, so the rest of it
    reads from the database."""
    _current.set(None)


def _version_for(org_id):
    current = _current.get()
    if current is None or current[0] != org_id:
        return None
    return current[1]


class Cached:
    """`read(org_id, *key)` memoised per (org_id, *key) at the declared version; read directly
    when no version is declared for that org. The values handed out are shared: callers must
    not change them (rows and tuples, turned into fresh instances by the caller)."""

    def __init__(self, read, max_entries=10_000):
        self.read = read
        self.max_entries = max_entries
        self._entries = {}
        self._lock = threading.Lock()

    def get(self, org_id, *key):
        version = _version_for(org_id)
        if version is None:
            return self.read(org_id, *key)
        entry = self._entries.get((org_id, *key))
        if entry is not None and entry[0] == version:
            return entry[1]
        # Read after the version was: at least as new as it, so never a stale row under it.
        value = self.read(org_id, *key)
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # rare (that many orgs and resources): start again
            self._entries[(org_id, *key)] = (version, value)
        return value

    def clear(self):
        with self._lock:
            self._entries.clear()
