"""Unique constraints clients can race on.

A service checks a name or an external id before writing it, but two requests can both pass the
check; the database's unique constraint then stops the second, and its IntegrityError must reach
the client as the same 409 the check gives, never as a 500.

- `conflict_on_duplicate(pointer, detail)`: the write inside runs in a savepoint; a unique
  violation there becomes `Conflict` with one `taken` error at `pointer` (any other integrity
  error is not the client's doing and is raised as it is).
- `raise_invalid_or_taken(errors)`: 400 when anything is malformed (every error listed), 409
  when the only problems are values other rows hold.
- `serialize(*parts)`: an exclusive lock on a name until the transaction ends, for uniqueness
  the constraint cannot see (names unique ignoring case). PostgreSQL takes an advisory lock;
  SQLite's write transactions are serial already (`transaction_mode` IMMEDIATE).
"""

import hashlib
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction

from kdesk.errors import Conflict, FieldError, ValidationFailed

UNIQUE_VIOLATION = "23505"  # PostgreSQL's SQLSTATE


def is_unique_violation(exc):
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate is not None:
        return sqlstate == UNIQUE_VIOLATION
    return "UNIQUE constraint failed" in str(exc)


@contextmanager
def conflict_on_duplicate(pointer, detail, code="taken"):
    try:
        with transaction.atomic():
            yield
    except IntegrityError as exc:
        if not is_unique_violation(exc):
            raise
        raise Conflict(detail, errors=[FieldError(pointer, code, detail)]) from None


def raise_invalid_or_taken(errors):
    if not errors:
        return
    if all(e.code == "taken" for e in errors):
        raise Conflict("; ".join(e.detail for e in errors), errors=errors)
    raise ValidationFailed(errors)


def _lock_id(parts):
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def serialize(*parts):
    """Hold an exclusive lock on `parts` until the current transaction ends."""
    if not connection.in_atomic_block:
        raise RuntimeError("serialize() needs a transaction to hold the lock for")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_lock_id(parts)])


def try_serialize(*parts):
    """As serialize, without waiting: False when another transaction holds the lock."""
    if not connection.in_atomic_block:
        raise RuntimeError("try_serialize() needs a transaction to hold the lock for")
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_lock_id(parts)])
        return bool(cursor.fetchone()[0])
