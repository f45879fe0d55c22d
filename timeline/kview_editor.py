"""Settings → KViews (/settings/kviews/): list, a code editor with a live preview against one of
the admin's own records, and deletion. Template errors are shown with their line as the admin
types and refused on save (an unknown filter included), never found later on a customer page.

The editor lives in timeline because the preview renders exactly as the desk does (cards.py);
writes go through the klasses services."""

import hashlib
import json

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_POST

from kdesk.errors import Conflict, ValidationFailed
from kdesk.forms import add_service_errors
from kdesk.middleware import content_security_policy
from kdesk.views import admin_required
from klasses import kviews, services
from klasses import selectors as klass_selectors
from klasses.models import KView
from timeline import cards, kview_samples
from timeline.kview_forms import CONTEXT_LABELS, CONTEXTS, KViewForm, variables

FIELDS = {
    "/name": "name",
    "/resource": "resource",
    "/context": "context",
    "/kind": "kind",
    "/template": "template",
    "/urlTemplate": "url_template",
    "/position": "position",
}
STALE = "Someone else changed this KView while you were editing. Reload the page and try again."
# The vendored editor's modules (static/vendor/codemirror, see its README), by the names their
# own imports use: the browser resolves them through an import map.
EDITOR_MODULES = {
    "@codemirror/state": "state/index.js",
    "@codemirror/view": "view/index.js",
    "@codemirror/language": "language/index.js",
    "@codemirror/commands": "commands/index.js",
    "@codemirror/lint": "lint/index.js",
    "@codemirror/streamparser": "streamparser/index.js",
    "@codemirror/legacy-modes/mode/jinja2": "legacy-modes/jinja2.js",
    "@lezer/common": "lezer-common/index.js",
    "@lezer/highlight": "lezer-highlight/index.js",
    "style-mod": "style-mod/style-mod.js",
    "w3c-keyname": "w3c-keyname/index.js",
    "crelt": "crelt/index.js",
    "@marijn/find-cluster-break": "find-cluster-break/index.js",
}


def _resources(org):
    return klass_selectors.resource_choices(org=org, standard=("customer", "conversation"))


def _import_map():
    return json.dumps(
        {"imports": {n: static(f"vendor/codemirror/{p}") for n, p in EDITOR_MODULES.items()}},
        separators=(",", ":"),
    )


def _with_import_map(response, import_map):
    """The page's policy allows its one inline script, the import map, by its hash."""
    digest = hashlib.sha256(import_map.encode()).digest()
    from base64 import b64encode

    allowed = f"script-src 'self' 'sha256-{b64encode(digest).decode()}'"
    response["Content-Security-Policy"] = content_security_policy().replace(
        "script-src 'self'", allowed
    )
    return response


@admin_required
def kview_list(request):
    org = request.user.org
    labels = dict(_resources(org))
    rows = [
        {
            "kview": v,
            "on": labels.get(v.resource, v.resource),
            "where": CONTEXT_LABELS.get(v.context, v.context),
        }
        for v in kview_samples.kviews(org=org)
    ]
    return render(request, "timeline/settings/kview_list.html", {"rows": rows})


def _initial(kview):
    return {
        "name": kview.name,
        "resource": kview.resource,
        "context": kview.context,
        "kind": kview.kind,
        "template": kview.template,
        "url_template": kview.url_template,
        "position": kview.position,
        "active": kview.active,
        "rev": kview.rev,
    }


def _page(request, form, kview=None):
    org = request.user.org
    resource = form["resource"].value() or ""
    context = form["context"].value() or ""
    import_map = _import_map()
    response = render(
        request,
        "timeline/settings/kview_form.html",
        {
            "form": form,
            "kview": kview,
            "contexts": CONTEXTS,
            "import_map": import_map,
            "samples": kview_samples.sample_choices(org=org, resource=resource),
            "variables": variables(
                resource=resource,
                context=context,
                definitions=klass_selectors.all_attribute_definitions(org=org),
            ),
        },
        status=400 if request.method == "POST" else 200,
    )
    return _with_import_map(response, import_map)


