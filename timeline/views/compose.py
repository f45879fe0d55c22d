"""The compose box: a reply or an internal note, and the JSON its autocomplete reads
(@mentions, #shortcuts)."""

import contextlib
import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from conversations import selectors as conv_selectors
from conversations import services as conv_services
from conversations.services.message_extras import MAX_CC
from kdesk.errors import Conflict, NotFound, ValidationFailed
from kdesk.payload import as_id
from mail import attachments as mail_attachments
from mail.parse import Part
from timeline import live
from timeline import selectors_desk as desk
from timeline import selectors_pages as pages
from timeline.views.common import (
    announce,
    customer_or_404,
    errors_by_field,
    messages_of,
    oob_entry,
    org_of,
)
from timeline.views.conversation import conversation_context

_CC_SPLIT = re.compile(r"[,;\s]+")


def _cc_of(text):
    """(addresses, problems) of the Cc field: addresses separated by commas, semicolons or
    spaces, each checked."""
    out, problems = [], []
    for item in _CC_SPLIT.split(text.strip()):
        if not item:
            continue
        try:
            validate_email(item)
        except DjangoValidationError:
            problems.append(f"“{item}” is not an email address.")
            continue
        out.append(item)
    if len(out) > MAX_CC:
        problems.append(f"At most {MAX_CC} addresses may be copied.")
    return out, problems


def _files_of(request):
    """The files picked in the composer, each read once (within the limits checked first)."""
    return [
        Part(filename=f.name or "attachment", content_type=f.content_type or "", data=f.read())
        for f in request.FILES.getlist("attachments")
    ]


def _send_reply(request, customer, conversation, body, starts, *, cc=(), files=()):
    """Record the outbound message with its Cc and files (and apply the shortcuts used in it),
    in one transaction. The files are written first; if the transaction fails they are
    deleted at once (and the worker's sweep deletes any a crash left)."""
    org = org_of(request)
    channel = (
        conv_selectors.reply_channel(
            org=org,
            conversation_id=conversation.pk,
            fallback=(conversation.channels or ["email"])[-1],
        )
        if conversation
        else "email"
    )
    used = _shortcuts_used(request, org)
    saved = []
    data = {"direction": "out", "channel": channel, "body": body}
    if cc:
        data["cc"] = list(cc)
    try:
        with live.renders("conversation") if starts else contextlib.nullcontext():
            with transaction.atomic():
                if files:
                    staged = mail_attachments.stage(org=org, parts=files, saved=saved)
                    data["attachments"] = [str(a.pk) for a in staged]
                message = conv_services.message_create(
                    org=org,
                    actor=request.user,
                    customer=customer,
                    conversation=conversation,
                    data=data,
                )
                for shortcut in used:
                    conv_services.shortcut_apply(
                        org=org,
                        actor=request.user,
                        shortcut=shortcut,
                        conversation=message.conversation,
                    )
    except BaseException:
        mail_attachments.discard(saved)
        raise
    return message


@login_required
@require_POST
def compose(request, pk):
    customer = customer_or_404(request, pk)
    org = org_of(request)
    mode = request.POST.get("mode") if request.POST.get("mode") in ("reply", "note") else "reply"
    body = request.POST.get("body", "")
    conv_id = request.POST.get("conversation", "")
    conversation = None
    if as_id(conv_id):
        conversation = pages.customer_conversation(
            org=org, customer_id=customer.pk, pk=as_id(conv_id)
        )
        if conversation is None:
            raise Http404
    errors, event = [], None
    cc_text = request.POST.get("cc", "")[:2000]
    cc, cc_errors, files, file_errors = [], [], [], []
    if mode == "reply":
        cc, cc_errors = _cc_of(cc_text)
        uploads = request.FILES.getlist("attachments")
        file_errors = mail_attachments.limit_problems([(f.name, f.size) for f in uploads])
    # A reply without a conversation starts (or picks) one: the response then renders the
    # conversation card too, so the next note has a conversation to go to.
    starts = mode == "reply" and conversation is None
    try:
        if cc_errors or file_errors:
            # Nothing is written: the errors show beside their fields, the draft stays.
            raise ValidationFailed([])
        if mode == "reply":
            files = _files_of(request)
        if mode == "note":
            if conversation is None:
                raise ValidationFailed([])
            note = conv_services.note_create(
                org=org, actor=request.user, conversation=conversation, data={"body": body}
            )
            event = desk.event_for(org=org, resource="note", resource_id=note.pk)
        else:
            message = _send_reply(request, customer, conversation, body, starts, cc=cc, files=files)
            event = desk.event_for(org=org, resource="message", resource_id=message.pk)
            conversation = message.conversation
    except ValidationFailed as exc:
        fields, other = errors_by_field(exc, org)
        errors = [d for ds in fields.values() for d in ds] + other
        if cc_errors or file_errors:
            errors = []
        elif mode == "note" and conversation is None:
            errors = ["Open a conversation first: a note belongs to a conversation."]
        elif not body.strip() and not files:
            errors = [f"Write the {'note' if mode == 'note' else 'reply'} first: it is empty."]
    except (NotFound, Conflict) as exc:
        errors = messages_of(exc, org)
    context = conversation_context(request, customer, conversation.pk if conversation else None)
    context.update(
        {
            "mode": mode,
            "compose_errors": errors,
            "cc_errors": cc_errors,
            "file_errors": file_errors,
            "cc": cc_text if errors or cc_errors or file_errors else "",
            "body": body if errors or cc_errors or file_errors else "",
            "sent": not errors,
            "shortcuts_used": request.POST.get("shortcuts", "")[:500] if errors else "",
        }
    )
    failed = bool(errors or cc_errors or file_errors)
    context["sent"] = not failed
    html = render_to_string("timeline/customer.html#compose", context, request=request)
    if not failed:
        if starts:
            html += render_to_string(
                "timeline/customer.html#conversation", {**context, "oob": True}, request=request
            )
        html += oob_entry(event)
        html += announce("Note added." if mode == "note" else "Reply recorded.")
    return HttpResponse(html, status=422 if failed else 200)


def _shortcuts_used(request, org):
    """The shortcuts the agent picked while writing this reply (ids the desk collected), as
    far as they can still see them: their conversation defaults apply when it is sent."""
    ids = [as_id(v) for v in request.POST.get("shortcuts", "").split(",")[:20]]
    ids = [i for i in ids if i is not None]
    if not ids:
        return []
    by_id = pages.shortcuts_by_ids(org=org, user=request.user, ids=ids)
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


@login_required
@require_GET
def mention_suggestions(request):
    return JsonResponse(
        {"data": desk.mention_suggestions(org=org_of(request), q=request.GET.get("q", ""))}
    )


@login_required
@require_GET
def shortcut_suggestions(request, pk):
    customer = customer_or_404(request, pk)
    org = org_of(request)
    q = request.GET.get("q", "").strip().lower()
    rows = pages.shortcuts_for(org=org, user=request.user, q=q, limit=10)
    conversation = pages.customer_conversation(
        org=org, customer_id=customer.pk, pk=as_id(request.GET.get("conversation"))
    )
    out = [
        {
            "id": s.pk,
            "name": s.name,
            "visibility": s.visibility,
            "text": conv_services.shortcut_render(
                s, customer=customer, agent=request.user, conversation=conversation
            ),
        }
        for s in rows
    ]
    return JsonResponse({"data": out})
