"""The compose box: a reply or an internal note, and the JSON its autocomplete reads
(@mentions, #shortcuts)."""

import contextlib

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from conversations import selectors as conv_selectors
from conversations import services as conv_services
from kdesk.errors import Conflict, NotFound, ValidationFailed
from kdesk.payload import as_id
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


def _send_reply(request, customer, conversation, body, starts):
    """Record the outbound message (and apply the shortcuts used in it), in one transaction."""
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
    with live.renders("conversation") if starts else contextlib.nullcontext():
        with transaction.atomic():
            message = conv_services.message_create(
                org=org,
                actor=request.user,
                customer=customer,
                conversation=conversation,
                data={"direction": "out", "channel": channel, "body": body},
            )
            for shortcut in used:
                conv_services.shortcut_apply(
                    org=org,
                    actor=request.user,
                    shortcut=shortcut,
                    conversation=message.conversation,
                )
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
    # A reply without a conversation starts (or picks) one: the response then renders the
    # conversation card too, so the next note has a conversation to go to.
    starts = mode == "reply" and conversation is None
    try:
        if mode == "note":
            if conversation is None:
                raise ValidationFailed([])
            note = conv_services.note_create(
                org=org, actor=request.user, conversation=conversation, data={"body": body}
            )
            event = desk.event_for(org=org, resource="note", resource_id=note.pk)
        else:
            message = _send_reply(request, customer, conversation, body, starts)
            event = desk.event_for(org=org, resource="message", resource_id=message.pk)
            conversation = message.conversation
    except ValidationFailed as exc:
        fields, other = errors_by_field(exc, org)
        errors = [d for ds in fields.values() for d in ds] + other
        if mode == "note" and conversation is None:
            errors = ["Open a conversation first: a note belongs to a conversation."]
        elif not body.strip():
            errors = [f"Write the {'note' if mode == 'note' else 'reply'} first: it is empty."]
    except (NotFound, Conflict) as exc:
        errors = messages_of(exc, org)
    context = conversation_context(request, customer, conversation.pk if conversation else None)
    context.update(
        {
            "mode": mode,
            "compose_errors": errors,
            "body": body if errors else "",
            "sent": not errors,
            "shortcuts_used": request.POST.get("shortcuts", "")[:500] if errors else "",
        }
    )
    html = render_to_string("timeline/customer.html#compose", context, request=request)
    if not errors:
        if starts:
            html += render_to_string(
                "timeline/customer.html#conversation", {**context, "oob": True}, request=request
            )
        html += oob_entry(event)
        html += announce("Note added." if mode == "note" else "Reply recorded.")
    return HttpResponse(html, status=422 if errors else 200)


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
