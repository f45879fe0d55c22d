"""Sending deliveries: claim with a lease, sign, post through the guarded client, record.

At least once: a delivery stays `pending` until a 2xx is recorded; a worker killed mid-send
leaves its lease to run out, and the sweep (a chain of deferred tasks, one alive at a time,
started in the transaction of the first delivery it has to cover) hands the delivery to
another worker. Per-resource order: a delivery is only claimed when no
earlier delivery of the same resource to the same webhook is still pending.
"""

import http.client
import logging
import random
import secrets
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q
from django.utils import timezone

from apps_directory import outbound
from apps_directory.webhooks import envelope, signing
from apps_directory.webhooks.models import Delivery, DeliveryAttempt, DispatchClock, OutboundWebhook
from kdesk.models import Event

log = logging.getLogger(__name__)

GROUP = 10  # deliveries claimed, posted in parallel, and recorded together
DRAIN_SECONDS = 30  # one task run's budget; a longer backlog re-queues itself
EXCERPT_BYTES = 2048
CLOCK = "webhooks"


def lease_seconds():
    return settings.WEBHOOK_TIMEOUT_SECONDS + 5


def _tasks():
    from apps_directory.webhooks import tasks

    return tasks


def _can_defer():
    return bool(getattr(_tasks().drain.get_backend(), "supports_defer", False))


def kick(webhook_ids):
    """Queue a drain for each (enabled) webhook that has none queued; keep the sweep alive."""
    now = timezone.now()
    stale = _stale_before(now)
    for webhook_id in webhook_ids:
        taken = (
            OutboundWebhook.objects.filter(pk=webhook_id, enabled=True)
            .filter(Q(kicked_at__isnull=True) | Q(kicked_at__lt=stale))
            .update(kicked_at=now)
        )
        if taken:
            _tasks().drain.enqueue(webhook_id)
    ensure_sweeping()


_last_sweep_check = 0.0


def _stale_before(now):
    """A link queued for before this has not run: its worker died holding it (or every worker
    has been down): the chain is restarted."""
    return now - timedelta(seconds=max(60, 2 * settings.WEBHOOK_SWEEP_SECONDS))


def ensure_sweeping():
    """Start the sweep chain unless one is alive (checked at most every half interval per
    process); called after commit. Backends that cannot defer (the immediate one, in tests)
    have no chain."""
    global _last_sweep_check
    if not _can_defer():
        return
    if time.monotonic() - _last_sweep_check < settings.WEBHOOK_SWEEP_SECONDS / 2:
        return
    _last_sweep_check = time.monotonic()
    with transaction.atomic():
        _revive(timezone.now())


def guard_recorded():
    """Called inside the transaction that records deliveries: unless the sweep chain is alive,
    its first link is queued in this same transaction (the database task backend writes the
    task row on the same connection). So a committed delivery always has a sweep coming for
    it, even when the process dies between the commit and its after-commit kick. One primary
    key read when the chain is alive, which is nearly always."""
    if not _can_defer():
        return
    now = timezone.now()
    next_at = DispatchClock.objects.filter(name=CLOCK).values_list("next_at", flat=True).first()
    if next_at is not None and next_at >= _stale_before(now):
        return
    # Never wait for the clock's lock here: this transaction holds the rows it wrote, and
    # another writer holding the clock may be waiting for one of them.
    clock = DispatchClock.objects.select_for_update(skip_locked=True).filter(name=CLOCK).first()
    if clock is None and DispatchClock.objects.filter(name=CLOCK).exists():
        # Another transaction is restarting the chain and might still roll back: a one-off
        # sweep committed with this write covers it either way.
        _tasks().sweep.enqueue("")
        return
    if clock is None:
        clock, _ = DispatchClock.objects.get_or_create(name=CLOCK)  # the first ever
    if clock.next_at is not None and clock.next_at >= _stale_before(now):
        return
    _schedule_sweep(clock, secrets.token_hex(8), now)


def _revive(now):
    """Lock the clock and queue a link now unless a live one is queued. Must run in a
    transaction."""
    clock, _ = DispatchClock.objects.select_for_update().get_or_create(name=CLOCK)
    if clock.next_at is not None and clock.next_at >= _stale_before(now):
        return
    _schedule_sweep(clock, secrets.token_hex(8), now)


