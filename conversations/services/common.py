"""Helpers the conversations services share: datetimes, error reports, custom attributes, user and
team references, HTML to text, and locking a message or note for an edit."""

import datetime as dt
import html

import nh3
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from kdesk.errors import FieldError, NotFound, ValidationFailed
from kdesk.models import Team, User
from kdesk.references import held
from kdesk.updates import lock_for_write
from klasses import attributes

PREVIEW_LENGTH = 200


def _now():
    return timezone.now()


def _display(user):
    if user is None:
        return None
    return user.display_name or user.username or user.email


def _datetime(p, key):
    """An ISO-8601 datetime (naive means UTC) or None; errors go to the payload."""
    if key not in p.data or p.data[key] in (None, ""):
        return None
    raw = p.data[key]
    try:
        value = parse_datetime(raw) if isinstance(raw, str) else None
    except ValueError:  # well-formed but impossible: day 30 of February, offset +25:00
        value = None
    if value is None:
        p.error(key, "invalid", f"{key} must be an ISO-8601 datetime.")
        return None
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    try:
        # Stored in UTC: an offset can push the edge of the calendar past year 1 or 9999.
        return value.astimezone(dt.UTC)
    except OverflowError:
        p.error(key, "range", f"{key} is outside the years 1 to 9999 once converted to UTC.")
        return None


def _raise(errors):
    """One error report: 404 when every problem is a reference to something not found (another
    org's id), 400 otherwise, every problem listed either way."""
    if not errors:
        return
    if all(e.code == "not_found" for e in errors):
        raise NotFound(errors[0].detail, errors=errors)
    raise ValidationFailed(errors)


def _custom(errors, *, org, resource, values, creating, partial=True):
    try:
        return attributes.clean_custom(
            org=org,
            resource=resource,
            values=values,
            pointer="/custom",
            creating=creating,
            partial=partial,
        )
    except ValidationFailed as exc:
        errors.extend(exc.errors)
        return values


# A person or team a write is about to point at is held until it commits (kdesk.references: a
# delete meanwhile would otherwise fail the commit on the foreign key), unless the row being
# written points at them already (`current`): that row is locked by the write, and a delete
# setting it to null waits for it, so holding the person too would make the two wait in a circle.


def _user_ref(p, key, org, *, pointer=None, current=None):
    pk = p.reference(key)
    if pk is None:
        return None
    users = User.objects.filter(org=org, pk=pk, is_active=True)
    user = users.first() if pk == current else held(users)
    if user is None:
        p.errors.append(FieldError(pointer or f"/{key}", "not_found", f"No user with id {pk}."))
    return user


def _team_ref(p, key, org, *, current=None):
    pk = p.reference(key)
    if pk is None:
        return None
    teams = Team.objects.filter(org=org, pk=pk)
    team = teams.first() if pk == current else held(teams)
    if team is None:
        p.errors.append(FieldError(f"/{key}", "not_found", f"No team with id {pk}."))
    return team


def html_to_text(value):
    text = nh3.clean(value, tags=set())
    return html.unescape(text)


def make_preview(text):
    return " ".join((text or "").split())[:PREVIEW_LENGTH]


def sanitize_html(value):
    return nh3.clean(value)


# Attributes a client reads back and may send again unchanged; a different value is a 400.


def _read_only(p, current, names):
    for name in names:
        if p.has(name) and p.data[name] != current.get(name):
            p.error(name, "read_only", f"{name} cannot be changed.")


def _rev_in(data, rev=None):
    """The revision the caller read: the argument, else the body's `rev`."""
    if rev is None and isinstance(data, dict):
        rev = data.get("rev")
    return rev


def _locked_entry(model, org, entry, conversation_id, *, rev=None, resource):
    """A message or note of the org (in that conversation when one is named), locked, with
    the conversation, customer and author its snapshot reads, after checking `rev`."""
    qs = model.objects.select_for_update(of=("self",)).select_related(
        "conversation", "conversation__customer", "author"
    )
    if conversation_id is not None:
        qs = qs.filter(conversation_id=conversation_id)
    return lock_for_write(qs, org=org, pk=getattr(entry, "pk", entry), rev=rev, resource=resource)
