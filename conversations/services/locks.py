"""The row locks a message's write takes: the customer first, then the conversation (as
customer_delete and customer_merge do), so writers never wait on each other in a circle."""

from django.db import connection
from django.db.models import Exists, OuterRef

from conversations.models import Conversation
from customers.models import Customer, Identity
from kdesk.errors import NotFound
from kdesk.models import Organization
from kdesk.prepared import PreparedValues


def _row_locks():
    """Whether the database locks rows; SQLite runs write transactions one at a time instead
    (`transaction_mode` IMMEDIATE), so there is nothing to lock and no query to spend."""
    return connection.features.has_select_for_update


# Every message written takes both locks: compiled once per connection (kdesk.prepared), as
# their ORM compile cost more than the primary-key reads. NO KEY: rows that merely reference
# the locked one (their foreign-key checks take KEY SHARE) are not held up.
_CUSTOMER_COLUMNS = [f.attname for f in Customer._meta.concrete_fields]
_CONVERSATION_COLUMNS = [f.attname for f in Conversation._meta.concrete_fields]
_LOCKED_CUSTOMER = PreparedValues(
    lambda org, pk: (
        Customer.objects.select_for_update(no_key=True)
        .filter(org_id=org, pk=pk)
        .values(*_CUSTOMER_COLUMNS)[:1]
    ),
    ints=("org", "pk"),
)
_LOCKED_CONVERSATION = PreparedValues(
    lambda org, pk: (
        Conversation.objects.select_for_update(no_key=True)
        .filter(org_id=org, pk=pk)
        .values(*_CONVERSATION_COLUMNS)[:1]
    ),
    ints=("org", "pk"),
)

# An email answering a conversation is usually from the conversation's customer: their row is
# locked with the answer to "is this email theirs?" in the one read, not read by the email
# first and locked again.
_LOCKED_CUSTOMER_WITH_EMAIL = PreparedValues(
    lambda org, pk, email: (
        Customer.objects.select_for_update(no_key=True)
        .filter(org_id=org, pk=pk)
        .annotate(
            has_email=Exists(
                Identity.objects.filter(
                    org_id=org, kind=Identity.Kind.EMAIL, value=email, customer_id=OuterRef("pk")
                )
            )
        )
        .values(*_CUSTOMER_COLUMNS, "has_email")[:1]
    ),
    ints=("org", "pk"),
    strings=("email",),
)


def _locked_row(prepared, model, columns, org, pk):
    rows = prepared.rows(org=getattr(org, "pk", org), pk=pk)
    if not rows:
        return None
    found = model.from_db("default", columns, [rows[0][n] for n in columns])
    if isinstance(org, Organization):
        model.org.field.set_cached_value(found, org)
    return found


def customer_or_none(org, pk):
    """The customer `pk` of `org` (None when there is none), locked as _lock_customer locks
    it, for a write about to point a new row at them: a merge or delete of the customer waits
    for it rather than failing its commit on the foreign key. SQLite: read (writes are serial
    there)."""
    if not _row_locks():
        return Customer.objects.filter(org=org, pk=pk).first()
    return _locked_row(_LOCKED_CUSTOMER, Customer, _CUSTOMER_COLUMNS, org, pk)


def _lock_customer(org, customer):
    """The customer row, locked until the transaction ends. Locks are always taken customer
    first, then conversation (as customer_delete and customer_merge do), so writers never wait
    on each other in a circle. On SQLite, read again: `customer` was read before this
    transaction began, and a merge or delete may have removed them since (a message then
    opened a conversation for a customer who is gone, and its commit failed on the foreign
    key)."""
    if not _row_locks():
        found = Customer.objects.filter(org=org, pk=customer.pk).first()
        if found is None:
            raise NotFound("No customer with this id.")
        return found
    locked = _locked_row(_LOCKED_CUSTOMER, Customer, _CUSTOMER_COLUMNS, org, customer.pk)
    if locked is None:
        raise NotFound("No customer with this id.")
    return locked


def lock_customer_with_email(org, pk, email):
    """(the customer `pk` locked as _lock_customer locks it, whether the lower-case `email` is
    one of their email identities); (None, False) when the customer is gone or the database
    does not lock rows (nothing read then)."""
    if not _row_locks():
        return None, False
    rows = _LOCKED_CUSTOMER_WITH_EMAIL.rows(org=org.pk, pk=pk, email=email)
    if not rows:
        return None, False
    found = Customer.from_db("default", _CUSTOMER_COLUMNS, [rows[0][n] for n in _CUSTOMER_COLUMNS])
    Customer.org.field.set_cached_value(found, org)
    return found, rows[0]["has_email"]


def _lock_conversation(org, conversation, locked_customer=None):
    """The conversation with its customer, both locked (customer first). `locked_customer`:
    the customer the caller already locked in this transaction (lock_customer_with_email), not
    locked and read again when the conversation is still theirs."""
    if not _row_locks():
        found = (
            Conversation.objects.filter(org=org, pk=conversation.pk)
            .select_related("customer")
            .first()
        )
        if found is None:
            raise NotFound("No conversation with this id.")
        return found
    customer_id = conversation.customer_id
    for _ in range(3):
        if locked_customer is not None and locked_customer.pk == customer_id:
            customer = locked_customer
        else:
            customer = _locked_row(_LOCKED_CUSTOMER, Customer, _CUSTOMER_COLUMNS, org, customer_id)
        if customer is None:
            # Merged into another customer since the conversation was read (the merge moved
            # it to them), or deleted with their conversations: where it is now, if anywhere.
            moved = (
                Conversation.objects.filter(org=org, pk=conversation.pk)
                .values_list("customer_id", flat=True)
                .first()
            )
            if moved is None or moved == customer_id:
                break
            customer_id = moved
            continue
        found = _locked_row(
            _LOCKED_CONVERSATION, Conversation, _CONVERSATION_COLUMNS, org, conversation.pk
        )
        if found is None:
            break
        if found.customer_id == customer.pk:
            found.customer = customer
            return found
        customer_id = found.customer_id  # merged into another customer meanwhile: lock that one
    raise NotFound("No conversation with this id.")