def _save_errors(form, exc):
    add_service_errors(form, exc, FIELDS, stale=STALE)


@admin_required
def kview_new(request):
    org = request.user.org
    initial = {"kind": "template", "context": KView.Context.INSIGHT_CARD, "position": 0}
    if request.GET.get("resource") in dict(_resources(org)):
        initial["resource"] = request.GET["resource"]
    form = KViewForm(request.POST or None, resources=_resources(org), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            kview = services.kview_create(org=org, actor=request.user, data=form.service_data())
        except (ValidationFailed, Conflict) as exc:
            _save_errors(form, exc)
        else:
            messages.success(request, f"KView “{kview.name}” saved.")
            return redirect("settings-kview", pk=kview.pk)
    return _page(request, form)


def _kview(request, pk):
    kview = kview_samples.kview(org=request.user.org, pk=pk)
    if kview is None:
        raise Http404
    return kview


@admin_required
def kview_edit(request, pk):
    org = request.user.org
    kview = _kview(request, pk)
    form = KViewForm(request.POST or None, resources=_resources(org), initial=_initial(kview))
    if request.method == "POST" and form.is_valid():
        try:
            kview = services.kview_update(
                org=org,
                actor=request.user,
                kview=kview,
                data=form.service_data(),
                rev=form.cleaned_data["rev"],
            )
        except (ValidationFailed, Conflict) as exc:
            _save_errors(form, exc)
        else:
            messages.success(request, f"KView “{kview.name}” saved.")
            return redirect("settings-kview", pk=kview.pk)
    return _page(request, form, kview)


@admin_required
def kview_delete(request, pk):
    kview = _kview(request, pk)
    if request.method == "POST":
        services.kview_delete(org=request.user.org, actor=request.user, kview=kview)
        messages.success(request, f"KView “{kview.name}” deleted.")
        return redirect("settings-kviews")
    return render(request, "timeline/settings/kview_delete.html", {"kview": kview})


@admin_required
def kview_samples_options(request):
    """htmx: the records a KView on the resource picked can be previewed against."""
    choices = kview_samples.sample_choices(
        org=request.user.org, resource=request.GET.get("resource", "")
    )
    return render(request, "timeline/settings/_kview_sample_options.html", {"samples": choices})


@admin_required
@require_POST
def kview_preview(request):
    """The template as the desk would render it for the record picked: {html} or {error,
    line}. A syntax error or an unknown filter is found before any rendering."""
    post = request.POST
    kind = post.get("kind", "template")
    source = post.get("url_template" if kind == "iframe" else "template", "")
    problem = (kviews.url_template_error if kind == "iframe" else kviews.syntax_error)(source)
    if problem:
        return JsonResponse({"error": problem, "line": _line(problem)})
    resource = post.get("resource", "")
    if resource not in dict(_resources(request.user.org)):
        return JsonResponse({"error": "Choose what the KView is shown for.", "line": None})
    sample = post.get("sample", "")
    context, roots = (
        kview_samples.preview_context(
            org=request.user.org, resource=resource, context=post.get("context"), sample=sample
        )
        if sample.isdigit()
        else (None, [])
    )
    if context is None:
        return JsonResponse({"error": "Choose a record to preview with.", "line": None})
    view = KView(resource=resource, kind=kind, template=source, url_template=source, name="")
    cards.prefetch_related(request.user.org, [view], roots)
    card = cards.render_kview(view, context)
    if not card.ok:
        return JsonResponse({"error": card.error, "line": card.line})
    return JsonResponse({"html": card.html})


def _line(problem):
    head = problem.split(":", 1)[0]
    return int(head[5:]) if head.startswith("line ") and head[5:].isdigit() else None


@admin_required
def kview_variables(request):
    """htmx: the side panel for the object and place picked."""
    org = request.user.org
    return render(
        request,
        "timeline/settings/_kview_variables.html",
        {
            "variables": variables(
                resource=request.GET.get("resource", ""),
                context=request.GET.get("context", ""),
                definitions=klass_selectors.all_attribute_definitions(org=org),
            )
        },
    )
