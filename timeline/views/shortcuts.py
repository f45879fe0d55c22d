"""Shortcuts (canned replies): list and create, edit, delete, and copy someone else's."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from conversations import services as conv_services
from conversations.models import Shortcut
from kdesk.errors import Conflict, Forbidden, NotFound, ValidationFailed
from timeline import selectors_pages as pages
from timeline.views.common import errors_by_field, messages_of, org_of


def _shortcut_tags(shortcut):
    tags = (shortcut.conversation_defaults or {}).get("tags") if shortcut else None
    return ", ".join(tags["value"]) if tags and tags.get("operator") == "append" else ""


def _shortcut_form(request, shortcut=None):
    return {
        "name": request.POST.get("name", shortcut.name if shortcut else ""),
        "payload": request.POST.get("payload", shortcut.payload if shortcut else ""),
        "visibility": request.POST.get(
            "visibility", shortcut.visibility if shortcut else Shortcut.Visibility.SHARED
        ),
        "tags": request.POST.get("tags", _shortcut_tags(shortcut)),
    }


def _shortcut_data(form, shortcut=None):
    """The service payload for the form: the tags field is the `append` tags default; other
    defaults (set through the API) are kept as they are."""
    data = {k: form[k] for k in ("name", "payload", "visibility")}
    defaults = dict(shortcut.conversation_defaults or {}) if shortcut else {}
    tags = [t.strip() for t in form["tags"].split(",") if t.strip()]
    if tags:
        defaults["tags"] = {"operator": "append", "value": tags}
    elif defaults.get("tags", {}).get("operator") == "append" or not shortcut:
        defaults.pop("tags", None)
    data["conversation"] = defaults
    return data


def _shortcut_errors(exc, org):
    errors, other = errors_by_field(exc, org)
    for pointer in [k for k in errors if k.startswith("conversation")]:
        errors.setdefault("tags", []).extend(errors.pop(pointer))
    return errors, other


@login_required
@require_http_methods(["GET", "POST"])
def shortcuts(request):
    org = org_of(request)
    form, errors, other = _shortcut_form(request), {}, []
    if request.method == "POST":
        try:
            shortcut = conv_services.shortcut_create(
                org=org, actor=request.user, data=_shortcut_data(form)
            )
        except (ValidationFailed, Conflict) as exc:
            errors, other = _shortcut_errors(exc, org)
        else:
            messages.success(request, f"Shortcut #{shortcut.name} saved.")
            return redirect("/shortcuts/")
    rows = pages.shortcuts_for(org=org, user=request.user)
    for row in rows:
        row.can_change = conv_services.shortcut_can_change(row, request.user)
    context = {
        "rows": rows,
        "form": form,
        "errors": errors,
        "form_errors": other,
        "editing": None,
    }
    return render(
        request, "timeline/shortcuts.html", context, status=422 if errors or other else 200
    )


def _visible_shortcut(request, pk, *, change=False):
    shortcut = pages.shortcut_visible(org=org_of(request), user=request.user, pk=pk)
    if shortcut is None:
        raise Http404
    if change and not conv_services.shortcut_can_change(shortcut, request.user):
        raise PermissionDenied(
            f"#{shortcut.name} is {shortcut.owner.display_name}'s: only they or an admin can "
            "change it. Copy it to make your own."
        )
    return shortcut


@login_required
@require_http_methods(["GET", "POST"])
def shortcut_edit(request, pk):
    shortcut = _visible_shortcut(request, pk, change=True)
    form, errors, other = _shortcut_form(request, shortcut), {}, []
    if request.method == "POST":
        try:
            conv_services.shortcut_update(
                org=org_of(request),
                actor=request.user,
                shortcut=shortcut,
                data={**_shortcut_data(form, shortcut), "rev": shortcut.rev},
                partial=True,
            )
        except (ValidationFailed, Conflict) as exc:
            errors, other = _shortcut_errors(exc, org_of(request))
        except (NotFound, Forbidden) as exc:
            other = messages_of(exc, org_of(request))
        else:
            messages.success(request, f"Shortcut #{form['name']} updated.")
            return redirect("/shortcuts/")
    context = {"form": form, "errors": errors, "form_errors": other, "editing": shortcut}
    return render(
        request, "timeline/shortcut_form.html", context, status=422 if errors or other else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
def shortcut_delete(request, pk):
    shortcut = _visible_shortcut(request, pk, change=True)
    if request.method == "POST":
        conv_services.shortcut_delete(org=org_of(request), actor=request.user, shortcut=shortcut)
        messages.success(request, f"Shortcut #{shortcut.name} deleted.")
        return redirect("/shortcuts/")
    return render(request, "timeline/shortcut_delete.html", {"shortcut": shortcut})


@login_required
@require_POST
def shortcut_copy(request, pk):
    """Make someone else's shortcut your own: a private copy, opened for editing."""
    try:
        copy = conv_services.shortcut_copy(org=org_of(request), actor=request.user, shortcut=pk)
    except NotFound:
        raise Http404 from None
    messages.success(request, f"Copied to #{copy.name}, your own private shortcut.")
    return redirect(f"/shortcuts/{copy.pk}/edit/")
