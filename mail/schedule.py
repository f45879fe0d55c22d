"""The polling chain: one deferred task alive at a time (its token in MailClock) that fetches
IMAP mailboxes, re-queues due retries and reports abandoned sends every MAIL_POLL_SECONDS.
`manage.py fetch_mail` does one round by hand (or from cron, where no worker runs)."""

import logging
import secrets
import time
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from mail.models import Attachment, Mailbox, MailClock, MailMessage

log = logging.getLogger(__name__)
CLOCK = "poll"
_last_check = 0.0


def _tasks():
    from mail import tasks

    return tasks


def _can_defer():
    return bool(getattr(_tasks().poll.get_backend(), "supports_defer", False))


def _needed():
    return (
        Mailbox.objects.filter(enabled=True, imap_enabled=True).exists()
        or MailMessage.objects.filter(
            status__in=[MailMessage.Status.QUEUED, MailMessage.Status.SENDING]
        ).exists()
        or Attachment.objects.filter(message__isnull=True).exists()
    )


def ensure_running(force=False):
    """Start the chain unless a link is alive (checked at most every half interval per
    process). Backends that cannot defer (the immediate one in tests) have no chain."""
    global _last_check
    if not _can_defer():
        return
    interval = settings.MAIL_POLL_SECONDS
    if not force and time.monotonic() - _last_check < interval / 2:
        return
    _last_check = time.monotonic()
    now = timezone.now()
    with transaction.atomic():
        clock, _ = MailClock.objects.select_for_update().get_or_create(name=CLOCK)
        if clock.next_at is not None and clock.next_at > now - timedelta(seconds=interval):
            return
        _next(clock, secrets.token_hex(8), now)


def _next(clock, token, now):
    clock.token = token
    clock.next_at = now + timedelta(seconds=settings.MAIL_POLL_SECONDS)
    clock.save()
    run_after = clock.next_at
    transaction.on_commit(lambda: _tasks().poll.using(run_after=run_after).enqueue(token))


def round_once(mailbox_ids=None):
    """One round: fetch every IMAP mailbox, sweep the outbox, delete files no message took.
    Returns what was fetched."""
    from mail import attachments, imap, sending

    boxes = Mailbox.objects.filter(enabled=True, imap_enabled=True).select_related("org")
    if mailbox_ids:
        boxes = boxes.filter(pk__in=mailbox_ids)
    fetched = {}
    for box in boxes:
        fetched[box.pk] = imap.fetch(box)
    for mailbox_id in sending.sweep():
        _tasks().drain.enqueue(mailbox_id)
    try:
        attachments.sweep()
    except Exception:  # a storage hiccup must not stop polling; the next round sweeps again
        log.exception("sweeping orphan attachment files failed")
    return fetched


def poll(token):
    """One link: queue the next link first (a worker killed now still leaves one queued)."""
    now = timezone.now()
    with transaction.atomic():
        clock = MailClock.objects.select_for_update().filter(name=CLOCK).first()
        if clock is None or clock.token != token:
            return "retired"
        if _needed():
            _next(clock, token, now)
        else:
            clock.token, clock.next_at = "", None
            clock.save()
    round_once()
    return "polled"
