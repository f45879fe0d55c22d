"""Writes for mailboxes: `mailbox_<verb>(*, org, actor, ...)`, atomic, one event each.
Passwords are encrypted before they are stored and never appear in an event."""

import re

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from kdesk.config_cache import lock_config
from kdesk.errors import Conflict, FieldError
from kdesk.payload import Payload
from kdesk.updates import delete_with_event, emit_for, lock_for_write, model_update
from mail import crypto
from mail.models import Mailbox

# API name -> (model field, kind)
FIELDS = {
    "address": "address",
    "displayName": "display_name",
    "enabled": "enabled",
    "sending": "sending",
    "smtpHost": "smtp_host",
    "smtpPort": "smtp_port",
    "smtpSecurity": "smtp_security",
    "smtpUser": "smtp_user",
    "smtpPassword": "smtp_password",
    "imapEnabled": "imap_enabled",
    "imapHost": "imap_host",
    "imapPort": "imap_port",
    "imapSecurity": "imap_security",
    "imapUser": "imap_user",
    "imapPassword": "imap_password",
    "imapFolder": "imap_folder",
}
SECRETS = {"smtp_password", "imap_password"}
_HOST = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})?$|^\[[0-9A-Fa-f:.]+\]$|^[0-9.]+$")


def snapshot(mailbox):
    """What events carry: never the passwords."""
    return {
        "address": mailbox.address,
        "displayName": mailbox.display_name,
        "enabled": mailbox.enabled,
        "sending": mailbox.sending,
        "smtpHost": mailbox.smtp_host,
        "imapEnabled": mailbox.imap_enabled,
        "imapHost": mailbox.imap_host,
    }


def _host(p, key):
    value = p.string(key, max_length=255)
    if value and not _HOST.match(value):
        p.error(key, "invalid", "Give a host name such as smtp.example.com, without a scheme.")
    return value


def _clean(p, *, current):
    out = {}
    address = p.string("address", max_length=254, required=current is None, blank=False)
    if address:
        try:
            validate_email(address)
        except DjangoValidationError:
            p.error("address", "invalid", f"{address!r} is not an email address.")
        else:
            out["address"] = address.lower()
    elif current is not None and p.has("address") and p.data["address"] is None:
        # null clears an attribute (API.md), and the address is what the mailbox is
        p.error(
            "address", "required", "address is required: a mailbox's address cannot be cleared."
        )
    if p.has("displayName"):
        out["display_name"] = (p.string("displayName", max_length=100) or "").replace("\n", " ")
    for key in ("enabled", "imapEnabled"):
        value = p.boolean(key)
        if value is not None:
            out[FIELDS[key]] = value
    if p.has("sending"):
        out["sending"] = p.choice("sending", Mailbox.Sending.values, default="smtp")
    for key in ("smtpSecurity", "imapSecurity"):
        if p.has(key):
            out[FIELDS[key]] = p.choice(key, Mailbox.Security.values, default="ssl")
    for key in ("smtpHost", "imapHost"):
        if p.has(key):
            out[FIELDS[key]] = _host(p, key) or ""
    for key in ("smtpPort", "imapPort"):
        if p.has(key):
            out[FIELDS[key]] = p.integer(key, minimum=1, maximum=65535)
    for key in ("smtpUser", "imapUser"):
        if p.has(key):
            out[FIELDS[key]] = p.string(key, max_length=255) or ""
    if p.has("imapFolder"):
        out["imap_folder"] = p.string("imapFolder", max_length=255, blank=False) or "INBOX"
    for key in ("smtpPassword", "imapPassword"):
        if p.has(key):
            out[FIELDS[key]] = p.string(key, max_length=1000) or ""
    return out


def _complete(p, merged):
    """What a mailbox needs once the fields are merged: a server to send through, and all of
    the IMAP connection when polling is on."""
    if merged["sending"] == Mailbox.Sending.SMTP and not merged["smtp_host"]:
        p.error("smtpHost", "required", "An SMTP server is needed to send from this mailbox.")
    if merged["imap_enabled"]:
        for key in ("imapHost", "imapUser", "imapPassword"):
            if not merged[FIELDS[key]]:
                p.error(key, "required", f"{key} is needed to fetch mail over IMAP.")


