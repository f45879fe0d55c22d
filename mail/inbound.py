"""Mail coming in (from an email hook or IMAP polling) becomes a message in the desk: the
customer found or created by the sender's address, threaded by In-Reply-To/References or the
reply token, else a new conversation named by the subject. Auto-replies and loops are logged
and dropped; a bounce marks the email it reports on as failed. Every outcome is recorded in
`Received`; nothing here raises for a bad message."""

import logging

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction

from conversations import services as conversations
from conversations.models import Conversation, Message
from conversations.services.locks import lock_customer_with_email
from conversations.services.message_extras import MAX_CC
from customers import services as customers
from kdesk import events
from kdesk.errors import ServiceError
from kdesk.prepared import PreparedInsert
from mail import attachments, selectors, tokens
from mail.models import MailMessage, Received
from mail.parse import NotAMessage, parse

log = logging.getLogger(__name__)

# Two rows per mail: their INSERTs built once per connection, not by the ORM each time.
_INSERT_MAIL = PreparedInsert(MailMessage)
_INSERT_RECEIVED = PreparedInsert(Received)


def route(parsed, boxes):
    """The mailbox of `boxes` (the org's, in id order) this mail was sent to, by recipient
    address (To, Cc, Delivered-To, X-Original-To; plus parts ignored), or None: an email hook
    may carry other mail too (order notifications for a workflow, say), which must not become
    conversations."""
    wanted = {tokens.base_address(a["email"]) for a in parsed.to + parsed.cc + parsed.delivered_to}
    # addresses are stored in lower case (mail/services.py)
    return next((box for box in boxes if box.enabled and box.address in wanted), None)


def _boxes(org):
    """The org's mailboxes, read once per mail: routing and loop detection both need them."""
    return selectors.org_mailboxes(org=org)


def _log(org, mailbox, source, parsed, outcome, detail="", conversation_id=None):
    return _INSERT_RECEIVED.save(
        Received(
            org=org,
            mailbox=mailbox,
            source=source,
            message_id=(parsed.message_id if parsed else "")[:255],
            sender=(parsed.sender_email if parsed else "")[:254],
            subject=(parsed.subject if parsed else "")[:255],
            outcome=outcome,
            detail=detail[:500],
            conversation_id=conversation_id,
        )
    )


def accept(*, org, raw=None, parsed=None, source, mailbox=None):
    """Take one email in; returns its `Received` row, or None when no mailbox of the org is
    addressed (the mail is not for the email channel)."""
    if parsed is None:
        try:
            parsed = parse(raw)
        except NotAMessage as exc:
            return _log(org, mailbox, source, None, Received.Outcome.FAILED, str(exc))
    boxes = _boxes(org)
    if mailbox is None:
        mailbox = route(parsed, boxes)
        if mailbox is None:
            return None
    return _take(org, mailbox, source, parsed, boxes)[1]


def accept_along(*, org, parsed, source, along):
    """accept() for a caller with a write of its own to commit with the mail (the hook's record
    of the call): `along()` is made first, in the mail's transaction. Returns (what `along`
    returned, the `Received` row or None). The caller opens no transaction: when taking the
    mail in fails, everything is rolled back and `along()` made again beside the failure, so
    the mail needs no savepoint inside the caller's (two round trips per mail)."""
    boxes = _boxes(org)
    mailbox = route(parsed, boxes)
    if mailbox is None:
        with transaction.atomic():
            return along(), None
    return _take(org, mailbox, source, parsed, boxes, along)


def _take(org, mailbox, source, parsed, boxes, along=None):
    own = {box.address.lower() for box in boxes}
    saved = []
    try:
        # one live push for the mail's customer, conversation and message (and the caller's
        # own event), and their webhook deliveries and workflow runs decided together
        with events.published_together(), transaction.atomic(), events.recorded_together():
            first = along() if along is not None else None
            return first, _accept(org, mailbox, source, parsed, saved, own)
    except ServiceError as exc:  # a validation rule refused the message, say
        log.warning("mail %s not taken in: %s", parsed.message_id, exc)
        problem = str(exc.detail)
    except Exception:
        log.exception("mail %s could not be taken in", parsed.message_id)
        problem = "Internal error (logged)."
    attachments.discard(saved)
    with events.published_together(), transaction.atomic():
        first = along() if along is not None else None
        return first, _log(org, mailbox, source, parsed, Received.Outcome.FAILED, problem)


