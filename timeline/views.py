"""The agent desk pages: inbox, customers, a customer's timeline + insights, notifications,
shortcuts, and the htmx partials they swap. Writes go through the services; every lookup is
scoped to the signed-in user's organization (another org's id is a 404)."""

import contextlib
import json

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from conversations import selectors as conv_selectors
from conversations import services as conv_services
from conversations.models import Conversation, Shortcut
from customers.models import Customer
from customers.services import customer_update
from kdesk.api.pagination import decode_cursor, encode_cursor
from kdesk.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from kdesk.payload import as_id
from klasses.models import Metadata
from klasses.schema.types import default_display_name
from timeline import cards, fragments, insights, live, wording
from timeline import selectors_desk as desk
from timeline.entries import KINDS, type_prefixes
from timeline.selectors import decode_keyset, encode_keyset, timeline_page

PAGE_SIZE = 30
INBOX_PAGE = 40
FILTER_KINDS = [k for k in KINDS if k != "customer"]
KIND_LABELS = {
    "message": "Messages",
    "note": "Notes",
    "conversation": "Conversation events",
    "kobject": "Objects",
}


def _org(request):
    return request.user.org


def _tz(request):
    return getattr(request.user, "time_zone", "") or "UTC"


def _customer(request, pk):
    return get_object_or_404(Customer, org=_org(request), pk=pk)


def _decode(raw):
    try:
        return decode_cursor(raw)
    except ValidationFailed:
        return None


def _is_htmx(request):
    return request.headers.get("HX-Request") == "true"


def _errors_by_field(exc, org=None):
    """({field key: [detail]}, [details without a field]) from a ValidationFailed (or any
    error of a save), the details worded with display names (timeline.wording)."""
    labels = wording.labels_for(org=org) if org is not None else {}
    fields, other = {}, []
    for error in getattr(exc, "errors", []) or []:
        pointer = (error.pointer or "").strip("/")
        detail = wording.humanize(error.detail, labels)
        if pointer:
            key = pointer.replace("/", ".")
            fields.setdefault(key, []).append(detail)
        else:
            other.append(detail)
    if not fields and not other:
        other.append(wording.humanize(str(exc), labels))
    return fields, other


def _messages(exc, org):
    """Every message of a failed save, in one list (display names)."""
    fields, other = _errors_by_field(exc, org)
    return [d for details in fields.values() for d in details] + other


# ---- inbox ------------------------------------------------------------------------------------

STATUSES = ("open", "snoozed", "done")
SCOPES = (("mine", "Assigned to me"), ("teams", "My teams"), ("all", "All"))


PRIORITIES = ((5, "Urgent"), (4, "High"), (3, "Normal"), (2, "Low"), (1, "Lowest"))
SORTS = (("activity", "Newest activity"), ("priority", "Priority"))


def _inbox_rows(request, status, scope, cursor, sort="activity", tag=None, palette=None):
    rows, next_cursor = conv_selectors.conversations_for_inbox(
        org=_org(request),
        user=request.user,
        status=status,
        scope=scope,
        cursor=cursor,
        limit=INBOX_PAGE,
        sort=sort,
        tag=tag,
    )
    labels = dict(PRIORITIES)
    for row in rows:
        row["priority_label"] = labels.get(row["priority"], "")
        row["tag_chips"] = desk.tag_chips(row["tags"], palette or {})
    names = desk.user_names(org=_org(request), ids={r["assigned_user_id"] for r in rows})
    for row in rows:
        row["assignee"] = names.get(row["assigned_user_id"], "")
    return rows, (encode_cursor(next_cursor) if next_cursor else None)


@login_required
@require_GET
def inbox(request):
    status = request.GET.get("status", "open")
    status = status if status in STATUSES else "open"
    scope = request.GET.get("scope", "all")
    scope = scope if scope in dict(SCOPES) else "all"
    sort = request.GET.get("sort", "activity")
    sort = sort if sort in dict(SORTS) else "activity"
    raw = request.GET.get("cursor")
    cursor = _decode(raw) if raw else None
    if raw and not (isinstance(cursor, list) and len(cursor) in (2, 3)):
        cursor = None
    # Read before the rows: an event committed in between is then replayed, not lost.
    live_last = live.last_event_id(_org(request).pk)
    tag = request.GET.get("tag", "").strip()[:100] or None
    palette = desk.tag_palette(org=_org(request))
    rows, next_cursor = _inbox_rows(request, status, scope, cursor, sort, tag, palette)
    context = {
        "tag": tag or "",
        "tag_list": desk.tag_chips(
            sorted(conv_selectors.tags(org=_org(request)).values_list("name", flat=True)), palette
        ),
        "sort": sort,
        "sorts": SORTS,
        "live_last": live_last,
        "rows": rows,
        "next_cursor": next_cursor,
        "status": status,
        "scope": scope,
        "statuses": STATUSES,
        "scopes": SCOPES,
    }
    if _is_htmx(request) and request.GET.get("part") == "rows":
        return render(request, "timeline/inbox.html#inbox-rows", context)
    if _is_htmx(request) and request.GET.get("part") == "list":
        return render(request, "timeline/inbox.html#inbox-list", context)
    return render(request, "timeline/inbox.html", context)