def _schedule_sweep(clock, token, run_after):
    """Queue the next link inside the caller's transaction, so that the clock and the queued
    task commit together (with a non-database backend a rolled back link still runs, finds a
    token that is not the clock's and retires)."""
    clock.token = token
    clock.next_at = run_after
    clock.save()
    _tasks().sweep.using(run_after=run_after).enqueue(token)


def sweep(token):
    """One link of the chain: queue the next link first, in the same transaction as the clock
    (so a worker killed now still leaves one queued), then hand due or abandoned deliveries to
    drains and prune old ones. The chain never retires while its token is the clock's: a
    delivery committed by a process that died before kicking is found by the next link. An
    empty token is a one-off sweep outside the chain."""
    now = timezone.now()
    if token:
        with transaction.atomic():
            clock = DispatchClock.objects.select_for_update().filter(name=CLOCK).first()
            if clock is None or clock.token != token:
                return "retired"
            next_at = now + timedelta(seconds=settings.WEBHOOK_SWEEP_SECONDS)
            _schedule_sweep(clock, token, next_at)
    due = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(webhook__enabled=True)
        .values_list("webhook_id", flat=True)
        .distinct()
    )
    kick(list(due))
    cutoff = now - timedelta(days=settings.WEBHOOK_RETENTION_DAYS)
    old = list(Delivery.objects.filter(finished_at__lt=cutoff).values_list("pk", flat=True)[:1000])
    if old:
        Delivery.objects.filter(pk__in=old).delete()
    _prune_task_results(now)
    return "swept"


def _prune_task_results(now):
    """The database task backend keeps every finished task's row; a link every interval and a
    drain per kick would grow it without end. Ours are dropped a day after they finish."""
    from django_tasks_db.models import DBTaskResult

    tasks = _tasks()
    old = list(
        DBTaskResult.objects.filter(
            task_path__in=[tasks.drain.module_path, tasks.sweep.module_path],
            finished_at__lt=now - timedelta(days=1),
        ).values_list("pk", flat=True)[:1000]
    )
    if old:
        DBTaskResult.objects.filter(pk__in=old).delete()


def drain(webhook_id):
    """Send what is due for one webhook, a group at a time, within a time budget.

    A group holds at most one delivery per resource (the earlier-pending rule), so its members
    are posted in parallel without breaking per-resource order; claiming and recording a group
    each take one transaction, which is what bounds throughput on a database that syncs every
    commit."""
    now = timezone.now()
    OutboundWebhook.objects.filter(pk=webhook_id).update(kicked_at=None)
    OutboundWebhook.objects.filter(pk=webhook_id, wake_at__lte=now).update(wake_at=None)
    deadline = time.monotonic() + DRAIN_SECONDS
    sent = 0
    pool = None
    try:
        while True:
            webhook = OutboundWebhook.objects.filter(pk=webhook_id, enabled=True).first()
            if webhook is None:
                return sent
            group, token = _claim_group(webhook)
            if group is None:
                break  # nothing due
            if not group:
                continue  # another worker claimed these first: look again
            if len(group) == GROUP and _can_defer():
                kick([webhook_id])  # a backlog: another worker may share it
            if len(group) == 1:
                results = [_post(webhook, group[0])]
            else:
                pool = pool or ThreadPoolExecutor(GROUP, thread_name_prefix="webhook-send")
                results = list(pool.map(partial(_post, webhook), group))
            sent += len(group)
            if _record_all(webhook, group, token, results):
                return sent
            if time.monotonic() > deadline:
                kick([webhook_id])
                return sent
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    _wake_later(webhook_id)
    return sent


