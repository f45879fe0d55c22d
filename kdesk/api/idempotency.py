"""`Idempotency-Key` on POST: a retry returns the first response; a reuse with another body is 422.

The key is reserved before the handler runs: one INSERT of a record with `status_code = 0`
("in progress"), committed at once, which the unique (org, principal, key) constraint lets only
one request win. A concurrent retry finds the reservation and gets 409; the winner fills the
record in with its response, or deletes it when the handler fails (a 5xx or an exception), so
that the retry can run. A reservation left by a process that died is taken over once it is
`RESERVATION_TIMEOUT` old.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kdesk.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255
IN_PROGRESS = 0
# No request runs this long: a reservation older than this belongs to a process that died.
RESERVATION_TIMEOUT = timedelta(minutes=5)


def request_fingerprint(request):
    return hashlib.sha256(
        request.method.encode() + b" " + request.get_full_path().encode() + b"\n" + request.body
    ).hexdigest()


def _expired(record, now):
    if record.created_at < now - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS):
        return True
    return record.status_code == IN_PROGRESS and record.created_at < now - RESERVATION_TIMEOUT


def reserve(org, principal, key, request, fingerprint):
    """(reservation, None) when this request may run, or (None, record) for the record of an
    earlier request with this key: finished (replay it) or still in progress."""
    for _ in range(3):
        now = timezone.now()
        try:
            with transaction.atomic():
                return IdempotencyRecord.objects.create(
                    org=org,
                    principal=principal,
                    key=key,
                    method=request.method,
                    path=request.path[:500],
                    request_hash=fingerprint,
                    status_code=IN_PROGRESS,
                    response_body=b"",
                    created_at=now,
                ), None
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(org=org, principal=principal, key=key).first()
        if record is None:  # released meanwhile: try again
            continue
        if not _expired(record, now):
            return None, record
        # an old record, or a dead process's reservation: delete exactly that one and retry
        IdempotencyRecord.objects.filter(
            pk=record.pk, status_code=record.status_code, created_at=record.created_at
        ).delete()
    return None, IdempotencyRecord.objects.filter(org=org, principal=principal, key=key).first()


def complete(reservation, response):
    """Store the first response in the reservation."""
    body = response.rendered_content if hasattr(response, "rendered_content") else b""
    IdempotencyRecord.objects.filter(pk=reservation.pk, status_code=IN_PROGRESS).update(
        status_code=response.status_code, response_body=bytes(body)
    )


def release(reservation):
    """The handler failed: forget the reservation so that a retry runs."""
    IdempotencyRecord.objects.filter(pk=reservation.pk, status_code=IN_PROGRESS).delete()


def stored_payload(record):
    raw = bytes(record.response_body)
    return json.loads(raw) if raw else None
