"""`Idempotency-Key` on POST: a retry returns the first response; a reuse with another body is 422."""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from kdesk.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 255


def request_fingerprint(request):
    return hashlib.sha256(
        request.method.encode() + b" " + request.get_full_path().encode() + b"\n" + request.body
    ).hexdigest()


def find(org, principal, key):
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_TTL_HOURS)
    return IdempotencyRecord.objects.filter(
        org=org, principal=principal, key=key, created_at__gte=cutoff
    ).first()


def store(org, principal, key, request, fingerprint, response):
    body = response.rendered_content if hasattr(response, "rendered_content") else b""
    try:
        with transaction.atomic():
            IdempotencyRecord.objects.filter(org=org, principal=principal, key=key).delete()
            IdempotencyRecord.objects.create(
                org=org,
                principal=principal,
                key=key,
                method=request.method,
                path=request.path[:500],
                request_hash=fingerprint,
                status_code=response.status_code,
                response_body=bytes(body),
            )
    except IntegrityError:  # a concurrent retry stored its first response already
        pass


def stored_payload(record):
    raw = bytes(record.response_body)
    return json.loads(raw) if raw else None