def _candidates(webhook, limit, page=200, pages=10):
    """Ids of due, unleased deliveries that are each the earliest pending one of their resource
    (so a later update never overtakes an earlier one), oldest first. Two index walks per page
    instead of one anti-join, whose plan goes quadratic when the planner's counts are stale;
    a few pages so that one resource stuck behind a retry does not hide the others."""
    now = timezone.now()
    pending = Delivery.objects.filter(webhook_id=webhook.pk, status=Delivery.Status.PENDING)
    ready = (
        pending.filter(next_attempt_at__lte=now)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .order_by("event_id")
    )
    ids, after = [], None
    for _ in range(pages):
        rows = ready if after is None else ready.filter(event_id__gt=after)
        due = list(rows.values_list("pk", "event_id", "resource_key")[:page])
        if not due:
            break
        first = dict(
            pending.filter(resource_key__in={key for _, _, key in due})
            .values("resource_key")
            .annotate(first=Min("event_id"))
            .values_list("resource_key", "first")
        )
        ids += [pk for pk, event_id, key in due if first.get(key) == event_id]
        if len(ids) >= limit or len(due) < page:
            break
        after = due[-1][1]
    return ids[:limit]


def _claim_group(webhook):
    """Lease up to GROUP due deliveries (one transaction); build the bodies of first attempts.
    Returns (deliveries, claim token): None when nothing is due, [] when others claimed it."""
    ids = _candidates(webhook, GROUP)
    if not ids:
        return None, None
    now = timezone.now()
    token = secrets.token_hex(8)
    Delivery.objects.filter(
        pk__in=ids, status=Delivery.Status.PENDING, next_attempt_at__lte=now
    ).filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now)).update(
        lease_until=now + timedelta(seconds=lease_seconds()), claimed_by=token
    )
    group = list(Delivery.objects.filter(pk__in=ids, claimed_by=token).order_by("event_id"))
    unbuilt = [d for d in group if not d.body]
    if unbuilt:
        # Built the same way every time from the stored event, so an attempt whose worker died
        # before recording it is retried with the same bytes; saved with the first outcome.
        events = Event.objects.in_bulk([d.event_id for d in unbuilt])
        for delivery in unbuilt:
            event = events.get(delivery.event_id)
            # an event gone with its org cannot be rebuilt; the receiver gets an empty object
            delivery.body = envelope.build(event, delivery.name) if event else "{}"
    return group, token


def _live_tokens(webhook, now):
    tokens = [webhook.token]
    if (
        webhook.previous_token
        and webhook.previous_token_until
        and webhook.previous_token_until > now
    ):
        tokens.append(webhook.previous_token)
    return tokens


def request_headers(webhook, delivery, body, now=None):
    now = now or timezone.now()
    return {
        **(webhook.headers or {}),
        "Content-Type": "application/json",
        **signing.headers(
            _live_tokens(webhook, now), delivery.message_id, int(now.timestamp()), body
        ),
    }


def _post(webhook, delivery):
    """One HTTP attempt, no database: (headers, status, excerpt, error, duration ms, at)."""
    body = delivery.body.encode()
    now = timezone.now()
    headers = request_headers(webhook, delivery, body, now)
    status, excerpt, error = None, "", ""
    started = time.monotonic()
    try:
        response = outbound.request("POST", webhook.url, body=body, headers=headers)
    except outbound.Refused as exc:
        error = str(exc)
    except (OSError, http.client.HTTPException, TimeoutError) as exc:
        error = _network_error(exc)
    else:
        status = response.status
        excerpt = response.body[:EXCERPT_BYTES].decode("utf-8", "replace")
    duration = int((time.monotonic() - started) * 1000)
    return headers, status, excerpt, error, duration, now


def _network_error(exc):
    if isinstance(exc, TimeoutError | http.client.RemoteDisconnected) or "timed out" in str(exc):
        return f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s (timed out)."
    return f"Could not reach the receiver: {exc}"[:500]


def _retry_delay(attempts):
    schedule = settings.WEBHOOK_RETRY_SCHEDULE
    base = schedule[min(attempts, len(schedule)) - 1]
    return base * random.uniform(0.8, 1.2)


