"""What a message may carry beyond its text: the addresses it copies (`cc`) and the files sent
with it (`attachments`). The files are kept by another app (the email channel), which registers
itself as the provider from its AppConfig.ready(); conversations only references them by id."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email

from kdesk.payload import as_id

MAX_CC = 20

_provider = None


def provide_attachments(provider):
    """Register the keeper of files. It has `resolve(org, ids) -> (summaries, problems)`:
    summaries [{id, name, contentType, size}] of files uploaded and not yet sent, problems
    [(index, code, detail)] for the ids it cannot give; and `bind(org, message, ids)`, which
    ties them to the saved message inside the caller's transaction."""
    global _provider
    _provider = provider


def clean_cc(p):
    """The `cc` of a message body: email addresses (or {email}), each checked, at most
    MAX_CC, duplicates dropped; every bad one reported with its position."""
    if not p.has("cc"):
        return []
    value = p.data.get("cc")
    if value is None:
        return []
    if not isinstance(value, list):
        p.error("cc", "invalid", "cc is a list of email addresses.")
        return []
    if len(value) > MAX_CC:
        p.error("cc", "too_many", f"At most {MAX_CC} addresses may be copied.")
        return []
    out = []
    for i, item in enumerate(value):
        email = item.get("email") if isinstance(item, dict) else item
        email = email.strip() if isinstance(email, str) else None
        try:
            validate_email(email)
        except DjangoValidationError:
            shown = email if email else "(empty)"
            p.error(f"cc/{i}", "invalid", f"{shown} is not an email address.")
            continue
        if email.lower() not in {e.lower() for e in out}:
            out.append(email)
    return out


def _ids(p, value):
    """[(position, id)] of the well-formed references; each malformed one is reported."""
    out = []
    for i, item in enumerate(value):
        ref = item.get("_id", item.get("id")) if isinstance(item, dict) else item
        # as_id: ASCII digits only ("³" is a digit to str.isdigit, not to int) and within a key
        pk = as_id(ref.strip() if isinstance(ref, str) else ref)
        if pk is None:
            p.error(
                f"attachments/{i}",
                "invalid",
                "Give the id of an uploaded attachment (POST /v1/attachments).",
            )
            continue
        out.append((i, pk))
    return out


def clean_attachments(p, org):
    """(ids, summaries) of the `attachments` of a message body: ids of files uploaded through
    POST /v1/attachments (or [{_id}] / [{id}], Kustomer's shape), not yet sent with a message.
    Every reference that cannot be sent is reported, each at its position."""
    if not p.has("attachments") or p.data.get("attachments") in (None, []):
        return [], []
    value = p.data.get("attachments")
    if not isinstance(value, list):
        p.error("attachments", "invalid", "attachments is a list of attachment ids.")
        return [], []
    if _provider is None:
        p.error("attachments", "unavailable", "Attachments are not kept by this server.")
        return [], []
    refs = _ids(p, value)
    ids = [pk for _, pk in refs]
    if len(set(ids)) != len(ids):
        p.error("attachments", "duplicate", "An attachment is listed twice.")
        return [], []
    if not ids:
        return [], []
    summaries, problems = _provider.resolve(org, ids)
    for index, code, detail in problems:
        position = refs[index][0] if index < len(refs) else index
        p.error(f"attachments/{position}", code, detail)
    return ids, summaries


def bind_attachments(org, message, ids):
    if ids:
        _provider.bind(org, message, ids)