def _known(org, parsed):
    """(directions of this Message-ID already in the desk, the conversation of the latest
    email this one answers, or None): one query for the duplicate check and the threading.
    The conversation comes with only its id and its customer's (read in the same query): the
    message's write locks and reads it whole anyway."""
    thread_ids = [*reversed(parsed.in_reply_to), *reversed(parsed.references)][:100]
    wanted = {*thread_ids, parsed.message_id} - {""}
    if not wanted:
        return set(), None
    rows = selectors.mail_by_message_ids(org=org, message_ids=sorted(wanted))
    seen, thread = set(), None
    for row in rows:
        message_id, direction = row["message_id"], row["direction"]
        conversation_id, customer_id = row["conversation_id"], row["customer_id"]
        if message_id == parsed.message_id:
            seen.add(direction)
        # an email whose conversation is gone threads nothing (the reply token may still)
        if thread is None and message_id in thread_ids and customer_id is not None:
            thread = Conversation(org=org, pk=conversation_id, customer_id=customer_id)
    return seen, thread


def _accept(org, mailbox, source, parsed, saved, own):
    seen, thread = _known(org, parsed)
    if MailMessage.Direction.OUT in seen:
        return _ignored(org, mailbox, source, parsed, "Our own email came back (a loop).")
    if seen:
        return _ignored(org, mailbox, source, parsed, "Already received.")
    if parsed.bounce is not None:
        return _bounce(org, mailbox, source, parsed)
    sender = parsed.sender_email
    if not sender:
        return _log(org, mailbox, source, parsed, Received.Outcome.FAILED, "No sender address.")
    if tokens.base_address(sender) in own:
        return _ignored(org, mailbox, source, parsed, "Sent by one of our own mailboxes (a loop).")
    if parsed.auto_reason:
        return _ignored(org, mailbox, source, parsed, f"An automatic reply ({parsed.auto_reason}).")
    conversation = _thread(org, parsed, thread)
    customer = locked = None
    if conversation is not None:
        # the conversation's customer is locked for the message anyway: usually the sender,
        # found by that same read
        locked, theirs = lock_customer_with_email(
            org, conversation.customer_id, parsed.sender["email"].strip().lower()
        )
        customer = locked if theirs else None
    if customer is None:
        customer = _customer(org, parsed.sender)
    outcome = Received.Outcome.THREADED
    if conversation is None:
        # the mail's transaction is the unit (accept rolls it back whole on an error): the
        # services' own savepoints would only cost round trips
        conversation = conversations.conversation_create_within(
            org=org, actor=None, customer=customer, data={"name": parsed.subject or "(no subject)"}
        )
        outcome = Received.Outcome.OPENED
    kept, notes = attachments.check(parsed.attachments)
    body = parsed.text.strip()
    if not body and parsed.html:
        body = conversations.html_to_text(parsed.html).strip()
    if notes:
        body = "\n\n".join([body, *notes]) if body else "\n".join(notes)
    if not body:
        body = "(no text: see the attachments)" if kept else "(empty message)"
    staged = attachments.stage(org=org, parts=kept, saved=saved) if kept else []
    message = conversations.message_create_within(
        org=org,
        actor=None,
        conversation=conversation,
        opened=outcome == Received.Outcome.OPENED,
        locked_customer=locked,
        data={
            "direction": "in",
            "channel": "email",
            "body": body[:100_000],
            "bodyHtml": parsed.html[:200_000],
            "cc": _copied(parsed.cc),
            "attachments": [str(a.pk) for a in staged],
        },
        # business rules on messages route by the addresses ("to billing@ → team Billing")
        rule_context={
            "email": {
                "from": parsed.sender_email,
                "to": [a["email"] for a in parsed.to[:50]],
                "cc": [a["email"] for a in parsed.cc[:50]],
                "mailbox": mailbox.address,
                "subject": parsed.subject,
            }
        },
    )
    _INSERT_MAIL.save(
        MailMessage(
            org=org,
            mailbox=mailbox,
            desk_message=message,
            conversation_id=conversation.pk,
            direction=MailMessage.Direction.IN,
            message_id=parsed.message_id or f"kdesk-missing-{message.pk}",
            in_reply_to=(parsed.in_reply_to or [""])[0][:255],
            references=" ".join(parsed.references)[:10_000],
            subject=parsed.subject,
            sender=parsed.sender_email[:254],
            to=parsed.to[:50],
            cc=parsed.cc[:50],
            status=MailMessage.Status.RECEIVED,
        )
    )
    return _log(org, mailbox, source, parsed, outcome, conversation_id=conversation.pk)


