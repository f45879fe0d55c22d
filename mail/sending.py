"""Sending queued emails (the worker's side): claim, build with proper headers, send through the
mailbox's SMTP server (or the server's email backend), record. Never twice: a row is claimed by
one worker before its send, and a send a worker abandoned midway is reported, not repeated.
Transient failures (4xx, connection trouble) are retried on MAIL_RETRY_SCHEDULE."""

import html
import logging
import secrets
import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.smtp import EmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.html import linebreaks

from conversations import services as conversations
from kdesk.errors import NotFound
from mail import crypto, netguard, tokens
from mail.models import Attachment, Mailbox, MailMessage

log = logging.getLogger(__name__)

BATCH = 20
LEASE = timedelta(minutes=5)


class GuardedSMTPBackend(EmailBackend):
    """Django's SMTP backend, connecting through the address check of mail/netguard.py."""

    def __init__(self, *, mailbox, **kwargs):
        self.mailbox = mailbox
        super().__init__(
            host=mailbox.smtp_host,
            port=mailbox.smtp_port,
            username=mailbox.smtp_user,
            password=crypto.decrypt(mailbox.smtp_password),
            use_tls=mailbox.smtp_security == Mailbox.Security.STARTTLS,
            use_ssl=mailbox.smtp_security == Mailbox.Security.SSL,
            timeout=settings.MAIL_TIMEOUT_SECONDS,
            fail_silently=False,
            **kwargs,
        )

    def open(self):
        if self.connection:
            return False
        self.connection = netguard.smtp_connect(
            host=self.host,
            port=self.port,
            security=self.mailbox.smtp_security,
            timeout=self.timeout,
        )
        if self.username and self.password:
            self.connection.login(self.username, self.password)
        return True


def connection_for(mailbox):
    if mailbox.sending == Mailbox.Sending.DJANGO:
        return get_connection(fail_silently=False)
    return GuardedSMTPBackend(mailbox=mailbox)


def build(mail, message, files, connection):
    mailbox = mail.mailbox
    sender = (
        f"{mailbox.display_name} <{mailbox.address}>".replace("\n", " ")
        if mailbox.display_name
        else mailbox.address
    )
    headers = {"Message-ID": f"<{mail.message_id}>"}
    if mail.in_reply_to:
        headers["In-Reply-To"] = f"<{mail.in_reply_to}>"
    if mail.references:
        headers["References"] = " ".join(f"<{m}>" for m in mail.references.split())
    email = EmailMultiAlternatives(
        subject=mail.subject.replace("\n", " "),
        body=message.body,
        from_email=sender,
        to=[r["email"] for r in mail.to],
        cc=[r["email"] for r in mail.cc],
        reply_to=[tokens.reply_address(mailbox.address, mail.org_id, mail.conversation_id)],
        headers=headers,
        connection=connection,
    )
    email.attach_alternative(
        message.body_html or linebreaks(html.escape(message.body)), "text/html"
    )
    for row in files:
        with row.file.open("rb") as handle:
            email.attach(row.filename, handle.read(), row.content_type)
    return email


def _claim(mailbox_id):
    now = timezone.now()
    due = MailMessage.objects.filter(
        status=MailMessage.Status.QUEUED, next_attempt_at__lte=now, mailbox_id=mailbox_id
    )
    ids = list(due.order_by("id").values_list("pk", flat=True)[:BATCH])
    if not ids:
        return []
    token = secrets.token_hex(8)
    MailMessage.objects.filter(pk__in=ids, status=MailMessage.Status.QUEUED).update(
        status=MailMessage.Status.SENDING,
        claim=token,
        lease_until=now + LEASE,
        attempts=F("attempts") + 1,
    )
    return list(
        MailMessage.objects.filter(claim=token, status=MailMessage.Status.SENDING)
        .select_related("mailbox", "desk_message", "org")
        .order_by("id")
    )


def _transient(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in exc.recipients.values()]
        return all(400 <= c < 500 for c in codes)
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    if isinstance(exc, (netguard.Refused, crypto.Unreadable)):
        return False
    return isinstance(exc, (smtplib.SMTPException, OSError))


