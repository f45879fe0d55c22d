"""Settings pages for validation rules: the object and its attribute picked from lists of what
exists (a rule on a missing attribute cannot be made here), the moment, and a sentence."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from kdesk.errors import Conflict, ValidationFailed
from kdesk.forms import add_service_errors
from kdesk.views import admin_required
from klasses import selectors, services
from klasses.services.rules import rule_attributes as standard_rule_attributes
from klasses.settings_views.rule_forms import (
    CONDITION_VALUE,
    RuleForm,
    attribute_choices,
    rule_sentence,
)

FIELDS = {
    "/resource": "resource",
    "/attribute": "attribute",
    "/when": "when",
    "/status": "status",
    "/message": "message",
    "/condition/value": "value",
    "/condition/op": "op",
}
STALE = "Someone else changed this rule while you were editing. Reload the page and try again."


def _choices(org):
    resources = selectors.resource_choices(org=org)
    definitions = selectors.all_attribute_definitions(org=org)
    attributes = {
        r: attribute_choices(
            r,
            standard_rule_attributes("kobject" if r.startswith("kobject.") else r),
            definitions.get(r, {}),
        )
        for r, _ in resources
    }
    return resources, attributes


def _describe(rule, labels, attributes):
    condition = rule.condition or {}
    label = dict(attributes.get(rule.resource, [])).get(rule.attribute, rule.attribute)
    return rule_sentence(
        labels.get(rule.resource, rule.resource),
        label,
        rule.when,
        rule.status,
        condition.get("op"),
        condition.get("value"),
    )


@admin_required
def rule_list(request):
    org = request.user.org
    resources, attributes = _choices(org)
    labels = dict(resources)
    rows = [
        {"rule": r, "sentence": _describe(r, labels, attributes), "on": labels.get(r.resource)}
        for r in selectors.rules(org=org)
    ]
    return render(request, "klasses/settings/rule_list.html", {"rows": rows})


def _initial(rule):
    condition = rule.condition or {}
    value = condition.get("value")
    return {
        "resource": rule.resource,
        "attribute": rule.attribute,
        "when": rule.when,
        "status": rule.status,
        "op": condition.get("op") or "required",
        "value": ", ".join(map(str, value)) if isinstance(value, list) else (value or ""),
        "message": rule.message,
        "active": rule.active,
        "rev": rule.rev,
    }


def _form_page(request, form, rule=None, sentence=""):
    return render(
        request,
        "klasses/settings/rule_form.html",
        {
            "form": form,
            "rule": rule,
            "sentence": sentence,
            "value_ops": [op for op, kind in CONDITION_VALUE.items() if kind],
        },
        status=400 if request.method == "POST" else 200,
    )


def _add_errors(form, exc):
    add_service_errors(form, exc, FIELDS, stale=STALE)


@admin_required
def rule_new(request):
    org = request.user.org
    resources, attributes = _choices(org)
    initial = {"when": "create", "op": "required", "active": True}
    if request.GET.get("resource") in dict(resources):
        initial["resource"] = request.GET["resource"]
    form = RuleForm(
        request.POST or None, resources=resources, attributes=attributes, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_create(org=org, actor=request.user, **form.service_fields())
        except (ValidationFailed, Conflict) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Rule added: {form.sentence()}")
            return redirect("settings-rules")
    return _form_page(request, form)


def _rule(request, pk):
    rule = selectors.rule(org=request.user.org, pk=pk)
    if rule is None:
        raise Http404
    return rule


@admin_required
def rule_edit(request, pk):
    org = request.user.org
    rule = _rule(request, pk)
    resources, attributes = _choices(org)
    form = RuleForm(
        request.POST or None,
        resources=resources,
        attributes=attributes,
        initial=_initial(rule),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(
                org=org,
                actor=request.user,
                rule=rule,
                data=form.service_fields(),
                rev=form.cleaned_data["rev"],
            )
        except (ValidationFailed, Conflict) as exc:
            _add_errors(form, exc)
        else:
            messages.success(request, f"Rule saved: {form.sentence()}")
            return redirect("settings-rules")
    return _form_page(request, form, rule, sentence=_describe(rule, dict(resources), attributes))


@admin_required
@require_POST
def rule_toggle(request, pk):
    rule = _rule(request, pk)
    active = request.POST.get("active") == "on"
    try:
        services.rule_update(
            org=request.user.org, actor=request.user, rule=rule, data={"active": active}
        )
    except ValidationFailed as exc:
        messages.error(request, f"This rule cannot be turned on as it is: {exc.detail} Edit it.")
    else:
        messages.success(
            request, "Rule turned on." if active else "Rule turned off: nothing is checked."
        )
    return redirect("settings-rules")


@admin_required
def rule_delete(request, pk):
    org = request.user.org
    rule = _rule(request, pk)
    if request.method == "POST":
        services.rule_delete(org=org, actor=request.user, rule=rule)
        messages.success(request, "Rule deleted.")
        return redirect("settings-rules")
    resources, attributes = _choices(org)
    return render(
        request,
        "klasses/settings/rule_delete.html",
        {"rule": rule, "sentence": _describe(rule, dict(resources), attributes)},
    )


@admin_required
def rule_attributes(request):
    """htmx: the attribute picker's options for the object picked."""
    resources, attributes = _choices(request.user.org)
    choices = attributes.get(request.GET.get("resource"), [])
    return render(
        request,
        "klasses/settings/_rule_attribute_options.html",
        {"choices": choices, "picked": request.GET.get("attribute")},
    )


@admin_required
def rule_preview(request):
    """htmx: the rule as a sentence, for what is picked so far."""
    resources, attributes = _choices(request.user.org)
    form = RuleForm(request.GET, resources=resources, attributes=attributes)
    if not form.is_valid() or not form.sentence():
        return HttpResponse("Pick an object and an attribute to read the rule.")
    return HttpResponse(format_html("<strong>{}</strong>", form.sentence()))
