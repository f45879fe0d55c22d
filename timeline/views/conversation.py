"""The conversation panel beside a customer's timeline: pick a conversation, change its status,
snooze, assignment, priority, tags and attributes, and "Done and next"."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_http_methods

from conversations import selectors as conv_selectors
from conversations import services as conv_services
from conversations.models import Conversation
from kdesk.errors import Conflict, NotFound, ValidationFailed
from kdesk.payload import as_id
from timeline import attr_forms, cards, live
from timeline import selectors_desk as desk
from timeline import selectors_pages as pages
from timeline.views.common import (
    announce,
    customer_or_404,
    errors_by_field,
    messages_of,
    oob_entry,
    org_of,
    properties,
    tz_of,
)
from timeline.views.inbox import PRIORITIES, view_query, view_token


def _fields(request, chosen, errors, values):
    """The conversation attributes' form rows (hidden ones left out)."""
    fields = []
    tz = tz_of(request)
    for name, definition in properties(request, "conversation").items():
        if (definition or {}).get("hidden"):
            continue
        current = (chosen or {}).get("custom", {}).get(name) if chosen else None
        w = attr_forms.widget(name, values.get(name, current), definition or {}, tz)
        label = (definition or {}).get("displayName") or name
        fields.append(
            {
                "name": name,
                "label": label,
                "widget": w,
                "errors": attr_forms.field_errors(
                    errors or {}, f"custom.{name}", values.get(name), label
                ),
            }
        )
    return fields


def conversation_context(request, customer, conversation_id=None, *, errors=None, values=None):
    org = org_of(request)
    conversations, chosen = pages.conversation_rows(
        org=org, customer_id=customer.pk, chosen_id=conversation_id or None
    )
    if conversation_id and chosen is None:
        raise Http404
    if chosen is not None and chosen not in conversations:
        conversations.insert(0, chosen)
    if chosen is None:
        chosen = next((c for c in conversations if c["status"] == "open"), None) or (
            conversations[0] if conversations else None
        )
    users, teams = desk.people_choices(org=org)
    values = values or {}
    channel = (
        conv_selectors.reply_channel(
            org=org,
            conversation_id=chosen["id"],
            fallback=(chosen.get("channels") or ["email"])[-1],
        )
        if chosen
        else "email"
    )
    palette = desk.tag_palette(org=org)
    return {
        "tag_options": sorted(palette),
        "conv_tags": desk.tag_chips((chosen or {}).get("tags") or [], palette),
        "priorities": PRIORITIES,
        "view": view_token(request.POST.get("view") or request.GET.get("view")),
        "customer": customer,
        "conversations": conversations,
        "conversation": chosen,
        "channel": channel,
        "users": users,
        "teams": teams,
        "conv_fields": _fields(request, chosen, errors, values),
        "errors": errors or {},
        "values": values,
        "conversation_cards": cards.conversation_cards(
            org=org, customer=customer, conversation_id=chosen["id"] if chosen else None
        ),
        "is_admin": request.user.role == "admin",
    }


def _conversation_payload(request, props):
    post = request.POST
    data = {}
    status = post.get("status")
    if status:
        data["status"] = status
    if status == "snoozed":
        raw = post.get("snoozeUntil", "")
        if raw:
            data["snoozeUntil"] = attr_forms.parse_input("snoozeAt", raw, {}, tz_of(request))
        else:
            data["snoozeUntil"] = None
    if "tags_field" in post:
        typed = [t.strip() for t in post.get("tag_new", "").split(",") if t.strip()]
        data["tags"] = list(dict.fromkeys([*post.getlist("tags"), *typed]))
    if post.get("priority"):
        data["priority"] = as_id(post["priority"]) or post["priority"]
    if "assignedUser" in post:
        data["assignedUser"] = as_id(post["assignedUser"])
    if "assignedTeam" in post:
        data["assignedTeam"] = as_id(post["assignedTeam"])
    custom, raw_values = {}, {}
    for name, definition in props.items():
        key = f"custom.{name}"
        if key in post:
            raw_values[name] = attr_forms.form_input(post, key, name, definition)
            custom[name] = attr_forms.parse_input(
                name, raw_values[name], definition, tz_of(request)
            )
    if custom:
        data["custom"] = custom
    return data, raw_values


