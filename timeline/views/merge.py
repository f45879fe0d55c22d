"""Merge two customers from the desk: find the duplicate, see what would move and what the
kept record gains, choose which one is kept, confirm. The merge itself is customers'
`customer_merge` (one transaction, its own event); this page only prepares and asks."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from customers.services import customer_merge
from kdesk.errors import Conflict, NotFound, ValidationFailed
from kdesk.payload import as_id
from timeline import selectors_desk as desk
from timeline import selectors_merge
from timeline.views.common import customer_or_404, messages_of, org_of, properties


def _candidates(request, customer, q):
    """Customers matching `q` other than this one (the search the customers list uses)."""
    if not q:
        return []
    rows, _ = desk.customers_search(org=org_of(request), q=q, limit=10)
    out = []
    for row in rows:
        if row["id"] == customer.pk:
            continue
        row["email"] = next(
            (e.get("email") for e in row["emails"] or [] if isinstance(e, dict)), ""
        )
        out.append(row)
    return out


def _preview(request, customer, other_id, keep_id):
    """(kept, removed, preview) for the pair, or None when `other_id` is not a customer here."""
    pair = selectors_merge.customer_pair(org=org_of(request), ids=[customer.pk, other_id])
    if other_id == customer.pk or other_id not in pair:
        return None
    kept = pair[keep_id] if keep_id in pair else customer
    removed = pair[other_id] if kept.pk == customer.pk else customer
    preview = selectors_merge.merge_preview(
        org=org_of(request),
        source=removed,
        target=kept,
        properties=properties(request, "customer"),
    )
    return kept, removed, preview


@login_required
@require_http_methods(["GET", "POST"])
def customer_merge_page(request, pk):
    customer = customer_or_404(request, pk)
    source = request.POST if request.method == "POST" else request.GET
    q = request.GET.get("q", "").strip()[:200]
    other_id = as_id(source.get("other"))
    keep_id = as_id(source.get("keep")) or customer.pk
    context = {"customer": customer, "q": q, "errors": []}
    if other_id is None:
        if request.method == "POST":
            context["errors"] = ["Choose the customer to merge with first."]
        context["candidates"] = _candidates(request, customer, q)
        return render(
            request, "timeline/merge.html", context, status=422 if context["errors"] else 200
        )
    found = _preview(request, customer, other_id, keep_id)
    if found is None:
        context["errors"] = ["That customer does not exist or is this same customer."]
        context["candidates"] = _candidates(request, customer, q)
        return render(request, "timeline/merge.html", context, status=404)
    kept, removed, preview = found
    context.update({"kept": kept, "removed": removed, "preview": preview, "other_id": other_id})
    if request.method == "POST":
        # The preview shown is the one confirmed: a record changed since is shown again.
        seen = (as_id(request.POST.get("kept_rev")), as_id(request.POST.get("removed_rev")))
        if seen != (kept.rev, removed.rev):
            context["errors"] = [
                "One of these customers changed since the preview: check it again, then merge."
            ]
            return render(request, "timeline/merge.html", context, status=409)
        try:
            merged = customer_merge(
                org=org_of(request), actor=request.user, source=removed.pk, target=kept.pk
            )
        except (ValidationFailed, NotFound, Conflict) as exc:
            context["errors"] = messages_of(exc, org_of(request))
            return render(request, "timeline/merge.html", context, status=422)
        removed_name = removed.name or f"customer #{removed.pk}"
        messages.success(request, f"Merged {removed_name} into {merged.name or 'this customer'}.")
        return redirect(f"/customers/{merged.pk}/")
    return render(request, "timeline/merge.html", context)