# ---- customers --------------------------------------------------------------------------------


@login_required
@require_GET
def customers(request):
    q = request.GET.get("q", "").strip()
    if q and not request.GET.get("before"):
        hit = desk.quick_find(org=_org(request), q=q)
        if hit:
            return redirect(f"/customers/{hit}/")
    before = _search_cursor(request.GET.get("before"), ranked=bool(q))
    rows, next_before = desk.customers_search(org=_org(request), q=q, before=before)
    if isinstance(next_before, tuple):
        next_before = f"{next_before[0]}.{next_before[1]}"
    if q and before is None and len(rows) == 1 and next_before is None:
        # A search only one customer matches (part of a name, say) is that customer.
        return redirect(f"/customers/{rows[0]['id']}/")
    for row in rows:
        row["email"] = next(
            (e.get("email") for e in row["emails"] or [] if isinstance(e, dict)), ""
        )
        row["phone"] = next(
            (p.get("phone") for p in row["phones"] or [] if isinstance(p, dict)), ""
        )
    context = {"rows": rows, "next_before": next_before, "q": q}
    if _is_htmx(request) and before:
        return render(request, "timeline/customers.html#customer-rows", context)
    return render(request, "timeline/customers.html", context)


def _search_cursor(raw, *, ranked):
    """The customers list's `before`: an id, or for a search "<rank>.<id>"; None if neither."""
    if not raw:
        return None
    if not ranked:
        return as_id(raw)
    rank, _, pk = raw.partition(".")
    if rank.isdigit() and as_id(pk) is not None:
        return int(rank), as_id(pk)
    return None


NEW_CUSTOMER_FIELDS = (
    ("name", "Name", "text", "name"),
    ("email", "Email", "email", "emails.0.email"),
    ("phone", "Phone", "tel", "phones.0.phone"),
    ("externalId", "External id", "text", "externalId"),
)


@login_required
@require_http_methods(["GET", "POST"])
def customer_new(request):
    """A new customer from the desk: a name (required here, as in the inline edit) and any of
    email, phone, external id; the service checks them and that none is someone else's."""
    values = {key: request.POST.get(key, "").strip() for key, *_ in NEW_CUSTOMER_FIELDS}
    errors, other = {}, []
    if request.method == "POST":
        data = {"name": values["name"]}
        if values["email"]:
            data["emails"] = [{"type": "other", "email": values["email"]}]
        if values["phone"]:
            data["phones"] = [{"type": "other", "phone": values["phone"]}]
        if values["externalId"]:
            data["externalId"] = values["externalId"]
        try:
            if not values["name"]:
                raise ValidationFailed(
                    [FieldError("/name", "required", "Enter a name: it can't be left empty.")]
                )
            from customers.services import customer_create

            customer = customer_create(org=_org(request), actor=request.user, data=data)
        except (ValidationFailed, Conflict) as exc:
            errors, other = _errors_by_field(exc, _org(request))
        else:
            from django.contrib import messages

            messages.success(request, f"Customer {customer.name} created.")
            return redirect(f"/customers/{customer.pk}/")
    fields = [
        {"key": key, "label": label, "type": kind, "value": values[key], "errors": errors.get(ptr)}
        for key, label, kind, ptr in NEW_CUSTOMER_FIELDS
    ]
    status = 422 if errors or other else 200
    context = {"fields": fields, "form_errors": other}
    return render(request, "timeline/customer_new.html", context, status=status)


def _filters(request):
    kinds = [k for k in request.GET.getlist("kind") if k in FILTER_KINDS]
    klasses = [k for k in request.GET.getlist("klass") if k.replace("_", "").isalnum()]
    return kinds, klasses


def _filter_query(kinds, klasses):
    parts = [f"kind={k}" for k in kinds] + [f"klass={k}" for k in klasses]
    return "&".join(parts)


def _chips(kinds, klasses, klass_list):
    chips = []
    for key in FILTER_KINDS:
        new = [k for k in kinds if k != key] if key in kinds else [*kinds, key]
        chips.append(
            {
                "key": key,
                "label": KIND_LABELS[key],
                "active": key in kinds,
                "query": _filter_query(new, klasses),
                "klass": False,
            }
        )
    for klass in klass_list:
        name = klass["name"]
        new = [k for k in klasses if k != name] if name in klasses else [*klasses, name]
        chips.append(
            {
                "key": f"klass-{name}",
                "label": klass["display_name"] or name,
                "active": name in klasses,
                "query": _filter_query(kinds, new),
                "klass": True,
            }
        )
    return chips


def _timeline(request, customer, *, before=None, limit=PAGE_SIZE, previous_conversation=None):
    kinds, klasses = _filters(request)
    rows, next_before = timeline_page(
        org=_org(request),
        customer_id=customer.pk,
        before=before,
        kinds=kinds,
        klasses=klasses,
        limit=limit,
    )
    fragments.decorate(
        rows, org=_org(request), previous_conversation=previous_conversation, tz=_tz(request)
    )
    return {
        "entries": rows,
        "next_cursor": encode_cursor(encode_keyset(next_before)) if next_before else None,
        "filter_query": _filter_query(kinds, klasses),
        # the same prefixes as the query, for the page to keep pushed entries to the filter
        "live_filter": " ".join(type_prefixes(kinds, klasses)),
        "kinds": kinds,
        "klasses_on": klasses,
        "customer": customer,
        "first_page": before is None,
    }