def _taken(org, address, pk=None):
    qs = Mailbox.objects.filter(org=org, address__iexact=address)
    if pk is not None:
        qs = qs.exclude(pk=pk)
    return qs.exists()


def _refuse_taken(org, address, pk=None):
    if address and _taken(org, address, pk):
        raise Conflict(
            f"A mailbox for {address} exists already.",
            errors=[FieldError("/address", "taken", f"A mailbox for {address} exists already.")],
        )


def _diff(mailbox, fields):
    """What to store and what events record: passwords are compared decrypted, stored
    encrypted, and shown to nobody."""
    values, changes = {}, {}
    for name, value in fields.items():
        current = getattr(mailbox, name)
        if name in SECRETS:
            if (value or current) and (not value or value != crypto.decrypt_quiet(current)):
                values[name] = crypto.encrypt(value) if value else value
                changes[name] = {"before": "(hidden)", "after": "(changed)"}
        elif current != value:
            values[name] = value
            changes[name] = {"before": current, "after": value}
    return values, changes


def _event(org, actor, mailbox, type, changes=None):
    emit_for(
        mailbox,
        type,
        org=org,
        actor=actor,
        resource="mailbox",
        data=snapshot(mailbox),
        changes=changes,
    )


@transaction.atomic
def mailbox_create(*, org, actor, data):
    p = Payload(data, allowed=set(FIELDS))
    fields = _clean(p, current=None)
    defaults = {f.name: f.get_default() for f in Mailbox._meta.concrete_fields}
    _complete(p, {**defaults, **{k: v for k, v in fields.items() if v is not None}})
    p.raise_if_errors()
    lock_config(org)
    _refuse_taken(org, fields.get("address"))
    now = timezone.now()
    mailbox = Mailbox(org=org, created_at=now, updated_at=now)
    values, _ = _diff(mailbox, {k: v for k, v in fields.items() if v is not None})
    for name, value in values.items():
        setattr(mailbox, name, value)
    mailbox.save()
    _event(org, actor, mailbox, "mailbox.create")
    _poll_on_commit(mailbox)
    return mailbox


def _locked(org, mailbox, rev=None):
    return lock_for_write(
        Mailbox,
        org=org,
        pk=mailbox.pk,
        rev=rev,
        resource="mailbox",
        missing="This mailbox was deleted meanwhile.",
    )


@transaction.atomic
def mailbox_update(*, org, actor, mailbox, data):
    p = Payload(data, allowed={*FIELDS, "rev"})
    fields = {k: v for k, v in _clean(p, current=mailbox).items() if v is not None}
    lock_config(org)
    mailbox = _locked(org, mailbox, data.get("rev") if isinstance(data, dict) else None)
    merged = {f.name: getattr(mailbox, f.name) for f in Mailbox._meta.concrete_fields}
    _complete(p, {**merged, **fields})
    p.raise_if_errors()
    _refuse_taken(org, fields.get("address"), mailbox.pk)
    # Only what the request carries is compared: a field left out is not a change of folder.
    moved = any(
        name in fields and fields[name] != getattr(mailbox, name)
        for name in ("imap_host", "imap_folder", "imap_user")
    )
    reset = ["imap_uidvalidity", "imap_last_uid"] if moved else []
    values, changes = _diff(mailbox, fields)
    if values:
        if reset:
            # Another folder: its UIDs mean nothing here (Message-IDs still skip duplicates).
            mailbox.imap_uidvalidity, mailbox.imap_last_uid = None, 0
        model_update(mailbox, values, extra=reset)
        _event(org, actor, mailbox, "mailbox.update", changes)
        _poll_on_commit(mailbox)
    return mailbox


@transaction.atomic
def mailbox_delete(*, org, actor, mailbox):
    lock_config(org)
    mailbox = _locked(org, mailbox)
    delete_with_event(
        mailbox, "mailbox.delete", org=org, actor=actor, resource="mailbox", data=snapshot(mailbox)
    )


def _poll_on_commit(mailbox):
    if mailbox.imap_enabled and mailbox.enabled:
        from mail import schedule

        transaction.on_commit(lambda: schedule.ensure_running(force=True))
