"""Install, upgrade, deactivate, reactivate and uninstall an app, each one transaction.

Every feature is written by its owner's service (kinds.py), inside the same transaction: a
feature that fails undoes the whole install or upgrade, and the client reads which feature and
why. What stays after an uninstall: a Klass that holds records is kept, disabled, with its
records and attribute definitions (the org's data); an empty one is deleted. Hooks, workflows,
outbound webhooks and KViews the app created are deleted (hook calls and workflow writes stay in
the event log). An upgrade keeps what an admin changed in the app's features, field by field,
and says which (customizations.py).
"""

from django.db import transaction
from django.utils import timezone

from apps_directory.catalog import customizations, kinds
from apps_directory.catalog.manifest import catalog, version_key
from apps_directory.catalog.models import Installation, InstalledFeature
from kdesk.config_cache import lock_config
from kdesk.errors import Conflict, FieldError, ServiceError, ValidationFailed
from kdesk.payload import Payload
from kdesk.unique import conflict_on_duplicate, serialize
from kdesk.updates import emit_for, lock_for_write, model_changes

Status = Installation.Status


def snapshot(installation, **extra):
    return {
        "app": installation.app,
        "title": _title(installation.app),  # what the activity log names it by
        "version": installation.version,
        "status": installation.status,
        **extra,
    }


def _emit(org, actor, installation, action, changes=None, **extra):
    emit_for(
        installation,
        f"app.{action}",
        org=org,
        actor=actor,
        resource="app",
        data=snapshot(installation, **extra),
        changes=changes,
    )


def _title(app):
    latest = catalog.latest(app)
    return latest.title if latest is not None else app


def _manifest(p, app, version):
    """The manifest asked for (the latest when no version is given), or None with errors."""
    versions = catalog.versions(app)
    if not versions:
        known = ", ".join(m.app for m in catalog.all())
        p.error("app", "not_found", f"There is no app called '{app}' (the directory has {known}).")
        return None
    if version is None:
        return versions[-1]
    manifest = catalog.get(app, version)
    if manifest is None:
        offered = ", ".join(m.version for m in versions)
        p.error("version", "not_found", f"{versions[-1].title} has no version {version} "
                f"(its versions: {offered}).")  # fmt: skip
    return manifest


def _failed(exc, manifest, feature):
    """A feature's service refused it: the same status, saying which feature of which app."""
    label = kinds.get(feature.kind).label.lower()
    prefix = f"{manifest.title} could not set up its {label} “{feature.label}”"
    errors = [FieldError("/app", e.code, f"{prefix}: {e.detail}") for e in exc.errors] or [
        FieldError("/app", exc.code, f"{prefix}: {exc.detail}")
    ]
    detail = "; ".join(e.detail for e in errors)
    return Conflict(detail, errors=errors) if exc.status == 409 else ValidationFailed(errors)


def _refuse_taken(org, manifest, features):
    """Every name the features to create would take that the org uses already, at once."""
    problems = []
    for kind in kinds.all_kinds():
        specs = [f.spec for f in features if f.kind == kind.name]
        if specs and kind.taken is not None:
            problems += kind.taken(org, specs, manifest.title)
    if problems:
        errors = [FieldError("/app", "taken", f"{manifest.title}: {p}") for p in problems]
        raise Conflict("; ".join(e.detail for e in errors), errors=errors)


def _apply(org, actor, installation, manifest):
    """Make what `manifest` declares: update what this installation made before (keeping the
    fields an admin changed, customizations.py), create what is new, remove what the manifest
    no longer has. Returns the admin's fields kept: [{kind, key, field, label}]."""
    rows = {(f.kind, f.key): f for f in installation.features.all()}
    new = [f for f in manifest.features if (f.kind, f.key) not in rows]
    _refuse_taken(org, manifest, new)
    ctx = kinds.Context(manifest.title, {key: row.object_id for key, row in rows.items()})
    bases = customizations.bases(installation, rows, ctx)
    kept = []
    for position, feature in enumerate(manifest.features):
        kind = kinds.get(feature.kind)
        row = rows.pop((feature.kind, feature.key), None)
        base = bases.get((feature.kind, feature.key))
        part = customizations.Upgrade.start(org, feature, row, ctx, base)
        try:
            label = None
            if row is not None:
                label = kind.update(org, actor, row.object_id, *part.write_with(ctx))
            if label is None:  # new in this version, or deleted by an admin meanwhile
                part.made_anew()
                object_id, label = kind.create(org, actor, feature.spec, ctx)
                ctx.ids[(feature.kind, feature.key)] = object_id
        except ServiceError as exc:
            raise _failed(exc, manifest, feature) from exc
        object_id = ctx.ids[(feature.kind, feature.key)]
        recorded = part.record(org, object_id)
        kept += [{"kind": feature.kind, "key": feature.key, **k} for k in recorded["kept"]]
        fields = {"object_id": object_id, "label": label[:200], "position": position,
                  **recorded}  # fmt: skip
        if row is None:
            InstalledFeature.objects.create(
                installation=installation, kind=feature.kind, key=feature.key, **fields
            )
        else:
            InstalledFeature.objects.filter(pk=row.pk).update(**fields)
    for row in sorted(rows.values(), key=lambda r: r.position, reverse=True):
        kinds.get(row.kind).remove(org, actor, row.object_id)  # the newer version dropped it
        row.delete()
    return kept