def _conversation_context(request, customer, conversation_id=None, *, errors=None, values=None):
    org = _org(request)
    conversations = list(
        conv_selectors.customer_conversations(org=org, customer_id=customer.pk)
        .select_related(None)
        .values(
            "id",
            "name",
            "status",
            "channels",
            "assigned_user_id",
            "assigned_team_id",
            "custom",
            "rev",
            "snooze_until",
            "priority",
            "tags",
        )[:25]
    )
    chosen = None
    if conversation_id:
        chosen = next((c for c in conversations if c["id"] == conversation_id), None)
        if chosen is None:
            row = (
                Conversation.objects.filter(org=org, customer=customer, pk=conversation_id)
                .values(
                    "id",
                    "name",
                    "status",
                    "channels",
                    "assigned_user_id",
                    "assigned_team_id",
                    "custom",
                    "rev",
                    "snooze_until",
                    "priority",
                    "tags",
                )
                .first()
            )
            if row is None:
                raise Http404
            conversations.insert(0, row)
            chosen = row
    if chosen is None:
        chosen = next((c for c in conversations if c["status"] == "open"), None) or (
            conversations[0] if conversations else None
        )
    users, teams = desk.people_choices(org=org)
    props = (
        Metadata.objects.filter(org=org, resource="conversation")
        .values_list("properties", flat=True)
        .first()
        or {}
    )
    fields = []
    values = values or {}
    tz = _tz(request)
    for name, definition in props.items():
        if (definition or {}).get("hidden"):
            continue
        current = (chosen or {}).get("custom", {}).get(name) if chosen else None
        w = insights.widget(name, values.get(name, current), definition or {}, tz)
        label = (definition or {}).get("displayName") or name
        fields.append(
            {
                "name": name,
                "label": label,
                "widget": w,
                "errors": insights.field_errors(
                    errors or {}, f"custom.{name}", values.get(name), label
                ),
            }
        )
    channel = (
        conv_selectors.reply_channel(
            org=org,
            conversation_id=chosen["id"],
            fallback=(chosen.get("channels") or ["email"])[-1],
        )
        if chosen
        else "email"
    )
    status, scope = _view(request.POST.get("view") or request.GET.get("view"))
    palette = desk.tag_palette(org=org)
    return {
        "tag_options": sorted(palette),
        "conv_tags": desk.tag_chips((chosen or {}).get("tags") or [], palette),
        "priorities": PRIORITIES,
        "view": f"{status}.{scope}",
        "customer": customer,
        "conversations": conversations,
        "conversation": chosen,
        "channel": channel,
        "users": users,
        "teams": teams,
        "conv_fields": fields,
        "errors": errors or {},
        "values": values,
        "conversation_cards": cards.conversation_cards(
            org=org, customer=customer, conversation_id=chosen["id"] if chosen else None
        ),
        "is_admin": request.user.role == "admin",
    }


def _insights_context(request, customer):
    org = _org(request)
    props = (
        Metadata.objects.filter(org=org, resource="customer")
        .values_list("properties", flat=True)
        .first()
        or {}
    )
    tz = _tz(request)
    emails = [e.get("email") for e in customer.emails or [] if isinstance(e, dict)]
    phones = [p.get("phone") for p in customer.phones or [] if isinstance(p, dict)]
    palette = desk.tag_palette(org=org)
    return {
        "customer_tags": desk.tag_chips(customer.tags, palette),
        "tag_options": sorted(palette),
        "customer": customer,
        "emails": emails,
        "phones": phones,
        "attributes": insights.attribute_rows(customer.custom, props, tz),
    }


def _note_page_limit(request, customer):
    """How many entries the first page needs so that `?note=<id>` (else the newest entry of
    `?conversation=<id>`) is on it (capped), and that entry's event id."""
    note = request.GET.get("note", "")
    conversation = as_id(request.GET.get("conversation", ""))
    if as_id(note) is not None:
        event = desk.event_for(org=_org(request), resource="note", resource_id=note)
    elif conversation is not None:
        event = desk.conversation_latest_event(
            org=_org(request), customer_id=customer.pk, conversation_id=conversation
        )
    else:
        return PAGE_SIZE, None
    if event is None or (as_id(note) is not None and event.customer_id != customer.pk):
        return PAGE_SIZE, None
    from kdesk.models import Event

    newer = (
        Event.objects.filter(org=_org(request), customer_id=customer.pk)
        .filter(created_at__gte=event.created_at)
        .count()
    )
    return min(max(PAGE_SIZE, newer + 5), 1000), event.pk


