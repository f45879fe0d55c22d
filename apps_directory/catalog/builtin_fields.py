"""The fields an admin may change in what an app made, for the kinds builtin_kinds.py writes
(a Klass with its attributes, a KView, an inbound hook, an outbound webhook): how each reads as
stored and what people call it, so an upgrade keeps the admin's edits (customizations.py)."""

from apps_directory.catalog.customizations import Fields, register
from apps_directory.hooks.models import Hook
from apps_directory.webhooks.models import OutboundWebhook
from klasses.models import Klass, KView, Metadata
from klasses.schema import normalize_definitions
from klasses.schema.types import default_display_name


def _text(value):
    """Text as the services store it (they trim it)."""
    return value.strip() if isinstance(value, str) else value


def _named(spec, keys, *, lower=()):
    return {k: _text(spec[k]).lower() if k in lower else _text(spec[k]) for k in keys if k in spec}


# ---- Klass and its attributes -----------------------------------------------------------------

KLASS_FIELDS = {"displayName": "name", "description": "description", "icon": "icon",
                "color": "colour"}  # fmt: skip
# what people call an attribute's settings ("Order's 'Status' label")
ATTRIBUTE_WORDS = {
    "displayName": "label",
    "description": "description",
    "default": "default value",
    "enum": "choices",
    "enumLabels": "choice labels",
    "min": "minimum",
    "max": "maximum",
    "minLength": "shortest length",
    "maxLength": "longest length",
    "currency": "currency",
    "icon": "icon",
    "color": "colour",
    "tree": "tree of values",
    "properties": "fields",
    "array": "list setting",
    "multi": "several-choices setting",
    "required": "required setting",
    "hidden": "hidden setting",
    "readOnly": "read-only setting",
    "lastNodeRequired": "last-level setting",
    "position": "place in the list",
}


def _klass_sets(spec, ctx):
    out = _named(spec, KLASS_FIELDS, lower=("color",))
    raw = spec.get("attributes") or {}
    definitions, _ = normalize_definitions(raw)
    for name, definition in definitions.items():
        # the keys the manifest sets, as normalised: the defaults normalising adds (flags left
        # false) are not the app's to claim, and the attribute's merge leaves them alone
        for key in raw[name] if isinstance(raw[name], dict) else ():
            if key in definition and key not in ("name", "type"):
                out[f"attributes/{name}/{key}"] = definition[key]
    return out


def _klass_read(org, object_id):
    klass = (
        Klass.objects.select_for_update()
        .filter(org=org, name=object_id)
        .values("display_name", "description", "icon", "color")
        .first()
    )
    if klass is None:
        return None
    out = {
        "displayName": klass["display_name"],
        "description": klass["description"],
        "icon": klass["icon"],
        "color": klass["color"],
    }
    meta = (
        Metadata.objects.select_for_update()
        .filter(org=org, resource=f"kobject.{object_id}")
        .first()
    )
    for name, definition in (meta.properties if meta is not None else {}).items():
        if isinstance(definition, dict):
            for key, value in definition.items():
                out[f"attributes/{name}/{key}"] = value
    return out


def _klass_describe(path, spec):
    klass = _text(spec.get("displayName")) or spec["name"]
    if not path.startswith("attributes/"):
        return f"{klass}'s {KLASS_FIELDS.get(path, path)}"
    _, name, key = path.split("/", 2)
    definition = (spec.get("attributes") or {}).get(name) or {}
    label = _text(definition.get("displayName")) or default_display_name(name)
    return f"{klass}'s '{label}' {ATTRIBUTE_WORDS.get(key, 'settings')}"


register(Fields(kind="klass", sets=_klass_sets, read=_klass_read, describe=_klass_describe))


# ---- KView ------------------------------------------------------------------------------------

KVIEW_FIELDS = {"name": "'s name", "template": " template", "context": "'s place on the desk",
                "kind": "'s kind", "urlTemplate": "'s address template",
                "position": "'s position"}  # fmt: skip


def _kview_sets(spec, ctx):
    return _named(spec, KVIEW_FIELDS)


def _kview_read(org, object_id):
    fields = ("name", "template", "context", "kind", "url_template", "position")
    kview = KView.objects.select_for_update().filter(org=org, pk=object_id).values(*fields).first()
    if kview is None:
        return None
    kview["urlTemplate"] = kview.pop("url_template")
    return kview


def _kview_describe(path, spec):
    return f"the '{_text(spec['name'])}' view{KVIEW_FIELDS.get(path, ' settings')}"


register(Fields(kind="kview", sets=_kview_sets, read=_kview_read, describe=_kview_describe))


# ---- inbound hook -----------------------------------------------------------------------------


def _hook_read(org, object_id):
    return Hook.objects.select_for_update().filter(org=org, pk=object_id).values("name").first()


register(
    Fields(
        kind="hook",
        sets=lambda spec, ctx: _named(spec, ("name",)),
        read=_hook_read,
        describe=lambda path, spec: f"the '{_text(spec['name'])}' hook's name",
    )
)


# ---- outbound webhook -------------------------------------------------------------------------

WEBHOOK_FIELDS = {"name": "name", "url": "address", "events": "events"}


def _webhook_read(org, object_id):
    rows = OutboundWebhook.objects.select_for_update().filter(org=org, pk=object_id)
    return rows.values(*WEBHOOK_FIELDS).first()


register(
    Fields(
        kind="webhook",
        sets=lambda spec, ctx: _named(spec, WEBHOOK_FIELDS),
        read=_webhook_read,
        describe=lambda path, spec: (
            f"the '{_text(spec['name'])}' webhook's {WEBHOOK_FIELDS.get(path, 'settings')}"
        ),
    )
)