@transaction.atomic
def installation_create(*, org, actor, data):
    """Install an app (its latest version unless `version` says): all its features or none."""
    p = Payload(data, allowed={"app", "version"})
    app = p.string("app", max_length=40, required=True, blank=False)
    version = p.string("version", max_length=20, blank=False)
    manifest = _manifest(p, app, version) if app and not p.errors else None
    p.raise_if_errors()
    lock_config(org)  # its features include configuration rows: the org's row comes first
    serialize("app.install", org.pk, app)  # two installs at once: the second sees the first
    taken = f"{manifest.title} is installed already: upgrade or reactivate it instead."
    if Installation.objects.filter(org=org, app=app).exists():
        raise Conflict(taken, errors=[FieldError("/app", "installed", taken)])
    now = timezone.now()
    with conflict_on_duplicate("/app", taken, code="installed"):
        installation = Installation.objects.create(
            org=org,
            app=app,
            version=manifest.version,
            installed_by=actor if actor is not None and actor.pk else None,
            created_at=now,
            updated_at=now,
        )
    _apply(org, actor, installation, manifest)
    _emit(org, actor, installation, "install")
    return installation


def _set_status(org, actor, installation, status):
    """Deactivate: its hooks, workflows and webhooks stop and its KViews are hidden, each
    remembering whether it was on; its Klasses and their records stay as they are. Reactivate:
    what was on is on again."""
    for row in installation.features.all():
        kind = kinds.get(row.kind)
        if status == Status.INACTIVE and kind.turn_off is not None:
            row.was_on = kind.turn_off(org, actor, row.object_id)
        elif status == Status.ACTIVE and kind.turn_on is not None:
            if row.was_on:
                kind.turn_on(org, actor, row.object_id)
            row.was_on = None
        else:
            continue
        InstalledFeature.objects.filter(pk=row.pk).update(was_on=row.was_on)
    changes = model_changes(installation, {"status": status})
    action = "deactivate" if status == Status.INACTIVE else "reactivate"
    _emit(org, actor, installation, action, changes)


def _upgrade(org, actor, installation, manifest):
    if installation.status != Status.ACTIVE:
        detail = f"Reactivate {manifest.title} before upgrading it."
        raise Conflict(detail, errors=[FieldError("/version", "inactive", detail)])
    kept = _apply(org, actor, installation, manifest)
    changes = model_changes(installation, {"version": manifest.version})
    # what the admin had changed and the upgrade left as it was, as the settings page says it
    _emit(org, actor, installation, "upgrade", changes, keptChanges=kept)


@transaction.atomic
def installation_update(*, org, actor, installation, data):
    """`status` active/inactive reactivates or deactivates; a higher `version` upgrades (after
    a reactivation and before a deactivation sent with it)."""
    p = Payload(data, allowed={"status", "version", "rev"})
    status = p.choice("status", Status.values)
    version = p.string("version", max_length=20, blank=False)
    p.raise_if_errors()
    lock_config(org)
    installation = lock_for_write(
        Installation,
        org=org,
        pk=installation.pk,
        rev=data.get("rev"),
        resource="app installation",
        missing="This app was uninstalled meanwhile.",
    )
    manifest = None
    if version is not None and version != installation.version:
        manifest = _manifest(p, installation.app, version)
        p.raise_if_errors()
        if manifest.sort_key < version_key(installation.version):
            # a version the directory has, refused because of where this installation stands
            detail = (
                f"{manifest.title} is at version {installation.version}; "
                f"it cannot go back to {version}."
            )
            raise Conflict(detail, errors=[FieldError("/version", "downgrade", detail)])
    if status == Status.ACTIVE and installation.status != status:
        _set_status(org, actor, installation, status)
    if manifest is not None:
        _upgrade(org, actor, installation, manifest)
    if status == Status.INACTIVE and installation.status != status:
        _set_status(org, actor, installation, status)
    return installation


@transaction.atomic
def installation_delete(*, org, actor, installation):
    """Uninstall: remove what the app created, last made first; returns the display names of
    what was kept (Klasses holding records, disabled)."""
    lock_config(org)
    installation = lock_for_write(
        Installation,
        org=org,
        pk=installation.pk,
        resource="app installation",
        missing="This app was uninstalled meanwhile.",
    )
    kept = []
    for row in reversed(list(installation.features.all())):
        if kinds.get(row.kind).remove(org, actor, row.object_id) == "kept":
            kept.append(row.label)
    pk = installation.pk
    installation.delete()
    installation.pk = pk  # the event names what was uninstalled
    _emit(org, actor, installation, "uninstall", kept=kept)
    return kept