@login_required
@require_GET
def customer_page(request, pk):
    customer = _customer(request, pk)
    # The bell of this page renders the new count; the person's other tabs follow the
    # notification.read event this records (timeline.live.publish).
    conv_services.notifications_mark_seen(
        org=_org(request),
        user=request.user,
        note_id=request.GET.get("note"),
        conversation_id=request.GET.get("conversation"),
    )
    # The reconnect cursor is read before the timeline: an event committed between the two is
    # then replayed on connect instead of being neither rendered nor replayed.
    last_event_id = desk.last_event_id(org=_org(request), customer_id=customer.pk)
    limit, target = _note_page_limit(request, customer)
    # a note is highlighted; a conversation's newest entry is only brought into view
    highlight = target if request.GET.get("note") else None
    context = _timeline(request, customer, limit=limit)
    conversation_id = request.GET.get("conversation")
    context.update(_conversation_context(request, customer, as_id(conversation_id)))
    context.update(_insights_context(request, customer))
    klass_list = desk.klass_list(org=_org(request))
    context.update(
        {
            "chips": _chips(context["kinds"], context["klasses_on"], klass_list),
            "last_event_id": last_event_id,
            "highlight": highlight,
            "conversation_entry": target if highlight is None else None,
        }
    )
    return render(request, "timeline/customer.html", context)


@login_required
@require_GET
def customer_timeline(request, pk):
    """A page of older entries (infinite scroll) or a re-filtered list."""
    customer = _customer(request, pk)
    raw = request.GET.get("cursor")
    before = None
    if raw:
        decoded = _decode(raw)
        before = decode_keyset(decoded) if decoded is not None else None
        if before is None:
            return HttpResponse("That cursor is not one this page issued.", status=400)
    context = _timeline(
        request, customer, before=before, previous_conversation=request.GET.get("after_conv")
    )
    if raw:
        return render(request, "timeline/customer.html#timeline-page", context)
    klass_list = desk.klass_list(org=_org(request))
    context["chips"] = _chips(context["kinds"], context["klasses_on"], klass_list)
    return render(request, "timeline/customer.html#timeline-section", context)


def _oob_entry(request, event):
    if event is None:
        return ""
    row_html = fragments.render_entry(event, live=True)
    return f'<ol hidden hx-swap-oob="afterbegin:#timeline-entries">{row_html}</ol>'


def _announce(text):
    return f'<div id="desk-announce" hx-swap-oob="true" class="sr-only" aria-live="polite">{text}</div>'


@login_required
@require_POST
def compose(request, pk):
    customer = _customer(request, pk)
    org = _org(request)
    mode = request.POST.get("mode") if request.POST.get("mode") in ("reply", "note") else "reply"
    body = request.POST.get("body", "")
    conv_id = request.POST.get("conversation", "")
    conversation = None
    if as_id(conv_id):
        conversation = Conversation.objects.filter(
            org=org, customer=customer, pk=as_id(conv_id)
        ).first()
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
            event = desk.event_for(org=org, resource="message", resource_id=message.pk)
            conversation = message.conversation
            if used:
                conversation.refresh_from_db()
    except ValidationFailed as exc:
        fields, other = _errors_by_field(exc, _org(request))
        errors = [d for ds in fields.values() for d in ds] + other
        if mode == "note" and conversation is None:
            errors = ["Open a conversation first: a note belongs to a conversation."]
        elif not body.strip():
            errors = [f"Write the {'note' if mode == 'note' else 'reply'} first: it is empty."]
    except (NotFound, Conflict) as exc:
        errors = _messages(exc, _org(request))
    context = _conversation_context(request, customer, conversation.pk if conversation else None)
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
        html += _oob_entry(request, event)
        html += _announce("Note added." if mode == "note" else "Reply recorded.")
    return HttpResponse(html, status=422 if errors else 200)


def _shortcuts_used(request, org):
    """The shortcuts the agent picked while writing this reply (ids the desk collected), as
    far as they can still see them: their conversation defaults apply when it is sent."""
    ids = [as_id(v) for v in request.POST.get("shortcuts", "").split(",")[:20]]
    ids = [i for i in ids if i is not None]
    if not ids:
        return []
    rows = conv_selectors.shortcuts_visible(org=org, user=request.user).filter(pk__in=ids)
    by_id = {s.pk: s for s in rows}
    return [by_id[i] for i in dict.fromkeys(ids) if i in by_id]


def _conversation_payload(request, props):
    post = request.POST
    data = {}
    status = post.get("status")
    if status:
        data["status"] = status
    if status == "snoozed":
        raw = post.get("snoozeUntil", "")
        if raw:
            data["snoozeUntil"] = insights.parse_input("snoozeAt", raw, {}, _tz(request))
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
            raw_values[name] = insights.form_input(post, key, name, definition)
            custom[name] = insights.parse_input(name, raw_values[name], definition, _tz(request))
    if custom:
        data["custom"] = custom
    return data, raw_values