def _picked(request, customer, context):
    """The panel for another conversation the agent picked: the address follows (back returns
    to the previous one) and the timeline goes to that conversation's newest entry."""
    response = render(request, "timeline/customer.html#conversation", context)
    chosen = context["conversation"]
    if request.headers.get("HX-Trigger") == "conversation-select" and chosen:
        response["HX-Push-Url"] = (
            f"/customers/{customer.pk}/?conversation={chosen['id']}&view={context['view']}"
        )
        event = desk.conversation_latest_event(
            org=org_of(request), customer_id=customer.pk, conversation_id=chosen["id"]
        )
        response["HX-Trigger-After-Settle"] = json.dumps(
            {"kdesk-conversation": {"id": chosen["id"], "entry": event.pk if event else None}}
        )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def conversation_panel(request, pk):
    customer = customer_or_404(request, pk)
    org = org_of(request)
    raw_id = request.POST.get("conversation") or request.GET.get("conversation") or ""
    conversation_id = as_id(raw_id)
    if request.method == "GET":
        return _picked(request, customer, conversation_context(request, customer, conversation_id))
    conversation = pages.customer_conversation(org=org, customer_id=customer.pk, pk=conversation_id)
    if conversation is None:
        raise Http404
    data, raw_values = _conversation_payload(request, properties(request, "conversation"))
    then_next = request.POST.get("then") == "next"
    if then_next:  # "Done and next": whatever the status select says, this closes it
        data["status"] = Conversation.Status.DONE
        data.pop("snoozeUntil", None)
    before_rev = conversation.rev
    errors, other = {}, []
    try:
        with live.renders("conversation"):  # the saved card below; the entry is swapped by id
            conversation = conv_services.conversation_update(
                org=org, actor=request.user, conversation=conversation, data=data
            )
    except ValidationFailed as exc:
        errors, other = errors_by_field(exc, org)
    except (NotFound, Conflict) as exc:
        other = messages_of(exc, org)
    if errors or other:
        context = conversation_context(
            request, customer, conversation_id, errors=errors, values=raw_values
        )
        context.update({"form_errors": other, "posted": data})
        if request.POST.get("snoozeUntil"):
            # What the agent typed stays in the field beside its error.
            raw = request.POST["snoozeUntil"]
            context["snooze_widget"] = attr_forms.widget("snoozeAt", None, {}, tz_of(request)) | {
                "value": raw
            }
        return render(request, "timeline/customer.html#conversation", context, status=422)
    if then_next:
        return _open_next(request, conversation)
    context = conversation_context(request, customer, conversation.pk)
    context["saved"] = conversation.rev != before_rev
    html = render_to_string("timeline/customer.html#conversation", context, request=request)
    if conversation.rev != before_rev:
        html += oob_entry(
            desk.event_for(org=org, resource="conversation", resource_id=conversation.pk)
        )
        html += announce(f"Conversation saved: {conversation.status}.")
    return HttpResponse(html)


def _open_next(request, done):
    """After "Done and next": the first conversation of the agent's current inbox view (the
    one just closed has left it), else that view, empty. A full navigation (HX-Redirect)."""
    token, filters, inbox_url = view_query(request, request.POST.get("view"))
    rows, _ = conv_selectors.conversations_for_inbox(
        org=org_of(request), user=request.user, limit=2, **filters
    )
    following = next((r for r in rows if r["id"] != done.pk), None)
    if following is None:
        messages.success(request, f"Closed “{done.name or 'the conversation'}”. Nothing left here.")
        url = inbox_url
    else:
        url = f"/customers/{following['customer_id']}/?conversation={following['id']}&view={token}"
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response
