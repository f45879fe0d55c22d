"""Polling an IMAP mailbox. UIDs are remembered: each message is taken in and the mailbox's
last UID advanced in one transaction, so a worker killed mid-batch leaves every message either
in the desk with its UID recorded, or not in the desk and fetched again next time; never twice,
never lost. A changed UIDVALIDITY starts over from the first UID, and Message-IDs already in the
desk are skipped (mail/inbound.py). One poller per mailbox at a time (a lease on its row)."""

import imaplib
import logging
import re
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kdesk import events
from mail import crypto, inbound, netguard
from mail.models import Mailbox

log = logging.getLogger(__name__)
_UIDVALIDITY = re.compile(rb"UIDVALIDITY (\d+)")


class FetchError(Exception):
    pass


def _ok(result, what):
    status, data = result
    if status != "OK":
        detail = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise FetchError(f"{what} failed: {detail or status}")
    return data


def _lease(mailbox):
    now = timezone.now()
    return bool(
        Mailbox.objects.filter(pk=mailbox.pk, imap_enabled=True, enabled=True)
        .exclude(imap_lease_until__gt=now)
        .update(imap_lease_until=now + timedelta(seconds=settings.MAIL_FETCH_LEASE_SECONDS))
    )


def _quote(folder):
    return '"' + folder.replace("\\", "\\\\").replace('"', '\\"') + '"'


def fetch(mailbox, *, limit=None):
    """Take in what arrived since the last UID; returns how many messages were handled, or
    None when another poller holds the mailbox."""
    if not _lease(mailbox):
        return None
    handled = 0
    error = ""
    client = None
    try:
        client = netguard.imap_connect(
            host=mailbox.imap_host,
            port=mailbox.imap_port,
            security=mailbox.imap_security,
            timeout=settings.MAIL_TIMEOUT_SECONDS,
        )
        _ok(client.login(mailbox.imap_user, crypto.decrypt(mailbox.imap_password)), "Sign-in")
        _ok(client.select(_quote(mailbox.imap_folder), readonly=True), "Opening the folder")
        handled = _take(client, mailbox, limit or settings.MAIL_FETCH_BATCH)
    except (OSError, imaplib.IMAP4.error, FetchError, netguard.Refused, crypto.Unreadable) as exc:
        error = str(exc) or exc.__class__.__name__
        log.warning("IMAP fetch of mailbox %s failed: %s", mailbox.pk, error)
    finally:
        if client is not None:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
        Mailbox.objects.filter(pk=mailbox.pk).update(
            imap_lease_until=None, imap_checked_at=timezone.now(), imap_error=error[:500]
        )
    return handled


def _uidvalidity(client):
    data = _ok(client.status(_quote_current(client), "(UIDVALIDITY)"), "Reading UIDVALIDITY")
    match = _UIDVALIDITY.search(b" ".join(d for d in data if isinstance(d, bytes)))
    return int(match.group(1)) if match else None


def _quote_current(client):
    return _quote(client._kdesk_folder)


def _take(client, mailbox, limit):
    client._kdesk_folder = mailbox.imap_folder
    validity = client.untagged_responses.get("UIDVALIDITY", [None])[0]
    validity = int(validity) if validity else _uidvalidity(client)
    last = mailbox.imap_last_uid
    if mailbox.imap_uidvalidity is not None and validity != mailbox.imap_uidvalidity:
        last = 0  # the server renumbered the folder: start over; Message-IDs skip duplicates
        log.warning("mailbox %s: UIDVALIDITY changed, reading the folder again", mailbox.pk)
    Mailbox.objects.filter(pk=mailbox.pk).update(imap_uidvalidity=validity, imap_last_uid=last)
    data = _ok(client.uid("SEARCH", None, f"UID {last + 1}:*"), "Listing new mail")
    uids = sorted(int(u) for u in b" ".join(d or b"" for d in data).split() if int(u) > last)
    handled = 0
    for uid in uids[:limit]:
        fetched = _ok(client.uid("FETCH", str(uid), "(BODY.PEEK[])"), f"Fetching UID {uid}")
        raw = next(
            (item[1] for item in fetched if isinstance(item, tuple) and len(item) == 2), None
        )
        # each message its own transaction, pushed live once when it commits
        with events.published_together(), transaction.atomic():
            if raw:
                inbound.accept(org=mailbox.org, raw=raw, source="imap", mailbox=mailbox)
            # The UID advances with the message it took in: both commit, or neither.
            Mailbox.objects.filter(pk=mailbox.pk, imap_last_uid__lt=uid).update(imap_last_uid=uid)
        handled += 1
    return handled