@login_required
@require_http_methods(["GET", "POST"])
def conversation_panel(request, pk):
    customer = _customer(request, pk)
    org = _org(request)
    raw_id = request.POST.get("conversation") or request.GET.get("conversation") or ""
    conversation_id = as_id(raw_id)
    if request.method == "GET":
        context = _conversation_context(request, customer, conversation_id)
        response = render(request, "timeline/customer.html#conversation", context)
        chosen = context["conversation"]
        if request.headers.get("HX-Trigger") == "conversation-select" and chosen:
            # The agent picked another conversation: the address follows (back returns to the
            # previous one) and the timeline goes to that conversation's newest entry.
            response["HX-Push-Url"] = (
                f"/customers/{customer.pk}/?conversation={chosen['id']}&view={context['view']}"
            )
            event = desk.conversation_latest_event(
                org=org, customer_id=customer.pk, conversation_id=chosen["id"]
            )
            response["HX-Trigger-After-Settle"] = json.dumps(
                {"kdesk-conversation": {"id": chosen["id"], "entry": event.pk if event else None}}
            )
        return response
    conversation = get_object_or_404(Conversation, org=org, customer=customer, pk=conversation_id)
    props = (
        Metadata.objects.filter(org=org, resource="conversation")
        .values_list("properties", flat=True)
        .first()
        or {}
    )
    data, raw_values = _conversation_payload(request, props)
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
        errors, other = _errors_by_field(exc, _org(request))
    except (NotFound, Conflict) as exc:
        other = _messages(exc, _org(request))
    if errors or other:
        context = _conversation_context(
            request, customer, conversation_id, errors=errors, values=raw_values
        )
        context.update({"form_errors": other, "posted": data})
        if request.POST.get("snoozeUntil"):
            # What the agent typed stays in the field beside its error.
            raw = request.POST["snoozeUntil"]
            context["snooze_widget"] = insights.widget("snoozeAt", None, {}, _tz(request)) | {
                "value": raw
            }
        return render(request, "timeline/customer.html#conversation", context, status=422)
    if then_next:
        return _open_next(request, conversation)
    context = _conversation_context(request, customer, conversation.pk)
    context["saved"] = conversation.rev != before_rev
    html = render_to_string("timeline/customer.html#conversation", context, request=request)
    if conversation.rev != before_rev:
        html += _oob_entry(
            request, desk.event_for(org=org, resource="conversation", resource_id=conversation.pk)
        )
        html += _announce(f"Conversation saved: {conversation.status}.")
    return HttpResponse(html)


def _view(raw):
    """(status, scope) of the inbox view a conversation was opened from ("open.mine")."""
    status, _, scope = (raw or "").partition(".")
    return (
        status if status in STATUSES else "open",
        scope if scope in dict(SCOPES) else "all",
    )


def _open_next(request, done):
    """After "Done and next": the first conversation of the agent's current inbox view (the
    one just closed has left it), else that view, empty. A full navigation (HX-Redirect)."""
    status, scope = _view(request.POST.get("view"))
    rows, _ = conv_selectors.conversations_for_inbox(
        org=_org(request), user=request.user, status=status, scope=scope, limit=2
    )
    following = next((r for r in rows if r["id"] != done.pk), None)
    if following is None:
        from django.contrib import messages

        messages.success(request, f"Closed “{done.name or 'the conversation'}”. Nothing left here.")
        url = f"/inbox/?status={status}&scope={scope}"
    else:
        url = (
            f"/customers/{following['customer_id']}/?conversation={following['id']}"
            f"&view={status}.{scope}"
        )
    response = HttpResponse(status=204)
    response["HX-Redirect"] = url
    return response


@login_required
@require_GET
def insights_panel(request, pk):
    customer = _customer(request, pk)
    return render(request, "timeline/customer.html#insights", _insights_context(request, customer))


@login_required
@require_GET
def insight_cards(request, pk):
    customer = _customer(request, pk)
    org = _org(request)
    context = {
        "customer": customer,
        "details": cards.details_cards(org=org, customer=customer),
        "cards": cards.insight_cards(org=org, customer=customer),
        "is_admin": request.user.role == "admin",
    }
    return render(request, "timeline/customer.html#cards", context)


IDENTITY_FIELDS = {
    "emails": {"key": "email", "label": "Email", "icon": "email", "help": "One address a line."},
    "phones": {"key": "phone", "label": "Phone", "icon": "voice", "help": "One number a line."},
}


def _identity_context(customer, field, **extra):
    spec = IDENTITY_FIELDS[field]
    values = [i.get(spec["key"]) for i in getattr(customer, field) or [] if isinstance(i, dict)]
    return {"customer": customer, "field": field, "spec": spec, "values": values, **extra}


@login_required
@require_http_methods(["GET", "POST"])
def identities(request, pk, field):
    """A customer's emails or phones edited inline, one a line: the row (GET), its form (GET
    ?edit=1), save (POST). A value kept keeps its type (work, home…); a new one is "other"."""
    if field not in IDENTITY_FIELDS:
        raise Http404
    customer = _customer(request, pk)
    spec = IDENTITY_FIELDS[field]
    if request.method == "GET":
        context = _identity_context(customer, field)
        if request.GET.get("edit"):
            context["text"] = "\n".join(context["values"])
            return render(request, "timeline/customer.html#ident-edit", context)
        return render(request, "timeline/customer.html#ident", context)
    text = request.POST.get("value", "")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    types = {
        str(i.get(spec["key"], "")).lower(): i.get("type")
        for i in getattr(customer, field) or []
        if isinstance(i, dict)
    }
    items = [{"type": types.get(v.lower()) or "other", spec["key"]: v} for v in lines]
    try:
        with live.renders("attributes"):
            customer = customer_update(
                org=_org(request), actor=request.user, customer=customer, data={field: items}
            )
    except (ValidationFailed, Conflict, NotFound) as exc:
        fields, other = _errors_by_field(exc, _org(request))
        messages = insights.error_messages(fields, other, field, lines)
        context = _identity_context(customer, field, text=text, errors=messages)
        return render(request, "timeline/customer.html#ident-edit", context, status=422)
    context = _identity_context(customer, field, just_saved=True)
    html = render_to_string("timeline/customer.html#ident", context, request=request)
    header = _insights_context(request, customer) | {"oob": True}
    html += render_to_string("timeline/customer.html#customer-sub", header, request=request)
    return HttpResponse(html)


