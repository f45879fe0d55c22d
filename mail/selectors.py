"""Reads for the email channel. The two every inbound mail makes (the org's mailboxes, the
sender's customer) are compiled once per connection (kdesk.prepared): their ORM compile cost
more than the indexed lookups themselves."""

from django.db.models import OuterRef, Subquery

from conversations.models import Conversation
from customers.models import Customer, Identity
from kdesk import config_cache
from kdesk.prepared import PreparedValues
from mail.models import Attachment, Mailbox, MailMessage, Received

_MAILBOX_COLUMNS = [f.attname for f in Mailbox._meta.concrete_fields]
_CUSTOMER_COLUMNS = [f.attname for f in Customer._meta.concrete_fields]

_ORG_MAILBOXES = PreparedValues(
    lambda org: Mailbox.objects.filter(org_id=org).order_by("id").values(*_MAILBOX_COLUMNS),
    ints=("org",),
)
# the shape of customers.selectors' identity lookup: the identity by its (org, kind, value)
# index, the customer by primary key, the org checked again on the row
_BY_EMAIL = PreparedValues(
    lambda org, email: Customer.objects.filter(
        pk=Subquery(
            Identity.objects.filter(org_id=org, kind=Identity.Kind.EMAIL, value=email).values(
                "customer_id"
            )[:1]
        )
    ).values(*_CUSTOMER_COLUMNS)[:1],
    ints=("org",),
    strings=("email",),
)


def _by_message_ids_query(org, *message_ids):
    customer_of = Conversation.objects.filter(org_id=org, pk=OuterRef("conversation_id")).values(
        "customer_id"
    )[:1]
    return (
        MailMessage.objects.filter(org_id=org, message_id__in=message_ids)
        .annotate(customer_id=Subquery(customer_of))
        .order_by("-id")
        .values("message_id", "direction", "conversation_id", "customer_id")[:200]
    )


# A mail names itself and the few it answers: one compiled query per count of Message-IDs.
_PREPARED_IDS = 8
_BY_MESSAGE_IDS = {
    n: PreparedValues(
        lambda org, n=n, **ids: _by_message_ids_query(org, *(ids[f"id{i}"] for i in range(n))),
        ints=("org",),
        strings=tuple(f"id{i}" for i in range(n)),
    )
    for n in range(1, _PREPARED_IDS + 1)
}


def mail_by_message_ids(*, org, message_ids):
    """[{message_id, direction, conversation_id, customer_id (None when the conversation is
    gone)}] of the org's emails with these Message-IDs, newest first (at most 200)."""
    prepared = _BY_MESSAGE_IDS.get(len(message_ids))
    if prepared is None:
        return list(_by_message_ids_query(org.pk, *message_ids))
    return prepared.rows(org=org.pk, **{f"id{i}": m for i, m in enumerate(message_ids)})


# kept in process at the org's configuration version where a request declared it (the email
# hook): kdesk.config_cache. The IMAP columns the fetch rewrites are not configuration (they
# bump no version): a cached row's are as of its read, and nothing reading it here uses them.
_ORG_MAILBOX_ROWS = config_cache.Cached(
    lambda org_id: tuple(
        tuple(row[n] for n in _MAILBOX_COLUMNS) for row in _ORG_MAILBOXES.rows(org=org_id)
    )
)


def org_mailboxes(*, org):
    """The org's mailboxes in id order, as instances (fresh ones: a caller may change them)."""
    return [
        Mailbox.from_db("default", _MAILBOX_COLUMNS, list(values))
        for values in _ORG_MAILBOX_ROWS.get(org.pk)
    ]


def customer_by_email(*, org, email):
    """The org's customer with this (lower-case) email identity, as an instance, or None."""
    rows = _BY_EMAIL.rows(org=org.pk, email=email)
    if not rows or rows[0]["org_id"] != org.pk:
        return None
    return Customer.from_db("default", _CUSTOMER_COLUMNS, [rows[0][n] for n in _CUSTOMER_COLUMNS])


def mailboxes(*, org):
    return Mailbox.objects.filter(org=org).order_by("address", "id")


def mailbox(*, org, pk):
    return Mailbox.objects.filter(org=org, pk=pk).first()


def recent_mail(*, org, mailbox, limit=20):
    return list(Received.objects.filter(org=org, mailbox=mailbox).order_by("-id")[:limit])


def attachment(*, org, pk):
    return Attachment.objects.filter(org=org, pk=pk).first()


def message_attachments(*, org, message_ids):
    """{message id: [attachment, ...]} in one query."""
    out = {}
    for row in Attachment.objects.filter(org=org, message_id__in=list(message_ids)).order_by("id"):
        out.setdefault(row.message_id, []).append(row)
    return out


def message_mail(*, org, message_id):
    return (
        MailMessage.objects.filter(org=org, desk_message_id=message_id)
        .select_related("mailbox")
        .order_by("-id")
        .first()
    )
