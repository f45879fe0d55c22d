"""Settings pages for Objects (Klasses): list, create, edit, disable/enable and delete.

Reads go through selectors, writes through services; every POST ends in a redirect so a
refresh never repeats it."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.views import admin_required
from klasses import selectors, services
from klasses.settings_views.forms import KLASS_FIELDS, KlassForm, add_service_errors, name_problem

PAGE_SIZE = 50
STALE = (
    "Someone else changed this object type while you were editing. Reload the page to see "
    "their change, then make yours again."
)


def _klass(request, name):
    klass = selectors.klass(org=request.user.org, name=name)
    if klass is None:
        raise Http404
    return klass


@admin_required
def klass_list(request):
    page = Paginator(selectors.klasses_with_counts(org=request.user.org), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "klasses/settings/klass_list.html", {"page": page})


@admin_required
def klass_new(request):
    form = KlassForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            klass = services.klass_create(
                org=request.user.org, actor=request.user, data=form.service_data()
            )
        except (ValidationFailed, Conflict) as exc:
            add_service_errors(form, _as_the_page_says(exc.errors or [_top(exc)]), KLASS_FIELDS)
        else:
            messages.success(request, f"“{klass.display_name}” created. Now give it attributes.")
            return redirect("settings-klass", name=klass.name)
    return render(
        request,
        "klasses/settings/klass_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


def _as_the_page_says(errors):
    """A taken name in the words the live name check uses (an "object type", not the API's
    "Klass"); the other messages are already the page's."""
    return [
        FieldError(
            e.pointer, e.code, "Taken: an object type with this name exists (names ignore case)."
        )
        if e.pointer == "/name" and e.code == "taken"
        else e
        for e in errors
    ]


def _top(exc):
    return FieldError("", exc.code, exc.detail)


@admin_required
def klass_edit(request, name):
    klass = _klass(request, name)
    form = KlassForm(request.POST or None, klass=klass)
    if request.method == "POST" and form.is_valid():
        try:
            klass = services.klass_update(
                org=request.user.org,
                actor=request.user,
                klass=klass,
                data=form.service_data(),
                rev=form.cleaned_data["rev"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, KLASS_FIELDS)
        except Conflict:
            form.add_error(None, STALE)
        else:
            messages.success(request, f"“{klass.display_name}” saved.")
            return redirect("settings-klass", name=klass.name)
    return render(
        request,
        "klasses/settings/klass_form.html",
        {
            "form": form,
            "klass": klass,
            "object_count": selectors.kobject_count(org=request.user.org, klass=klass),
        },
        status=400 if form.errors else 200,
    )


@admin_required
@require_POST
def klass_status(request, name):
    klass = _klass(request, name)
    enable = request.POST.get("status") == "active"
    try:
        klass = services.klass_update(
            org=request.user.org,
            actor=request.user,
            klass=klass,
            data={"status": "active" if enable else "disabled"},
            rev=request.POST.get("rev") or None,
        )
    except Conflict:
        messages.error(request, STALE)
    else:
        if enable:
            messages.success(request, f"“{klass.display_name}” is enabled.")
        else:
            messages.success(
                request,
                f"“{klass.display_name}” is disabled: its objects are kept, and no new ones can "
                "be created until you enable it again.",
            )
    return redirect("settings-klass", name=klass.name)


@admin_required
def klass_delete(request, name):
    klass = _klass(request, name)
    org = request.user.org
    dependents = selectors.klass_dependents(org=org, klass=klass)
    if dependents:
        labels = dict(selectors.resource_choices(org=org))
        for rel in dependents:
            rel.from_label = labels.get(rel.from_resource, rel.from_resource)
    if request.method == "POST" and not dependents:
        try:
            count = services.klass_delete(
                org=org, actor=request.user, klass=klass, rev=request.POST.get("rev") or None
            )
        except Conflict as exc:
            messages.error(request, exc.detail)
            return redirect("settings-klass-delete", name=klass.name)
        messages.success(
            request,
            f"“{klass.display_name}” deleted with {count} object{'' if count == 1 else 's'}.",
        )
        return redirect("settings-klasses")
    return render(
        request,
        "klasses/settings/klass_delete.html",
        {
            "klass": klass,
            "object_count": selectors.kobject_count(org=org, klass=klass),
            "dependents": dependents,
        },
        status=409 if request.method == "POST" else 200,
    )


@admin_required
@require_GET
def klass_name_check(request):
    """htmx: whether the machine name typed is free, shown beside the field as it is typed."""
    name = request.GET.get("name", "").strip()
    problem = name_problem(name) if name else None
    taken = None
    if name and problem is None:
        taken = selectors.klass_name_taken(org=request.user.org, name=name)
    return render(
        request,
        "klasses/settings/_name_check.html",
        {"name": name, "problem": problem, "taken": taken},
    )
