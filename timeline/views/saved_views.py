"""Saved inbox views: create, change and delete them (private, or shared with a team), and
the sidebar list with each view's live count (it reloads on every inbox change)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from conversations.models import CHANNELS
from kdesk.errors import Conflict, Forbidden, NotFound, ValidationFailed
from timeline import saved_views, selectors_views, services
from timeline import selectors_desk as desk
from timeline import selectors_pages as pages
from timeline.insights import default_display_name_safe
from timeline.views.common import errors_by_field, messages_of, org_of, properties


def _label(name, definition):
    return (definition or {}).get("displayName") or default_display_name_safe(name)


def _choices(request):
    org = org_of(request)
    users, teams = desk.people_choices(org=org)
    klasses = pages.klasses_with_properties(org=org)
    conv_props = properties(request, "conversation")
    own_teams = pages.teams_of(org=org, user=request.user)
    return {
        "users": users,
        "teams": teams,
        "share_teams": teams if request.user.role == "admin" else own_teams,
        "tags": pages.tag_names(org=org),
        "channels": CHANNELS,
        "statuses": saved_views.STATUSES,
        "priorities": saved_views.PRIORITIES,
        "ops": saved_views.OPS,
        "conv_attrs": [(n, _label(n, d)) for n, d in conv_props.items()],
        "kobject_attrs": [
            (f"{k.name}.{n}", f"{k.display_name or k.name} · {_label(n, d)}")
            for k, props in klasses
            for n, d in props.items()
        ],
        "_conv_props": conv_props,
        "_klass_props": {k.name: props for k, props in klasses},
    }


def _values(view):
    """The form's values for an existing view."""
    f = view.filters or {}
    attr, kobject = f.get("attr") or {}, f.get("kobject") or {}
    return {
        "rev": str(view.rev),
        "name": view.name,
        "share": str(view.team_id or ""),
        "status": f.get("status", ""),
        "assignee": str(f.get("assignee", "")),
        "team": str(f.get("team", "")),
        "tag": f.get("tag", ""),
        "channel": f.get("channel", ""),
        "priority": str(f.get("priority", "")),
        "attr_name": attr.get("name", ""),
        "attr_op": attr.get("op", "equals"),
        "attr_value": str(attr.get("value", "")),
        "kobject_attr": f"{kobject['klass']}.{kobject['name']}" if kobject else "",
        "kobject_op": kobject.get("op", "gt"),
        "kobject_value": str(kobject.get("value", "")),
    }


def _form(request, view=None):
    choices = _choices(request)
    values = (
        dict(request.POST.items()) if request.method == "POST" else _values(view) if view else {}
    )
    errors, other, status = {}, [], 200
    if request.method == "POST":
        try:
            name, team, filters = saved_views.clean(
                post=request.POST,
                users=choices["users"],
                teams=choices["teams"],
                share_teams=choices["share_teams"],
                tags=choices["tags"],
                conv_props=choices["_conv_props"],
                klass_props=choices["_klass_props"],
            )
            if view is None:
                view = services.saved_view_create(
                    org=org_of(request),
                    actor=request.user,
                    name=name,
                    team_id=team,
                    filters=filters,
                )
                messages.success(request, f"View “{view.name}” saved.")
            else:
                view = services.saved_view_update(
                    org=org_of(request),
                    actor=request.user,
                    view=view,
                    name=name,
                    team_id=team,
                    filters=filters,
                    rev=request.POST.get("rev"),
                )
                messages.success(request, f"View “{view.name}” updated.")
            return redirect(f"/inbox/?view={view.pk}")
        except ValidationFailed as exc:
            errors, other = errors_by_field(exc, org_of(request))
            status = 422
        except Conflict as exc:  # the view changed since this form was filled
            other, status = messages_of(exc, org_of(request)), 409
        except (NotFound, Forbidden) as exc:
            other, status = [str(exc)], 422
    context = {**choices, "values": values, "errors": errors, "form_errors": other, "view": view}
    return render(request, "timeline/saved_view_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def view_new(request):
    return _form(request)


def _own_view(request, pk):
    view = selectors_views.view_get(org=org_of(request), user=request.user, pk=pk)
    if view is None:
        raise Http404
    if not services.can_change(view, request.user):
        raise Http404  # seen but not theirs to change: as if it were not there
    return view


@login_required
@require_http_methods(["GET", "POST"])
def view_edit(request, pk):
    return _form(request, _own_view(request, pk))


@login_required
@require_http_methods(["GET", "POST"])
def view_delete(request, pk):
    """GET asks first (a shared view disappears for its whole team); POST deletes."""
    view = _own_view(request, pk)
    if request.method == "POST":
        services.saved_view_delete(org=org_of(request), actor=request.user, view=view)
        messages.success(request, f"View “{view.name}” deleted.")
        return redirect("/inbox/")
    return render(request, "timeline/saved_view_delete.html", {"view": view})


@login_required
@require_GET
def view_counts(request):
    """The sidebar's views with their counts (the inbox reloads it on every change)."""
    current = request.GET.get("current", "")
    context = {
        "saved_views": selectors_views.with_counts(org=org_of(request), user=request.user),
        "current_view": int(current) if current.isdigit() else None,
        "loaded": True,
    }
    return render(request, "timeline/inbox.html#saved-views", context)
