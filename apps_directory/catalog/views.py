"""Settings → Apps (/settings/apps/), admins only: the directory with install buttons, the
installed apps with their status, an upgrade marker and their features; deactivate and
uninstall ask first."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from apps_directory.catalog import kinds, selectors, services
from apps_directory.catalog.manifest import catalog
from apps_directory.catalog.representations import kept_changes, upgrade_available
from kdesk.errors import ServiceError
from kdesk.views import admin_required

ACTIONS = {"upgrade", "deactivate", "reactivate", "uninstall"}
CONFIRMED = {"deactivate", "uninstall"}  # these ask first (GET shows the question)


def _features(installation):
    out = []
    for row in installation.features.all():
        kind = kinds.get(row.kind)
        link = kind.link(row.object_id) if kind.link else None
        out.append({"kind": kind.label, "label": row.label, "link": link})
    return out


def _entries(org):
    installed = selectors.installations_by_app(org=org)
    entries = []
    for manifest in catalog.all():
        installation = installed.get(manifest.app)
        entries.append(
            {
                "manifest": manifest,
                "installation": installation,
                "upgrade": installation is not None and upgrade_available(installation),
                "kept": ", ".join(_kept(installation)),
                "features": _features(installation)
                if installation is not None
                else [
                    {"kind": kinds.get(f.kind).label, "label": f.label} for f in manifest.features
                ],
            }
        )
    return entries


def _page(request, problems=(), status=200):
    entries = _entries(request.user.org)
    return render(
        request,
        "apps_directory/apps.html",
        {
            "installed": [e for e in entries if e["installation"] is not None],
            "available": [e for e in entries if e["installation"] is None],
            "problems": problems,
        },
        status=status,
    )


def _problems(exc):
    return [e.detail for e in exc.errors] or [exc.detail]


@admin_required
def app_list(request):
    return _page(request)


@admin_required
@require_POST
def app_install(request, app):
    manifest = catalog.latest(app)
    if manifest is None:
        raise Http404
    try:
        services.installation_create(org=request.user.org, actor=request.user, data={"app": app})
    except ServiceError as exc:
        return _page(request, _problems(exc), status=exc.status)
    messages.success(request, f"{manifest.title} installed.")
    return redirect("settings-apps")


def _kept(installation):
    """What the admin had changed and the last upgrade kept, by display name."""
    return [k["label"] for k in kept_changes(installation)] if installation is not None else []


def _done(manifest, action, kept):
    if action == "upgrade":
        upgraded = f"{manifest.title} upgraded to version {manifest.version}."
        return f"{upgraded} Kept your changes to: {', '.join(kept)}." if kept else upgraded
    if action == "uninstall":
        if kept:
            return (f"{manifest.title} uninstalled. Kept, turned off, because they hold "
                    f"records: {', '.join(kept)}.")  # fmt: skip
        return f"{manifest.title} uninstalled."
    return {
        "deactivate": f"{manifest.title} deactivated: its hooks and workflows are off.",
        "reactivate": f"{manifest.title} reactivated.",
    }[action]


@admin_required
def installation_action(request, pk, action):
    org = request.user.org
    installation = selectors.installation(org=org, pk=pk)
    if installation is None or action not in ACTIONS:
        raise Http404
    manifest = catalog.latest(installation.app)
    if request.method != "POST":
        if action not in CONFIRMED:
            raise Http404
        return render(
            request,
            f"apps_directory/app_{action}.html",
            {
                "installation": installation,
                "manifest": manifest,
                "features": _features(installation),
            },
        )
    if action == "upgrade" and not upgrade_available(installation):
        messages.info(request, f"{manifest.title} is at its latest version already.")
        return redirect("settings-apps")
    kept = []
    try:
        if action == "uninstall":
            kept = services.installation_delete(
                org=org, actor=request.user, installation=installation
            )
        else:
            data = (
                {"version": manifest.version}
                if action == "upgrade"
                else {"status": "inactive" if action == "deactivate" else "active"}
            )
            services.installation_update(
                org=org, actor=request.user, installation=installation, data=data
            )
            if action == "upgrade":
                kept = _kept(selectors.installation(org=org, pk=installation.pk))
    except ServiceError as exc:
        return _page(request, _problems(exc), status=exc.status)
    messages.success(request, _done(manifest, action, kept))
    return redirect("settings-apps")