def _describe(exc):
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{rcpt}: {code} {text.decode('utf-8', 'replace') if isinstance(text, bytes) else text}"
            for rcpt, (code, text) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        text = exc.smtp_error
        text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
        return f"{exc.smtp_code} {text}"
    return str(exc) or exc.__class__.__name__


def _record(mail, *, status, detail, retry_at=None):
    with transaction.atomic():
        fields = {"status": status, "error": detail[:500], "claim": "", "lease_until": None}
        if status == MailMessage.Status.SENT:
            fields["sent_at"] = timezone.now()
        if retry_at is not None:
            fields["next_attempt_at"] = retry_at
        MailMessage.objects.filter(pk=mail.pk).update(**fields)
        try:
            # by id: the update locks and reads the message itself
            conversations.message_update_within(
                org=mail.org,
                actor=None,
                message=mail.desk_message_id,
                data={
                    "status": "queued" if status == MailMessage.Status.QUEUED else status,
                    "statusDetail": detail[:500],
                },
            )
        except NotFound:  # deleted from the desk meanwhile: the email's own row says it all
            pass


def _after_failure(mail, exc):
    detail = _describe(exc)
    schedule = settings.MAIL_RETRY_SCHEDULE
    if _transient(exc) and mail.attempts <= len(schedule):
        retry_at = timezone.now() + timedelta(seconds=schedule[mail.attempts - 1])
        note = (
            f"Retrying at {retry_at:%H:%M} UTC (attempt {mail.attempts} of "
            f"{len(schedule) + 1} failed: {detail})"
        )
        _record(mail, status=MailMessage.Status.QUEUED, detail=note, retry_at=retry_at)
        from mail import tasks

        backend = tasks.drain.get_backend()
        if getattr(backend, "supports_defer", False):
            tasks.drain.using(run_after=retry_at).enqueue(mail.mailbox_id)
        return
    _record(mail, status=MailMessage.Status.FAILED, detail=detail)


def drain(mailbox_id):
    """Send what is due from one mailbox, a batch at a time, over one connection."""
    sent = 0
    while True:
        batch = _claim(mailbox_id)
        if not batch:
            return sent
        files = {}
        for row in Attachment.objects.filter(message_id__in=[m.desk_message_id for m in batch]):
            files.setdefault(row.message_id, []).append(row)
        mailbox = batch[0].mailbox
        connection = None
        try:
            for mail in batch:
                try:
                    if connection is None:
                        connection = connection_for(mailbox)
                        connection.open()
                    email = build(
                        mail, mail.desk_message, files.get(mail.desk_message_id, []), connection
                    )
                    email.send()
                except Exception as exc:  # every failure is recorded on the message
                    if not isinstance(exc, (smtplib.SMTPException, OSError)):
                        log.warning("mail %s: %s", mail.pk, exc)
                    _after_failure(mail, exc)
                    if connection is not None:
                        try:
                            connection.close()
                        except Exception:  # a broken connection may fail to close too
                            pass
                    connection = None
                    continue
                _record(mail, status=MailMessage.Status.SENT, detail="")
                sent += 1
        finally:
            if connection is not None:
                try:
                    connection.close()
                except Exception:
                    pass


def sweep():
    """Queue drains for retries that are due; report sends a worker abandoned (never resent:
    the email may have left before the worker stopped)."""
    now = timezone.now()
    for mail in MailMessage.objects.filter(
        status=MailMessage.Status.SENDING, lease_until__lt=now
    ).select_related("org")[:200]:
        _record(
            mail,
            status=MailMessage.Status.FAILED,
            detail="The worker stopped while sending: the email may or may not have left. "
            "Send it again if the customer did not get it.",
        )
    due = (
        MailMessage.objects.filter(status=MailMessage.Status.QUEUED, next_attempt_at__lte=now)
        .values_list("mailbox_id", flat=True)
        .distinct()
    )
    return [box for box in due if box is not None]
