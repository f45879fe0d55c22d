"""A new KObject (an order, a subscription…) recorded from a customer's page: pick the Klass,
then its title and attributes, checked by the schema engine; errors come back beside fields."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from kdesk.errors import Conflict, ValidationFailed
from klasses import services as klass_services
from timeline import attr_forms
from timeline import selectors_pages as pages
from timeline.insights import default_display_name_safe
from timeline.views.common import customer_or_404, errors_by_field, org_of, tz_of


def _fields(properties, post, errors, tz):
    """The form rows of the Klass's attributes (hidden and read-only ones left out) and the
    `data` they post, parsed as the insights panel parses an inline edit."""
    rows, data = [], {}
    for name, definition in properties.items():
        definition = definition or {}
        if definition.get("hidden") or definition.get("readOnly"):
            continue
        key = f"data.{name}"
        raw = attr_forms.form_input(post, key, name, definition) if post is not None else None
        value = attr_forms.parse_input(name, raw, definition, tz) if post is not None else None
        if value not in (None, [], ""):
            data[name] = value
        label = definition.get("displayName") or default_display_name_safe(name)
        rows.append(
            {
                "name": name,
                "key": key,
                "label": label,
                "required": bool(definition.get("required")),
                "widget": attr_forms.widget(name, raw if post is not None else None, definition, tz)
                | ({"value": raw} if isinstance(raw, str) else {}),
                "errors": attr_forms.field_errors(errors, key, raw, label),
            }
        )
    return rows, data


@login_required
@require_http_methods(["GET", "POST"])
def kobject_new(request, pk):
    customer = customer_or_404(request, pk)
    org, tz = org_of(request), tz_of(request)
    klasses = pages.active_klasses(org=org)
    wanted = request.POST.get("klass") or request.GET.get("klass") or ""
    klass = next((k for k in klasses if k.name == wanted), None)
    if not wanted and len(klasses) == 1:  # one kind only: no choice to make
        klass = klasses[0]
    context = {"customer": customer, "klasses": klasses, "klass": klass, "form_errors": []}
    if klass is None:
        status = 404 if wanted else 200  # a Klass that is not there (or disabled) is named
        if wanted:
            context["form_errors"] = ["That kind of object does not exist or is disabled."]
        return render(request, "timeline/kobject_new.html", context, status=status)
    properties = pages.klass_properties(org=org, klass_name=klass.name)
    title = request.POST.get("title", "").strip()
    errors, other = {}, []
    if request.method == "POST":
        _, data = _fields(properties, request.POST, {}, tz)
        body = {"title": title, "customer": customer.pk, "data": data}
        try:
            kobject = klass_services.kobject_create(
                org=org, actor=request.user, klass=klass, data=body
            )
        except (ValidationFailed, Conflict) as exc:
            errors, other = errors_by_field(exc, org)
        else:
            name = klass.display_name or klass.name
            messages.success(request, f"{name} “{kobject.title}” added to {customer.name}.")
            return redirect(f"/customers/{customer.pk}/")
    rows, _ = _fields(properties, request.POST if request.method == "POST" else None, errors, tz)
    shown = {"title"} | {row["key"] for row in rows}
    shown_prefixes = tuple(f"{key}." for key in shown)
    other += [
        detail
        for key, details in errors.items()
        if key not in shown and not key.startswith(shown_prefixes)
        for detail in details
    ]
    title_errors = [
        d.replace("title ", "Title ", 1) if d.startswith("title ") else d
        for d in errors.get("title", [])
    ]
    context.update(
        {"title": title, "title_errors": title_errors, "fields": rows, "form_errors": other}
    )
    return render(
        request, "timeline/kobject_new.html", context, status=422 if errors or other else 200
    )