@login_required
@require_POST
def customer_tags(request, pk):
    """Save a customer's tags from the insights panel's chip editor; the row comes back."""
    customer = _customer(request, pk)
    typed = [t.strip() for t in request.POST.get("tag_new", "").split(",") if t.strip()]
    tags = list(dict.fromkeys([*request.POST.getlist("tags"), *typed]))
    errors = []
    try:
        with live.renders("attributes"):
            customer = customer_update(
                org=_org(request), actor=request.user, customer=customer, data={"tags": tags}
            )
    except (ValidationFailed, Conflict, NotFound) as exc:
        errors = _messages(exc, _org(request))
    context = _insights_context(request, customer) | {"tag_errors": errors, "tags_saved": True}
    if errors:
        context["customer_tags"] = desk.tag_chips(tags, desk.tag_palette(org=_org(request)))
    return render(
        request, "timeline/customer.html#customer-tags", context, status=422 if errors else 200
    )


def _attr_definition(request, name):
    if name == "name":
        return {"displayName": "Name", "type": "Str"}
    props = (
        Metadata.objects.filter(org=_org(request), resource="customer")
        .values_list("properties", flat=True)
        .first()
        or {}
    )
    if name not in props:
        raise Http404
    return props[name] or {}


@login_required
@require_http_methods(["GET", "POST"])
def attribute(request, pk, name):
    """One insights attribute: its row (GET), its edit form (GET ?edit=1), save (POST)."""
    customer = _customer(request, pk)
    definition = _attr_definition(request, name)
    tz = _tz(request)
    current = customer.name if name == "name" else (customer.custom or {}).get(name)
    context = {"customer": customer, "tz": tz}
    if request.method == "POST":
        raw = insights.form_input(request.POST, "value", name, definition)
        value = insights.parse_input(name, raw, definition, tz) if name != "name" else raw.strip()
        data = {"name": value or ""} if name == "name" else {"custom": {name: value}}
        try:
            if name == "name" and not value:
                # The API may leave a customer unnamed (a lead known by email only); an agent
                # blanking the name of someone they are talking to is a slip, not a choice.
                raise ValidationFailed(
                    [FieldError("/name", "required", "Enter a name: it can't be left empty.")]
                )
            # This response renders the one attribute row; the cards still refresh by push.
            with live.renders("attributes"):
                customer = customer_update(
                    org=_org(request), actor=request.user, customer=customer, data=data
                )
        except (ValidationFailed, Conflict, NotFound) as exc:
            fields, other = _errors_by_field(exc, _org(request))
            key = "name" if name == "name" else f"custom.{name}"
            label = definition.get("displayName") or default_display_name(name)
            messages = insights.error_messages(fields, other, key, value, label)
            context.update(
                {
                    "attr": _attr_row(customer, name, definition, tz),
                    "widget": insights.widget(name, raw, definition, tz) | {"value": raw},
                    "errors": messages,
                }
            )
            return render(request, "timeline/customer.html#attr-edit", context, status=422)
        context["attr"] = _attr_row(customer, name, definition, tz)
        context["just_saved"] = True
        html = render_to_string("timeline/customer.html#attr", context, request=request)
        if name == "name":  # the page header and title follow the new name
            html += render_to_string(
                "timeline/customer.html#customer-name", {"customer": customer, "oob": True}
            )
        return HttpResponse(html)
    context["attr"] = _attr_row(customer, name, definition, tz)
    if request.GET.get("edit"):
        context["widget"] = insights.widget(name, current, definition, tz)
        return render(request, "timeline/customer.html#attr-edit", context)
    return render(request, "timeline/customer.html#attr", context)


def _attr_row(customer, name, definition, tz):
    if name == "name":
        return {
            "name": "name",
            "label": "Name",
            "kind": "Str",
            "icon": "Aa",
            "html": insights.format_value(customer.name, "Str"),
            "value": customer.name,
        }
    return insights.attribute_rows(
        {name: (customer.custom or {}).get(name)}, {name: definition}, tz
    )[0]


# ---- JSON helpers for the compose box -------------------------------------------------------


@login_required
@require_GET
def mention_suggestions(request):
    return JsonResponse(
        {"data": desk.mention_suggestions(org=_org(request), q=request.GET.get("q", ""))}
    )