def _copied(addresses):
    """The Cc addresses the desk can keep (a malformed one is left out, not the mail)."""
    out = []
    for address in addresses:
        try:
            validate_email(address["email"])
        except DjangoValidationError:
            continue
        out.append(address["email"])
    return out[:MAX_CC]


def _ignored(org, mailbox, source, parsed, why):
    log.info("mail %s from %s ignored: %s", parsed.message_id, parsed.sender_email, why)
    return _log(org, mailbox, source, parsed, Received.Outcome.IGNORED, why)


def _customer(org, sender):
    email = sender["email"].strip().lower()
    for _ in range(2):
        # the customer whose email identity this is, read whole in one query
        found = selectors.customer_by_email(org=org, email=email)
        if found is not None:
            return found
        try:
            with transaction.atomic():
                return customers.customer_create(
                    org=org,
                    actor=None,
                    data={
                        "name": (sender.get("name") or email)[:255],
                        "emails": [{"type": "other", "email": email}],
                    },
                )
        except (IntegrityError, ServiceError) as exc:
            # The same sender's other mail created them meanwhile: find them again.
            problem = exc
    raise problem


def _thread(org, parsed, replied):
    """The conversation this mail continues (`replied`: the one of the email it answers, else
    the one its reply token names), or None."""
    if replied is not None:
        return replied
    recipients = [a["email"] for a in parsed.to + parsed.cc + parsed.delivered_to]
    return _conversation(org, tokens.conversation_of(org.pk, recipients))


def _conversation(org, pk):
    if pk is None:
        return None
    return Conversation.objects.filter(org=org, pk=pk).first()


def _bounce(org, mailbox, source, parsed):
    report = parsed.bounce
    original = (
        MailMessage.objects.filter(
            org=org, direction=MailMessage.Direction.OUT, message_id__in=report["original_ids"]
        ).first()
        if report["original_ids"]
        else None
    )
    reason = " ".join(x for x in (report["status"], report["diagnostic"]) if x)
    detail = f"Bounced: {reason}" if reason else "Bounced (the server gave no reason)."
    if report["recipient"]:
        detail += f" Recipient: {report['recipient']}."
    if original is None:
        return _log(
            org,
            mailbox,
            source,
            parsed,
            Received.Outcome.BOUNCE,
            f"{detail} It names no email the desk sent.",
        )
    MailMessage.objects.filter(pk=original.pk).update(
        status=MailMessage.Status.FAILED, error=detail[:500]
    )
    message = Message.objects.get(pk=original.desk_message_id)
    conversations.message_update_within(
        org=org,
        actor=None,
        message=message,
        data={"status": "failed", "statusDetail": detail[:500]},
    )
    return _log(
        org,
        mailbox,
        source,
        parsed,
        Received.Outcome.BOUNCE,
        detail,
        conversation_id=original.conversation_id,
    )
