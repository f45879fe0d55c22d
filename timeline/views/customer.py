"""A customer's page: the timeline (filters, infinite scroll), with the conversation panel and
the insights panel beside it."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from conversations import services as conv_services
from kdesk.api.pagination import encode_cursor
from kdesk.payload import as_id
from timeline import fragments
from timeline import selectors_desk as desk
from timeline import selectors_pages as pages
from timeline.entries import KINDS, type_prefixes
from timeline.selectors import decode_keyset, encode_keyset, timeline_page
from timeline.views.attributes import insights_context
from timeline.views.common import customer_or_404, decode, org_of, tz_of
from timeline.views.conversation import conversation_context

PAGE_SIZE = 30
FILTER_KINDS = [k for k in KINDS if k != "customer"]
KIND_LABELS = {
    "message": "Messages",
    "note": "Notes",
    "conversation": "Conversation events",
    "kobject": "Objects",
}


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
        org=org_of(request),
        customer_id=customer.pk,
        before=before,
        kinds=kinds,
        klasses=klasses,
        limit=limit,
    )
    fragments.decorate(
        rows, org=org_of(request), previous_conversation=previous_conversation, tz=tz_of(request)
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


def _note_page_limit(request, customer):
    """How many entries the first page needs so that `?note=<id>` (else the newest entry of
    `?conversation=<id>`) is on it (capped), and that entry's event id."""
    note = request.GET.get("note", "")
    conversation = as_id(request.GET.get("conversation", ""))
    if as_id(note) is not None:
        event = desk.event_for(org=org_of(request), resource="note", resource_id=note)
    elif conversation is not None:
        event = desk.conversation_latest_event(
            org=org_of(request), customer_id=customer.pk, conversation_id=conversation
        )
    else:
        return PAGE_SIZE, None
    if event is None or (as_id(note) is not None and event.customer_id != customer.pk):
        return PAGE_SIZE, None
    newer = pages.events_since(org=org_of(request), customer_id=customer.pk, at=event.created_at)
    return min(max(PAGE_SIZE, newer + 5), 1000), event.pk


@login_required
@require_GET
def customer_page(request, pk):
    customer = customer_or_404(request, pk)
    # The bell of this page renders the new count; the person's other tabs follow the
    # notification.read event this records (timeline.live.publish).
    conv_services.notifications_mark_seen(
        org=org_of(request),
        user=request.user,
        note_id=request.GET.get("note"),
        conversation_id=request.GET.get("conversation"),
    )
    # The reconnect cursor is read before the timeline: an event committed between the two is
    # then replayed on connect instead of being neither rendered nor replayed.
    last_event_id = desk.last_event_id(org=org_of(request), customer_id=customer.pk)
    limit, target = _note_page_limit(request, customer)
    # a note is highlighted; a conversation's newest entry is only brought into view
    highlight = target if request.GET.get("note") else None
    context = _timeline(request, customer, limit=limit)
    conversation_id = request.GET.get("conversation")
    context.update(conversation_context(request, customer, as_id(conversation_id)))
    context.update(insights_context(request, customer))
    klass_list = desk.klass_list(org=org_of(request))
    context.update(
        {
            "chips": _chips(context["kinds"], context["klasses_on"], klass_list),
            "klass_list": klass_list,
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
    customer = customer_or_404(request, pk)
    raw = request.GET.get("cursor")
    before = None
    if raw:
        decoded = decode(raw)
        before = decode_keyset(decoded) if decoded is not None else None
        if before is None:
            return HttpResponse("That cursor is not one this page issued.", status=400)
    context = _timeline(
        request, customer, before=before, previous_conversation=request.GET.get("after_conv")
    )
    if raw:
        return render(request, "timeline/customer.html#timeline-page", context)
    klass_list = desk.klass_list(org=org_of(request))
    context["chips"] = _chips(context["kinds"], context["klasses_on"], klass_list)
    return render(request, "timeline/customer.html#timeline-section", context)