@login_required
@require_GET
def shortcut_suggestions(request, pk):
    customer = _customer(request, pk)
    q = request.GET.get("q", "").strip().lower()
    rows = conv_selectors.shortcuts_visible(org=_org(request), user=request.user)
    if q:
        rows = rows.filter(name__icontains=q)
    conversation = None
    if as_id(request.GET.get("conversation")):
        conversation = Conversation.objects.filter(
            org=_org(request), customer=customer, pk=as_id(request.GET["conversation"])
        ).first()
    out = [
        {
            "id": s.pk,
            "name": s.name,
            "visibility": s.visibility,
            "text": conv_services.shortcut_render(
                s, customer=customer, agent=request.user, conversation=conversation
            ),
        }
        for s in rows[:10]
    ]
    return JsonResponse({"data": out})


# ---- KView of one KObject entry ------------------------------------------------------------


@login_required
@require_GET
def entry_kview(request, event_id):
    from kdesk.models import Event

    event = get_object_or_404(
        Event, org=_org(request), pk=event_id, resource__startswith="kobject."
    )
    customer = get_object_or_404(Customer, org=_org(request), pk=event.customer_id)
    klass_name = event.resource[len("kobject.") :]
    rendered = cards.timeline_view(
        org=_org(request),
        customer=customer,
        klass_name=klass_name,
        snapshot=event.data,
        event={"type": event.type, "changes": event.changes},
    )
    if event.resource_id and not event.type.endswith(".delete"):
        rendered += cards.object_cards(
            org=_org(request),
            customer=customer,
            klass_name=klass_name,
            object_id=event.resource_id,
        )
    context = {
        "cards": rendered,
        "is_admin": request.user.role == "admin",
        "snapshot": (event.data or {}).get("attributes") or {},
    }
    return render(request, "timeline/customer.html#entry-kview", context)


# ---- notifications ------------------------------------------------------------------------


NOTIFICATION_PAGE = 50


@login_required
@require_GET
def notifications(request):
    org = _org(request)
    show = request.GET.get("show", "all")
    show = show if show in ("all", "unread") else "all"
    raw = request.GET.get("cursor")
    cursor = _decode(raw) if raw else None
    rows, next_cursor = conv_selectors.notifications_page(
        org=org,
        user=request.user,
        unread_only=show == "unread",
        cursor=cursor,
        limit=NOTIFICATION_PAGE,
    )
    events = desk.note_event_ids(org=org, note_ids=[r["note_id"] for r in rows if r["note_id"]])
    for row in rows:
        if row["customer_id"]:
            link = f"/customers/{row['customer_id']}/"
            if row["note_id"]:
                link += f"?note={row['note_id']}"
                if row["note_id"] in events:
                    link += f"#entry-{events[row['note_id']]}"
            elif row["conversation_id"]:
                link += f"?conversation={row['conversation_id']}"
            row["link"] = link
    unread = conv_selectors.unread_notification_count(org=org, user=request.user)
    context = {
        "rows": rows,
        "show": show,
        "unread": unread,
        "next_cursor": encode_cursor(next_cursor) if next_cursor else None,
    }
    if _is_htmx(request) and raw and request.GET.get("part") == "rows":
        return render(request, "timeline/notifications.html#notification-rows", context)
    if _is_htmx(request) and request.GET.get("part") == "list":
        return render(request, "timeline/notifications.html#notification-list", context)
    return render(request, "timeline/notifications.html", context)


@login_required
@require_POST
def notifications_read(request):
    ids = request.POST.getlist("id")
    # The user's other tabs learn the new count from the notification.read event this records
    # (pushed after commit, timeline.live.publish); this tab from the response header.
    count = conv_services.notifications_mark_read(
        org=_org(request), user=request.user, ids=ids if ids else None
    )
    if request.POST.get("next", "").startswith("/customers/"):
        return redirect(request.POST["next"])
    if _is_htmx(request):
        response = notifications(_as_get(request))
        unread = conv_selectors.unread_notification_count(org=_org(request), user=request.user)
        response["HX-Trigger"] = json.dumps({"kdesk-unread": {"count": unread}})
        return response
    from django.contrib import messages

    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} read.")
    return redirect("/notifications/")


def _as_get(request):
    request.method = "GET"
    request.GET = request.GET.copy()
    request.GET["part"] = "list"
    return request


# ---- shortcuts ----------------------------------------------------------------------------


def _shortcut_tags(shortcut):
    tags = (shortcut.conversation_defaults or {}).get("tags") if shortcut else None
    return ", ".join(tags["value"]) if tags and tags.get("operator") == "append" else ""


def _shortcut_form(request, shortcut=None):
    return {
        "name": request.POST.get("name", shortcut.name if shortcut else ""),
        "payload": request.POST.get("payload", shortcut.payload if shortcut else ""),
        "visibility": request.POST.get(
            "visibility", shortcut.visibility if shortcut else Shortcut.Visibility.SHARED
        ),
        "tags": request.POST.get("tags", _shortcut_tags(shortcut)),
    }


def _shortcut_data(form, shortcut=None):
    """The service payload for the form: the tags field is the `append` tags default; other
    defaults (set through the API) are kept as they are."""
    data = {k: form[k] for k in ("name", "payload", "visibility")}
    defaults = dict(shortcut.conversation_defaults or {}) if shortcut else {}
    tags = [t.strip() for t in form["tags"].split(",") if t.strip()]
    if tags:
        defaults["tags"] = {"operator": "append", "value": tags}
    elif defaults.get("tags", {}).get("operator") == "append" or not shortcut:
        defaults.pop("tags", None)
    data["conversation"] = defaults
    return data


