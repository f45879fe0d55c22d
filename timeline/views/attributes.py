"""The insights panel's inline edits: the customer's name and custom attributes, emails and
phones, and tags. Each answers with the one row it changed (the cards refresh by push)."""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from customers.services import customer_update
from kdesk.errors import Conflict, FieldError, NotFound, ValidationFailed
from klasses.schema.types import default_display_name
from timeline import attr_forms, insights, live
from timeline import selectors_desk as desk
from timeline.views.common import (
    customer_or_404,
    errors_by_field,
    messages_of,
    org_of,
    properties,
    tz_of,
)


def insights_context(request, customer):
    org = org_of(request)
    emails = [e.get("email") for e in customer.emails or [] if isinstance(e, dict)]
    phones = [p.get("phone") for p in customer.phones or [] if isinstance(p, dict)]
    palette = desk.tag_palette(org=org)
    return {
        "customer_tags": desk.tag_chips(customer.tags, palette),
        "tag_options": sorted(palette),
        "customer": customer,
        "emails": emails,
        "phones": phones,
        "attributes": insights.attribute_rows(
            customer.custom, properties(request, "customer"), tz_of(request)
        ),
    }


@login_required
@require_GET
def insights_panel(request, pk):
    customer = customer_or_404(request, pk)
    return render(request, "timeline/customer.html#insights", insights_context(request, customer))


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
    customer = customer_or_404(request, pk)
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
                org=org_of(request), actor=request.user, customer=customer, data={field: items}
            )
    except (ValidationFailed, Conflict, NotFound) as exc:
        fields, other = errors_by_field(exc, org_of(request))
        messages = attr_forms.error_messages(
            fields, other, field, lines, item_word="Line", item_key=spec["key"]
        )
        context = _identity_context(customer, field, text=text, errors=messages)
        return render(request, "timeline/customer.html#ident-edit", context, status=422)
    context = _identity_context(customer, field, just_saved=True)
    html = render_to_string("timeline/customer.html#ident", context, request=request)
    header = insights_context(request, customer) | {"oob": True}
    html += render_to_string("timeline/customer.html#customer-sub", header, request=request)
    return HttpResponse(html)


@login_required
@require_POST
def customer_tags(request, pk):
    """Save a customer's tags from the insights panel's chip editor; the row comes back."""
    customer = customer_or_404(request, pk)
    typed = [t.strip() for t in request.POST.get("tag_new", "").split(",") if t.strip()]
    tags = list(dict.fromkeys([*request.POST.getlist("tags"), *typed]))
    errors = []
    try:
        with live.renders("attributes"):
            customer = customer_update(
                org=org_of(request), actor=request.user, customer=customer, data={"tags": tags}
            )
    except (ValidationFailed, Conflict, NotFound) as exc:
        errors = messages_of(exc, org_of(request))
    context = insights_context(request, customer) | {"tag_errors": errors, "tags_saved": True}
    if errors:
        context["customer_tags"] = desk.tag_chips(tags, desk.tag_palette(org=org_of(request)))
    return render(
        request, "timeline/customer.html#customer-tags", context, status=422 if errors else 200
    )


def _attr_definition(request, name):
    if name == "name":
        return {"displayName": "Name", "type": "Str"}
    props = properties(request, "customer")
    if name not in props:
        raise Http404
    return props[name] or {}


@login_required
@require_http_methods(["GET", "POST"])
def attribute(request, pk, name):
    """One insights attribute: its row (GET), its edit form (GET ?edit=1), save (POST)."""
    customer = customer_or_404(request, pk)
    definition = _attr_definition(request, name)
    tz = tz_of(request)
    current = customer.name if name == "name" else (customer.custom or {}).get(name)
    context = {"customer": customer, "tz": tz}
    if request.method == "POST":
        raw = attr_forms.form_input(request.POST, "value", name, definition)
        value = attr_forms.parse_input(name, raw, definition, tz) if name != "name" else raw.strip()
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
                    org=org_of(request), actor=request.user, customer=customer, data=data
                )
        except (ValidationFailed, Conflict, NotFound) as exc:
            fields, other = errors_by_field(exc, org_of(request))
            key = "name" if name == "name" else f"custom.{name}"
            label = definition.get("displayName") or default_display_name(name)
            messages = attr_forms.error_messages(fields, other, key, value, label)
            context.update(
                {
                    "attr": _attr_row(customer, name, definition, tz),
                    "widget": attr_forms.widget(name, raw, definition, tz) | {"value": raw},
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
        context["widget"] = attr_forms.widget(name, current, definition, tz)
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
