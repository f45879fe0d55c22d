"""The cards a customer's page loads on its own: insight cards, a KObject entry's KView, and
the demo loyalty page kdesk serves for its iframe card."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET

from kdesk.payload import as_id
from timeline import cards
from timeline import selectors_pages as pages
from timeline.views.common import customer_or_404, org_of


@login_required
@require_GET
def insight_cards(request, pk):
    customer = customer_or_404(request, pk)
    org = org_of(request)
    context = {
        "customer": customer,
        "details": cards.details_cards(org=org, customer=customer),
        "cards": cards.insight_cards(org=org, customer=customer),
        "is_admin": request.user.role == "admin",
    }
    return render(request, "timeline/customer.html#cards", context)


@login_required
@require_GET
def entry_kview(request, event_id):
    org = org_of(request)
    event = pages.kobject_event(org=org, pk=event_id)
    if event is None:
        raise Http404
    customer = customer_or_404(request, event.customer_id)
    klass_name = event.resource[len("kobject.") :]
    rendered = cards.timeline_view(
        org=org,
        customer=customer,
        klass_name=klass_name,
        snapshot=event.data,
        event={"type": event.type, "changes": event.changes},
    )
    if event.resource_id and not event.type.endswith(".delete"):
        rendered += cards.object_cards(
            org=org,
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


@xframe_options_sameorigin
@login_required
@require_GET
def demo_loyalty(request):
    """A page kdesk serves itself for the demo iframe card: the customer's loyalty status."""
    raw = request.GET.get("customer", "")
    customer = customer_or_404(request, as_id(raw)) if as_id(raw) else None
    if customer is None:
        raise Http404
    count, spent = pages.order_totals(org=org_of(request), customer_id=customer.pk)
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