def _shortcut_errors(exc, org):
    errors, other = _errors_by_field(exc, org)
    for pointer in [k for k in errors if k.startswith("conversation")]:
        errors.setdefault("tags", []).extend(errors.pop(pointer))
    return errors, other


@login_required
@require_http_methods(["GET", "POST"])
def shortcuts(request):
    org = _org(request)
    form, errors, other = _shortcut_form(request), {}, []
    if request.method == "POST":
        try:
            shortcut = conv_services.shortcut_create(
                org=org, actor=request.user, data=_shortcut_data(form)
            )
        except (ValidationFailed, Conflict) as exc:
            errors, other = _shortcut_errors(exc, org)
        else:
            from django.contrib import messages

            messages.success(request, f"Shortcut #{shortcut.name} saved.")
            return redirect("/shortcuts/")
    rows = list(
        conv_selectors.shortcuts_visible(org=org, user=request.user).select_related("owner")
    )
    for row in rows:
        row.can_change = conv_services.shortcut_can_change(row, request.user)
    context = {
        "rows": rows,
        "form": form,
        "errors": errors,
        "form_errors": other,
        "editing": None,
    }
    return render(
        request, "timeline/shortcuts.html", context, status=422 if errors or other else 200
    )


def _visible_shortcut(request, pk, *, change=False):
    shortcut = (
        conv_selectors.shortcuts_visible(org=_org(request), user=request.user)
        .filter(pk=pk)
        .select_related("owner")
        .first()
    )
    if shortcut is None:
        raise Http404
    if change and not conv_services.shortcut_can_change(shortcut, request.user):
        raise PermissionDenied(
            f"#{shortcut.name} is {shortcut.owner.display_name}'s: only they or an admin can "
            "change it. Copy it to make your own."
        )
    return shortcut


@login_required
@require_http_methods(["GET", "POST"])
def shortcut_edit(request, pk):
    shortcut = _visible_shortcut(request, pk, change=True)
    form, errors, other = _shortcut_form(request, shortcut), {}, []
    if request.method == "POST":
        try:
            conv_services.shortcut_update(
                org=_org(request),
                actor=request.user,
                shortcut=shortcut,
                data={**_shortcut_data(form, shortcut), "rev": shortcut.rev},
                partial=True,
            )
        except ValidationFailed as exc:
            errors, other = _shortcut_errors(exc, _org(request))
        except Conflict as exc:
            errors, other = _shortcut_errors(exc, _org(request))
        except (NotFound, Forbidden) as exc:
            other = _messages(exc, _org(request))
        else:
            from django.contrib import messages

            messages.success(request, f"Shortcut #{form['name']} updated.")
            return redirect("/shortcuts/")
    context = {"form": form, "errors": errors, "form_errors": other, "editing": shortcut}
    return render(
        request, "timeline/shortcut_form.html", context, status=422 if errors or other else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def shortcut_delete(request, pk):
    shortcut = _visible_shortcut(request, pk, change=True)
    if request.method == "POST":
        conv_services.shortcut_delete(org=_org(request), actor=request.user, shortcut=shortcut)
        from django.contrib import messages

        messages.success(request, f"Shortcut #{shortcut.name} deleted.")
        return redirect("/shortcuts/")
    return render(request, "timeline/shortcut_delete.html", {"shortcut": shortcut})


@login_required
@require_POST
def shortcut_copy(request, pk):
    """Make someone else's shortcut your own: a private copy, opened for editing."""
    try:
        copy = conv_services.shortcut_copy(org=_org(request), actor=request.user, shortcut=pk)
    except NotFound:
        raise Http404 from None
    from django.contrib import messages

    messages.success(request, f"Copied to #{copy.name}, your own private shortcut.")
    return redirect(f"/shortcuts/{copy.pk}/edit/")


# ---- demo iframe page -----------------------------------------------------------------------


@xframe_options_sameorigin
@login_required
@require_GET
def demo_loyalty(request):
    """A page kdesk serves itself for the demo iframe card: the customer's loyalty status."""
    raw = request.GET.get("customer", "")
    customer = _customer(request, as_id(raw)) if as_id(raw) else None
    if customer is None:
        raise Http404
    from klasses.models import KObject

    orders = KObject.objects.filter(org=_org(request), customer=customer, klass__name="order")
    spent = 0.0
    count = 0
    for data in orders.values_list("data", flat=True)[:500]:
        count += 1
        try:
            spent += float((data or {}).get("totalNum") or 0)
        except (TypeError, ValueError):
            pass
    points = int(spent)
    tier = "Gold" if points >= 1500 else "Silver" if points >= 500 else "Bronze"
    nxt = {"Bronze": 500, "Silver": 1500, "Gold": None}[tier]
    context = {
        "customer": customer,
        "points": points,
        "tier": tier,
        "orders": count,
        "next": nxt,
        "progress": min(100, int(points * 100 / nxt)) if nxt else 100,
        "now": timezone.now(),
    }
    return render(request, "timeline/demo_loyalty.html", context)
