"""Settings pages for custom attributes, per resource: the standard objects (customer, company,
conversation, message) and each Klass. `/settings/attributes/<key>/`, where the key is a
standard object's name or a Klass's (Klass names may not be a standard object's)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from kdesk.errors import Conflict, ValidationFailed
from kdesk.views import admin_required
from klasses import selectors, services
from klasses.schema import attribute_type
from klasses.schema.definitions import OBJ_PROPERTY_TYPES
from klasses.settings_views.attribute_forms import OPTIONS, TYPE_LABELS, TYPES, AttributeForm

STALE = (
    "Someone else changed these attributes while you were editing. Reload the page to see "
    "their change, then make yours again."
)


class Target:
    """The resource whose attributes a page edits, named for people."""

    def __init__(self, key, resource, label, klass=None):
        self.key, self.resource, self.label, self.klass = key, resource, label, klass

    @property
    def url(self):
        return f"/settings/attributes/{self.key}/"

    @property
    def rows_word(self):
        return f"{self.label} records" if self.klass is None else f"{self.label} objects"


def _target(request, key):
    if key in selectors.STANDARD_LABELS:
        return Target(key, key, selectors.STANDARD_LABELS[key])
    klass = selectors.klass(org=request.user.org, name=key)
    if klass is None:
        raise Http404
    return Target(key, f"kobject.{klass.name}", klass.display_name, klass)


def _rows(definitions):
    rows = []
    for name, d in definitions.items():
        kind = d.get("type") or attribute_type(name)
        flags = [
            label
            for key, label in (
                ("required", "Required"),
                ("array", "List"),
                ("multi", "Several choices"),
                ("hidden", "Hidden"),
                ("readOnly", "Read-only"),
            )
            if d.get(key)
        ]
        rows.append(
            {
                "name": name,
                "label": d.get("displayName") or name,
                "type": TYPE_LABELS.get(kind, kind),
                "flags": flags,
                "choices": len(d.get("enum") or []),
                "color": d.get("color") or "",
                "position": d.get("position"),
            }
        )
    # the admin's order first (position), then the rest by name: jsonb keeps no key order
    rows.sort(key=lambda r: (r["position"] is None, r["position"] or 0, r["label"].lower()))
    return rows


@admin_required
def attribute_index(request):
    org = request.user.org
    counts = selectors.attribute_counts(org=org)
    targets = [
        {
            "key": r if not r.startswith("kobject.") else r[8:],
            "label": label,
            "count": counts.get(r, 0),
        }
        for r, label in selectors.resource_choices(org=org)
    ]
    return render(request, "klasses/settings/attribute_index.html", {"targets": targets})


@admin_required
def attribute_list(request, key):
    target = _target(request, key)
    definitions, rev = selectors.attribute_definitions(
        org=request.user.org, resource=target.resource
    )
    return render(
        request,
        "klasses/settings/attribute_list.html",
        {"target": target, "rows": _rows(definitions), "rev": rev},
    )


def _save(request, target, form, name, rev, extra=None):
    """Write one definition; True when saved. A change stored rows would violate is held
    back, with their number and the choice to save anyway (`force`)."""
    try:
        _, broken = services.metadata_update(
            org=request.user.org,
            actor=request.user,
            resource=target.resource,
            data={"properties": {name: {**form.definition(), **(extra or {})}}, "rev": rev},
            force=form.cleaned_data.get("force") or False,
        )
    except ValidationFailed as exc:
        form.add_engine_errors(exc.errors)
        return False
    except Conflict as exc:
        if getattr(exc, "broken", None):
            form.would_break = len(exc.broken)
        else:
            form.add_error(None, STALE)
        return False
    if broken:
        messages.warning(
            request,
            f"Saved. {len(broken)} existing {target.rows_word} do not meet it and were left as "
            "they are; they are refused on their next change until fixed.",
        )
    return True


def _form_page(request, target, form, name=None, status=200):
    return render(
        request,
        "klasses/settings/attribute_form.html",
        {
            "target": target,
            "form": form,
            "name": name,
            "types": TYPES,
            "kind": form.kind_value() or "Str",
            "options": {k: list(v) for k, v in OPTIONS.items()},
            "prop_types": [(t, TYPE_LABELS[t]) for t in OBJ_PROPERTY_TYPES],
            "would_break": getattr(form, "would_break", None),
        },
        status=status,
    )


@admin_required
def attribute_new(request, key):
    target = _target(request, key)
    definitions, rev = selectors.attribute_definitions(
        org=request.user.org, resource=target.resource
    )
    form = AttributeForm(
        request.POST or None, taken=definitions, initial={"kind": "Str", "rev": rev}
    )
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        positions = [d["position"] for d in definitions.values() if "position" in d]
        # a new attribute goes last in an order the admin has set
        extra = {"position": max(positions) + 1} if positions else {}
        if _save(request, target, form, name, form.cleaned_data["rev"], extra):
            messages.success(request, f"Attribute “{form.cleaned_data['display_name']}” added.")
            return redirect(target.url)
    return _form_page(request, target, form, status=400 if request.method == "POST" else 200)


@admin_required
def attribute_edit(request, key, name):
    target = _target(request, key)
    definitions, rev = selectors.attribute_definitions(
        org=request.user.org, resource=target.resource
    )
    if name not in definitions:
        raise Http404
    form = AttributeForm(request.POST or None, name=name, definition=definitions[name], rev=rev)
    if request.method == "POST" and form.is_valid():
        if _save(request, target, form, name, form.cleaned_data["rev"]):
            messages.success(request, f"Attribute “{form.cleaned_data['display_name']}” saved.")
            return redirect(target.url)
    return _form_page(
        request, target, form, name=name, status=400 if request.method == "POST" else 200
    )


@admin_required
def attribute_remove(request, key, name):
    """Confirm, then delete one attribute; what depends on it is named, and blocks it."""
    target = _target(request, key)
    org = request.user.org
    definitions, rev = selectors.attribute_definitions(org=org, resource=target.resource)
    if name not in definitions:
        raise Http404
    label = definitions[name].get("displayName") or name
    if request.method == "POST":
        try:
            services.attribute_delete(
                org=org,
                actor=request.user,
                resource=target.resource,
                name=name,
                rev=request.POST.get("rev") or None,
            )
        except Conflict as exc:
            # in use since the page was shown, or changed by someone else: show it again
            if not getattr(exc, "errors", None):
                messages.error(request, STALE)
        else:
            messages.success(request, f"Attribute “{label}” deleted.")
            return redirect(target.url)
    rules, kviews = selectors.attribute_dependents(org=org, resource=target.resource, name=name)
    return render(
        request,
        "klasses/settings/attribute_delete.html",
        {
            "target": target,
            "name": name,
            "label": label,
            "rev": rev,
            "rules": rules,
            "kviews": kviews,
            "value_count": selectors.attribute_value_count(
                org=org, resource=target.resource, name=name
            ),
        },
        status=409 if request.method == "POST" else 200,
    )


@admin_required
@require_POST
def attribute_move(request, key, name):
    """Move one attribute up or down; the insights panel shows them in this order."""
    target = _target(request, key)
    org = request.user.org
    definitions, rev = selectors.attribute_definitions(org=org, resource=target.resource)
    order = [row["name"] for row in _rows(definitions)]
    if name not in order:
        raise Http404
    i = order.index(name)
    j = i - 1 if request.POST.get("direction") == "up" else i + 1
    if 0 <= j < len(order):
        order[i], order[j] = order[j], order[i]
        try:
            services.attributes_reorder(
                org=org,
                actor=request.user,
                resource=target.resource,
                names=order,
                rev=request.POST.get("rev") or None,
            )
        except Conflict:
            messages.error(request, STALE)
    return redirect(f"{target.url}#attr-{name}")
