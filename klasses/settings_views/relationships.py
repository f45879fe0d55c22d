"""Settings pages for relationships between object types: both sides picked from lists, the
cardinality said in a sentence. An object type declares its relationships in its definition,
so writes go through klass_update with the declared list changed by one."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from kdesk.errors import Conflict, ValidationFailed
from kdesk.forms import add_service_errors
from kdesk.views import admin_required
from klasses import relationships as rel_names
from klasses import selectors, services
from klasses.settings_views.forms import CARDINALITIES, RelationshipForm, sentence

FIELDS = {
    "name": "name",
    "source": "source",
    "target": "target",
    "cardinality": "cardinality",
    "through": "through",
}


def _field_of(pointer):
    return FIELDS.get(pointer.rsplit("/", 1)[-1])


def _choices(org):
    resources = selectors.resource_choices(
        org=org, standard=("customer", "company", "conversation")
    )
    klasses = [(r[len("kobject.") :], label) for r, label in resources if r.startswith("kobject.")]
    return resources, klasses


def _rows(org, resources):
    labels = dict(resources)
    rows = []
    for rel in selectors.relationships_with_counts(org=org):
        a = labels.get(rel.from_resource, rel.from_resource)
        b = labels.get(rel.to_resource, rel.to_resource)
        through = rel.through_klass.display_name if rel.through_klass_id else None
        rows.append(
            {
                "rel": rel,
                "from": a,
                "to": b,
                "kind": dict(CARDINALITIES).get(rel.cardinality, rel.cardinality),
                "sentence": sentence(rel.cardinality, a, b, through),
                # only those an object type declares can be changed here
                "editable": rel.from_resource.startswith("kobject."),
            }
        )
    return rows


@admin_required
def relationship_list(request):
    org = request.user.org
    resources, _ = _choices(org)
    return render(
        request, "klasses/settings/relationship_list.html", {"rows": _rows(org, resources)}
    )


@admin_required
def relationship_new(request):
    org = request.user.org
    resources, klasses = _choices(org)
    form = RelationshipForm(
        request.POST or None,
        resources=resources,
        klasses=klasses,
        declared=_declared(org),
        initial={"source": request.GET.get("from", "")},
    )
    if request.method == "POST" and form.is_valid():
        holder = selectors.klass(org=org, name=form.cleaned_data["holder"])
        current = selectors.relationship_definitions(org=org, klass=holder)
        try:
            services.klass_update(
                org=org,
                actor=request.user,
                klass=holder,
                data={"relationships": [*current, form.cleaned_data["definition"]]},
            )
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, exc, _field_of)
        else:
            messages.success(request, form.sentence())
            return redirect("settings-relationships")
    return _form_page(request, form, resources, klasses)


def _form_page(request, form, resources, klasses, rel=None):
    labels = dict(resources)
    current = ""
    if rel is not None:
        through = rel.through_klass.display_name if rel.through_klass_id else None
        current = sentence(
            rel.cardinality,
            labels.get(rel.from_resource, rel.from_resource),
            labels.get(rel.to_resource, rel.to_resource),
            through,
        )
    return render(
        request,
        "klasses/settings/relationship_form.html",
        {
            "form": form,
            "rel": rel,
            "current_sentence": current,
            "labels": labels,
            "klass_names": [f"kobject.{n}" for n, _ in klasses],
        },
        status=400 if request.method == "POST" else 200,
    )


def _declared(org):
    """{Klass name: names of the relationships it declares}."""
    declared = {}
    for row in selectors.relationships_with_counts(org=org):
        if row.from_resource.startswith("kobject."):
            declared.setdefault(row.from_resource[len("kobject.") :], set()).add(row.name)
    return declared


def _declared_rel(org, pk):
    rel = selectors.relationship(org=org, pk=pk)
    if rel is None or not rel.from_resource.startswith("kobject."):
        raise Http404
    return rel


@admin_required
def relationship_edit(request, pk):
    """Change a relationship's sides, how many, or its join object type; a narrower
    cardinality that existing links break is refused with how many break."""
    org = request.user.org
    rel = _declared_rel(org, pk)
    resources, klasses = _choices(org)
    form = RelationshipForm(
        request.POST or None,
        resources=resources,
        klasses=klasses,
        declared=_declared(org),
        editing=rel,
        initial={
            "source": rel.from_resource,
            "target": rel.to_resource,
            "cardinality": rel.cardinality,
            "through": rel.through_klass.name if rel.through_klass_id else "",
            "name": rel.name,
        },
    )
    if request.method == "POST" and form.is_valid():
        holder = form.cleaned_data["holder"]
        definition = form.cleaned_data["definition"]
        if rel.link_count and rel.from_resource == f"kobject.{holder}":
            _check_links_fit(form, rel, definition, dict(resources))
        if not form.errors:
            try:
                services.relationship_redefine(
                    org=org,
                    actor=request.user,
                    relationship=rel,
                    holder=holder,
                    definition=definition,
                )
            except (ValidationFailed, Conflict) as exc:
                add_service_errors(form, exc, _field_of)
            else:
                messages.success(request, f"Link “{rel.name}” saved. {form.sentence()}")
                return redirect("settings-relationships")
    return _form_page(request, form, resources, klasses, rel=rel)


def _check_links_fit(form, rel, definition, labels):
    kind = rel_names.CARDINALITY[definition["cardinality"]]
    breaking = selectors.links_breaking(relationship=rel, cardinality=kind)
    if not breaking:
        return
    a, b = labels.get(rel.from_resource), labels.get(rel.to_resource)
    why = (
        f"a {b} or {a} is linked more than once"
        if kind == "one_to_one"
        else f"a {b} is linked to more than one {a}"
    )
    form.add_error(
        "cardinality",
        f"{breaking} of the {rel.link_count} existing links do not fit: {why}. Remove those "
        f"links first, or keep “{dict(CARDINALITIES)[rel.cardinality]}”.",
    )


@admin_required
def relationship_delete(request, pk):
    org = request.user.org
    rel = _declared_rel(org, pk)
    holder = selectors.klass(org=org, name=rel_names.target_name(rel.from_resource))
    resources, _ = _choices(org)
    labels = dict(resources)
    if request.method == "POST":
        kept = [
            d
            for d in selectors.relationship_definitions(org=org, klass=holder)
            if d["name"] != rel.name
        ]
        services.klass_update(
            org=org, actor=request.user, klass=holder, data={"relationships": kept}
        )
        messages.success(
            request,
            f"Link “{rel.name}” removed with its {rel.link_count} "
            f"connection{'' if rel.link_count == 1 else 's'}.",
        )
        return redirect("settings-relationships")
    return render(
        request,
        "klasses/settings/relationship_delete.html",
        {
            "rel": rel,
            "from": labels.get(rel.from_resource),
            "to": labels.get(rel.to_resource),
        },
    )


@admin_required
def relationship_sentence(request):
    """htmx: the sentence for the sides and cardinality picked so far."""
    from django.http import HttpResponse
    from django.utils.html import format_html

    labels = dict(_choices(request.user.org)[0])
    a, b = labels.get(request.GET.get("source")), labels.get(request.GET.get("target"))
    kind = request.GET.get("cardinality")
    if not (a and b and kind in dict(CARDINALITIES)):
        return HttpResponse("Pick both sides and how many to see what the link means.")
    through = labels.get(f"kobject.{request.GET.get('through')}")
    return HttpResponse(
        format_html(
            "<strong>{}</strong>",
            sentence(kind, a, b, through if kind == "many_to_many" else None),
        )
    )
