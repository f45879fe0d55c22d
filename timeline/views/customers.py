"""The customers list (search, quick find) and a new customer from the desk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from customers.services import customer_create
from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.payload import as_id
from timeline import selectors_desk as desk
from timeline.views.common import errors_by_field, is_htmx, org_of


@login_required
@require_GET
def customers(request):
    q = request.GET.get("q", "").strip()
    if q and not request.GET.get("before"):
        hit = desk.quick_find(org=org_of(request), q=q)
        if hit:
            return redirect(f"/customers/{hit}/")
    before = _search_cursor(request.GET.get("before"), ranked=bool(q))
    rows, next_before = desk.customers_search(org=org_of(request), q=q, before=before)
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
    if is_htmx(request) and before:
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
            customer = customer_create(org=org_of(request), actor=request.user, data=data)
        except (ValidationFailed, Conflict) as exc:
            errors, other = errors_by_field(exc, org_of(request))
        else:
            messages.success(request, f"Customer {customer.name} created.")
            return redirect(f"/customers/{customer.pk}/")
    fields = [
        {"key": key, "label": label, "type": kind, "value": values[key], "errors": errors.get(ptr)}
        for key, label, kind, ptr in NEW_CUSTOMER_FIELDS
    ]
    status = 422 if errors or other else 200
    context = {"fields": fields, "form_errors": other}
    return render(request, "timeline/customer_new.html", context, status=status)
