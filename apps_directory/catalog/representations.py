"""JSON:API shapes of the directory's apps (from the manifests) and of installations."""

from apps_directory.catalog import kinds
from apps_directory.catalog.manifest import catalog, version_key
from kdesk.representations import iso


def _feature(kind_name, key, label, object_id=None):
    kind = kinds.get(kind_name)
    out = {"kind": kind_name, "kindLabel": kind.label, "key": key, "displayName": label}
    if object_id is not None:
        out["id"] = object_id
    return out


def upgrade_available(installation):
    latest = catalog.latest(installation.app)
    return latest is not None and latest.sort_key > version_key(installation.version)


def app_resource(manifest, installation=None):
    rels = {}
    if installation is not None:
        ref = {"type": "app_installation", "id": str(installation.pk)}
        rels["installation"] = {"data": ref}
    return {
        "type": "app",
        "id": manifest.app,
        "attributes": {
            "name": manifest.app,
            "title": manifest.title,
            "summary": manifest.summary,
            "version": manifest.version,
            "versions": [m.version for m in catalog.versions(manifest.app)],
            "notes": manifest.notes,
            "features": [_feature(f.kind, f.key, f.label) for f in manifest.features],
        },
        "relationships": rels,
        "links": {"self": "/v1/apps"},
    }


def kept_changes(installation):
    """The fields of its features whose admin edits the last upgrade kept, in install order."""
    return [
        {"kind": f.kind, "key": f.key, "id": f.object_id, "field": k["field"], "label": k["label"]}
        for f in installation.features.all()
        for k in f.kept
    ]


def installation_resource(installation):
    latest = catalog.latest(installation.app)
    rels = {}
    if installation.installed_by_id:
        rels["installedBy"] = {"data": {"type": "user", "id": str(installation.installed_by_id)}}
    return {
        "type": "app_installation",
        "id": str(installation.pk),
        "attributes": {
            "app": installation.app,
            "title": latest.title if latest is not None else installation.app,
            "version": installation.version,
            "latestVersion": latest.version if latest is not None else installation.version,
            "upgradeAvailable": upgrade_available(installation),
            "status": installation.status,
            "features": [
                _feature(f.kind, f.key, f.label, f.object_id) for f in installation.features.all()
            ],
            "keptChanges": kept_changes(installation),
            "rev": installation.rev,
            "createdAt": iso(installation.created_at),
            "updatedAt": iso(installation.updated_at),
        },
        "relationships": rels,
        "links": {"self": f"/v1/apps/installations/{installation.pk}"},
    }