def _outcome(delivery, status, error, now):
    """(update for the delivery row, reason to turn the webhook off or None, next attempt)."""
    attempts = delivery.attempts + 1
    max_attempts = len(settings.WEBHOOK_RETRY_SCHEDULE) + 1
    ok = status is not None and 200 <= status < 300
    update = {
        "attempts": attempts,
        "lease_until": None,
        "claimed_by": "",
        "last_status_code": status,
        "last_error": (error or ("" if ok else f"HTTP {status}"))[:500],
        "next_attempt_at": None,
    }
    reason = None
    if ok:
        update.update(status=Delivery.Status.SUCCEEDED, finished_at=now)
    elif status == 410:
        reason = "The receiver answered 410 Gone."
    elif attempts >= max_attempts:
        what = f"HTTP {status}" if status is not None else error
        reason = f"All {max_attempts} attempts failed; the last one: {what}"
    else:
        update["next_attempt_at"] = now + timedelta(seconds=_retry_delay(attempts))
    if reason:
        update.update(status=Delivery.Status.FAILED, finished_at=now)
    return update, reason


def _record_all(webhook, group, token, results):
    """Write a group's attempts and outcomes in one transaction; turn the webhook off after
    if one of them says so. Returns whether it did."""
    now = timezone.now()
    stop = None
    attempts, rows = [], []
    for delivery, (headers, status, excerpt, error, duration, at) in zip(
        group, results, strict=True
    ):
        update, reason = _outcome(delivery, status, error, now)
        attempts.append(
            DeliveryAttempt(
                delivery_id=delivery.pk,
                number=update["attempts"],
                at=at,
                request_headers=headers,
                response_status=status,
                response_excerpt=excerpt,
                duration_ms=duration,
                error=error[:500],
                next_attempt_at=update["next_attempt_at"],
            )
        )
        for key, value in update.items():
            setattr(delivery, key, value)
        rows.append(delivery)
        if reason and stop is None:
            stop = (delivery, reason)
    with transaction.atomic():
        _save_outcomes(rows, token)
        DeliveryAttempt.objects.bulk_create(attempts)
    if stop is None:
        return False
    from apps_directory.webhooks.services import webhook_disable_failing

    webhook_disable_failing(webhook_id=webhook.pk, delivery=stop[0], reason=stop[1])
    return True


_OUTCOME_FIELDS = (
    "status",
    "attempts",
    "lease_until",
    "claimed_by",
    "last_status_code",
    "last_error",
    "next_attempt_at",
    "finished_at",
    "body",
)


def _save_outcomes(rows, token):
    """One parameterised UPDATE sent for all rows at once (executemany: a single round trip
    with psycopg's pipeline), and only where the lease is still ours: a worker that took a
    delivery over after its lease ran out decides its outcome."""
    meta = Delivery._meta
    columns = [meta.get_field(name).column for name in _OUTCOME_FIELDS]
    q = connection.ops.quote_name
    sql = (
        f"UPDATE {q(meta.db_table)} SET "
        + ", ".join(f"{q(c)} = %s" for c in columns)
        + f" WHERE {q('id')} = %s AND {q('claimed_by')} = %s"
    )
    adapt = connection.ops.adapt_datetimefield_value
    params = []
    for row in rows:
        values = []
        for name in _OUTCOME_FIELDS:
            value = getattr(row, name)
            values.append(adapt(value) if name.endswith("_at") or name == "lease_until" else value)
        params.append([*values, row.pk, token])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _wake_later(webhook_id):
    """Queue a deferred drain for the next retry due (immediate backends cannot defer: the
    sweep or a test calls `run_due` instead)."""
    if not _can_defer():
        return
    now = timezone.now()
    next_at = (
        Delivery.objects.filter(
            webhook_id=webhook_id, status=Delivery.Status.PENDING, next_attempt_at__gt=now
        )
        .aggregate(at=Min("next_attempt_at"))
        .get("at")
    )
    if next_at is None:
        return
    taken = (
        OutboundWebhook.objects.filter(pk=webhook_id)
        .filter(Q(wake_at__isnull=True) | Q(wake_at__gt=next_at) | Q(wake_at__lt=now))
        .update(wake_at=next_at)
    )
    if taken:
        _tasks().drain.using(run_after=next_at).enqueue(webhook_id)
    ensure_sweeping()


def run_due():
    """Drain every webhook with a delivery due now (what the sweep does; for the immediate
    backend and the shell)."""
    now = timezone.now()
    ids = (
        Delivery.objects.filter(status=Delivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(webhook__enabled=True)
        .values_list("webhook_id", flat=True)
        .distinct()
    )
    return sum(drain(webhook_id) for webhook_id in list(ids))
