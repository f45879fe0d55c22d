"""Rows a write is about to point at, held until it commits.

A write checks that the customer (company, conversation) it names exists, then inserts a row
that references it. The foreign key is checked when the transaction commits (Django declares
them DEFERRABLE INITIALLY DEFERRED on PostgreSQL), so a merge or delete that removes the
referenced row between the check and the commit turns the commit into an IntegrityError: a 500,
and for the client a write refused for no reason it can see. Read with FOR KEY SHARE, the
referenced rows cannot be deleted (nor their key changed) until this transaction ends, while
every other writer, including another FOR KEY SHARE or FOR NO KEY UPDATE (a message's lock on
its customer), goes on. A merge or delete already under way is waited for, and what it removed
is then reported missing, as it would be to a request sent after it.

SQLite runs write transactions one at a time (`transaction_mode` IMMEDIATE): nothing to hold.
"""

from django.db import connection


def existing_pks(queryset):
    """The primary keys `queryset` finds (a set), each row held against deletion until the
    current transaction ends when the database locks rows. Locks are taken in primary key
    order, as a merge takes its two customers, so two writers never wait on each other in a
    circle."""
    queryset = queryset.order_by("pk").values_list("pk", flat=True)
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return set(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"{sql} FOR KEY SHARE", params)
        return {row[0] for row in cursor.fetchall()}


def held(queryset):
    """The first row `queryset` finds, in primary key order (None when none), held against
    deletion as existing_pks holds its rows."""
    queryset = queryset.order_by("pk")[:1]
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        return next(iter(queryset), None)
    sql, params = queryset.query.sql_with_params()
    return next(iter(queryset.model.objects.raw(f"{sql} FOR KEY SHARE", params)), None)
