"""Per-principal fixed-window rate limits kept in the shared cache (Redis in production)."""

import time

from django.conf import settings
from django.core.cache import cache

from kdesk.models import ApiKey

WINDOW = 60


def principal(request):
    if isinstance(request.auth, ApiKey):
        return f"k{request.auth.pk}"
    return f"u{request.user.pk}"


def limit_for(request):
    if isinstance(request.auth, ApiKey) and request.auth.rate_limit_per_minute:
        return request.auth.rate_limit_per_minute
    return settings.API_RATE_LIMIT_PER_MINUTE


def hit(request):
    """Count this request; return (limit, remaining, reset_epoch_seconds, allowed)."""
    now = time.time()
    window = int(now // WINDOW)
    reset = (window + 1) * WINDOW
    key = f"rl:{principal(request)}:{window}"
    if cache.add(key, 1, timeout=WINDOW + 5):
        count = 1
    else:
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, timeout=WINDOW + 5)
            count = 1
    limit = limit_for(request)
    return limit, max(0, limit - count), reset, count <= limit
