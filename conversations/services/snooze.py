"""A snoozed conversation wakes: the customer wrote to it (in the same UPDATE as the message's
totals, conversations.services.messages) or its snooze time came (the scheduler)."""

from django.db import transaction

from conversations.models import Conversation, Notification
from conversations.representations import conversation_flat
from kdesk.events import diff
from kdesk.prepared import update_row

from .common import _now
from .conversations import _emit

# What waking a snoozed conversation sets (`rev` goes up by one in the same statement).
WOKEN = {"status": Conversation.Status.OPEN, "snooze_until": None}


def _woken(*, org, actor, conversation, before, reason="inboundMessage", notify=False):
    """The rest of a wake once the row holds WOKEN: the assignee's reminder and the event.
    `before`: the conversation as it was (conversation_flat)."""
    conversation.refresh_from_db()
    after = conversation_flat(conversation)
    notified = None
    user = conversation.assigned_user
    if notify and user is not None and not user.is_machine:
        Notification.objects.create(
            org=org,
            user=user,
            kind=Notification.Kind.SNOOZE,
            conversation=conversation,
            customer_id=conversation.customer_id,
            text=f"Snooze ended: “{conversation.name or 'a conversation'}” "
            f"({conversation.customer.name}) is open again"[:500],
        )
        notified = user.pk
    _emit(
        org,
        actor,
        conversation,
        "conversation.update",
        customer_name=conversation.customer.name,
        notified=notified,
        meta={"reason": reason},
        changes=diff(before, after, ["status", "snoozeUntil"]),
    )


@transaction.atomic
def conversation_snooze_end(*, org, conversation_id, now=None):
    """Wake a snoozed conversation whose snooze time has come (the scheduler's job): open
    again, with its event and the assignee notified. Returns whether it woke (another worker,
    an agent or a customer message may have reopened it first)."""
    conversation = (
        Conversation.objects.select_for_update(of=("self",))
        .select_related("customer", "assigned_user", "assigned_team")
        .filter(org=org, pk=conversation_id)
        .first()
    )
    now = now or _now()
    if (
        conversation is None
        or conversation.status != Conversation.Status.SNOOZED
        or conversation.snooze_until is None
        or conversation.snooze_until > now
    ):
        return False
    # Its own `conversation.update` event, as if an agent had reopened it, and the assignee's
    # reminder (a snooze that ended is one they asked for).
    before = conversation_flat(conversation)
    update_row(Conversation, conversation.pk, {**WOKEN, "updated_at": _now()}, add={"rev": 1})
    _woken(
        org=org,
        actor=None,
        conversation=conversation,
        before=before,
        reason="snoozeEnded",
        notify=True,
    )
    return True
