"""`Idempotency-Key` on POST: a retry returns the first response; a reuse with another body is 422.

The key's record is written in the SAME transaction as the request's own writes (ApiView runs
such a request in one transaction), so the two are committed together or not at all: a retry
after a crash either finds the record and replays the committed answer, or finds nothing
written and runs. No "in progress" row outlives its request.

Concurrent requests with one key take turns: the first holds a lock on the key (PostgreSQL: an
advisory lock released when its transaction ends, also when its process dies) and a concurrent
retry is told 409 "in progress" at once. On SQLite write transactions are serial already, so the
retry waits for the first and replays it.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from kdesk.models import IdempotencyRecord
from kdesk.unique import conflict_on_duplicate, try_serialize

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
# Written by versions that committed a reservation before the handler ran; such a row belongs to
# a request that never finished.
IN_PROGRESS = 0


def request_fingerprint(request):
    return hashlib.sha256(
        request.method.encode() + b" " + request.get_full_path().encode() + b"\n" + request.body
    ).hexdigest()


def _expired(record, now):
    if record.status_code == IN_PROGRESS:
        return True
    return record.created_at < now - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)


def claim(org, principal, key):
    """(claimed, record) inside the request's transaction: (True, None) when this request may
    run; (False, record) for the committed record of an earlier request with this key, to
    replay; (False, None) while another request with this key is running."""
    if not try_serialize("idempotency", org.pk, principal, key):
        return False, None
    record = IdempotencyRecord.objects.filter(org=org, principal=principal, key=key).first()
    if record is not None and _expired(record, timezone.now()):
        IdempotencyRecord.objects.filter(pk=record.pk).delete()
        record = None
    return record is None, record


def store(org, principal, key, request, fingerprint, response):
    """Record the response in the request's transaction; raises Conflict if another request
    stored one for this key first (only where no lock serialises them)."""
    body = response.rendered_content if hasattr(response, "rendered_content") else b""
    with conflict_on_duplicate("", "A request with this Idempotency-Key finished first."):
        IdempotencyRecord.objects.create(
            org=org,
            principal=principal,
            key=key,
            method=request.method,
            path=request.path[:500],
            request_hash=fingerprint,
            status_code=response.status_code,
            response_body=bytes(body),
            created_at=timezone.now(),
        )


def stored_payload(record):
    raw = bytes(record.response_body)
    return json.loads(raw) if raw else None
