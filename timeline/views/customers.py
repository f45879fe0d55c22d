"""The customers list (search, quick find) and a new customer from the desk."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from customers.services import customer_check, customer_create
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
        org = org_of(request)
        data = {"name": values["name"]}
        if values["email"]:
            data["emails"] = [{"type": "other", "email": values["email"]}]
        if values["phone"]:
            data["phones"] = [{"type": "other", "phone": values["phone"]}]
        if values["externalId"]:
            data["externalId"] = values["externalId"]
        try:
            problems = _new_customer_problems(org, data)
            if problems:
                raise ValidationFailed(problems)
            customer = customer_create(org=org, actor=request.user, data=data)
        except (ValidationFailed, Conflict) as exc:
            errors, other = errors_by_field(exc, org)
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


def _new_customer_problems(org, data):
    """Every problem of the form at once, so one submit shows them all: a missing name, the
    malformed values, and which of the well-formed ones belong to another customer (the
    service stops at malformed values before it looks for taken ones). Nothing is written."""
    problems = []
    if not data["name"]:
        problems.append(FieldError("/name", "required", "Enter a name: it can't be left empty."))
    with transaction.atomic():
        try:
            customer_check(org=org, data=data)
        except ValidationFailed as exc:
            problems.extend(exc.errors)
            malformed = {(e.pointer or "").strip("/").split("/")[0] for e in exc.errors}
            rest = {key: value for key, value in data.items() if key not in malformed}
            try:
                customer_check(org=org, data=rest)
            except Conflict as taken:
                problems.extend(taken.errors)
            except ValidationFailed:
                pass  # reported above
        except Conflict as exc:
            problems.extend(exc.errors)
        transaction.set_rollback(True)  # the engine may have recorded attribute definitions
    return problems
