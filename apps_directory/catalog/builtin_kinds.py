"""Feature kinds written by klasses (Klass with its attributes, KView) and by apps_directory
itself (inbound hook, outbound webhook). Each does its work through the owner's services, so an
app's features are made, checked and recorded exactly as an admin's are."""

import operator
from functools import reduce

from django.db.models import Q

from apps_directory.catalog.kinds import Kind, register
from apps_directory.catalog.row_kinds import row_kind
from apps_directory.catalog.spec_checks import text, unknown_keys
from apps_directory.hooks import services as hook_services
from apps_directory.hooks.models import Hook
from apps_directory.webhooks import services as webhook_services
from apps_directory.webhooks.models import OutboundWebhook
from kdesk.errors import Conflict
from klasses import services as klass_services
from klasses.kviews import syntax_error
from klasses.models import Klass, KObject, KView
from klasses.schema import normalize_definitions
from klasses.services.klasses import KLASS_NAME_RE, reserved

# ---- Klass (with its attributes) --------------------------------------------------------------

KLASS_KEYS = {"name", "displayName", "description", "icon", "color", "attributes"}


def _klass_check(spec, sections):
    problems = unknown_keys(spec, KLASS_KEYS) + text(spec, "displayName")
    name = spec.get("name")
    if isinstance(name, str) and (not KLASS_NAME_RE.match(name) or reserved(name)):
        problems.append(f"'{name}' cannot be a Klass name.")
    _, errors = normalize_definitions(spec.get("attributes", {}), pointer="attributes")
    return problems + [f"{e.pointer}: {e.detail}" for e in errors]


def _klass_body(spec):
    return {k: spec[k] for k in ("displayName", "description", "icon", "color") if k in spec}


def _adoptable(klass, title):
    """A Klass an earlier install of the same app kept at its uninstall (it held records)."""
    return klass.app == title


def _klass_taken(org, specs, title):
    names = [s["name"] for s in specs]
    if not names:
        return []
    same = reduce(operator.or_, (Q(name__iexact=n) for n in names))
    existing = {
        k.name.lower(): k
        for k in Klass.objects.filter(same, org=org).only("name", "display_name", "app")
    }
    problems = []
    for name in names:
        klass = existing.get(name.lower())
        if klass is not None and not _adoptable(klass, title):
            problems.append(
                f"This organization already has an object type named '{klass.name}' "
                f"({klass.display_name}). Rename or delete it first."
            )
    return problems


def _attributes(org, actor, klass, spec):
    attributes = spec.get("attributes")
    if attributes:
        # merged into what is defined: an attribute a later version leaves out keeps its
        # definition and its stored values
        klass_services.metadata_update(
            org=org, actor=actor, resource=f"kobject.{klass.name}", data={"properties": attributes}
        )


def _klass_create(org, actor, spec, ctx):
    kept = Klass.objects.filter(org=org, name__iexact=spec["name"]).first()
    if kept is not None and _adoptable(kept, ctx.title):
        klass = klass_services.klass_update(
            org=org, actor=actor, klass=kept, data={**_klass_body(spec), "status": "active"}
        )
    else:
        data = {"name": spec["name"], **_klass_body(spec)}
        klass = klass_services.klass_create(org=org, actor=actor, data=data, app=ctx.title)
    _attributes(org, actor, klass, spec)
    return klass.name, klass.display_name


def _klass_update(org, actor, object_id, spec, ctx):
    klass = Klass.objects.filter(org=org, name=object_id).first()
    if klass is None:
        return None
    klass = klass_services.klass_update(org=org, actor=actor, klass=klass, data=_klass_body(spec))
    _attributes(org, actor, klass, spec)
    return klass.display_name


def _klass_remove(org, actor, object_id):
    """A Klass holding records is kept, disabled, with its records and attribute definitions:
    they are the org's data. An empty one is deleted with its definitions."""
    klass = Klass.objects.filter(org=org, name=object_id).first()
    if klass is None:
        return "deleted"
    if not KObject.objects.filter(org=org, klass=klass).exists():
        try:
            klass_services.klass_delete(org=org, actor=actor, klass=klass)
            return "deleted"
        except Conflict:
            pass  # another Klass's relationship names it: kept, as one with records
    klass_services.klass_update(org=org, actor=actor, klass=klass, data={"status": "disabled"})
    return "kept"


register(
    Kind(
        name="klass",
        section="klasses",
        label="Object type",
        keyed_by="name",
        check=_klass_check,
        create=_klass_create,
        update=_klass_update,
        remove=_klass_remove,
        taken=_klass_taken,
        link=lambda object_id: f"/settings/objects/{object_id}/",
        order=10,
    )
)


# ---- KView ------------------------------------------------------------------------------------

KVIEW_KEYS = {"key", "name", "klass", "resource", "context", "kind", "template", "urlTemplate",
              "position"}  # fmt: skip


def _kview_check(spec, sections):
    problems = unknown_keys(spec, KVIEW_KEYS) + text(spec, "name")
    klasses = {k.get("name") for k in sections.get("klasses", []) if isinstance(k, dict)}
    if ("klass" in spec) == ("resource" in spec):
        problems.append("name either a 'klass' of this app or a 'resource' (customer).")
    elif "klass" in spec and spec["klass"] not in klasses:
        problems.append(f"klass '{spec['klass']}' is not one of this app's klasses.")
    elif "resource" in spec and spec["resource"] not in ("customer", "conversation"):
        problems.append("resource is customer or conversation.")
    if spec.get("context") not in KView.Context.values:
        problems.append(f"context is one of {', '.join(KView.Context.values)}.")
    if isinstance(spec.get("template"), str):
        problem = syntax_error(spec["template"])
        if problem:
            problems.append(f"template: {problem}")
    return problems


def _kview_body(spec, ctx):
    resource = f"kobject.{spec['klass']}" if "klass" in spec else spec["resource"]
    body = {k: v for k, v in spec.items() if k not in ("key", "klass")}
    return {**body, "resource": resource}


register(
    Kind(
        name="kview",
        section="kviews",
        label="KView",
        keyed_by="key",
        check=_kview_check,
        **row_kind(
            model=KView,
            param="kview",
            create=klass_services.kview_create,
            update=klass_services.kview_update,
            delete=klass_services.kview_delete,
            flag="active",
            body=_kview_body,
        ),
        link=lambda object_id: f"/settings/kviews/{object_id}/",
        order=20,
    )
)


# ---- inbound hook -----------------------------------------------------------------------------


def _hook_check(spec, sections):
    problems = unknown_keys(spec, {"key", "name", "kind"}) + text(spec, "name")
    if spec.get("kind") not in Hook.Kind.values:
        problems.append(f"kind is one of {', '.join(Hook.Kind.values)}.")
    return problems


# Removing one: its address stops answering; the calls it took stay in the event log.
register(
    Kind(
        name="hook",
        section="hooks",
        label="Hook",
        keyed_by="key",
        check=_hook_check,
        **row_kind(
            model=Hook,
            param="hook",
            create=hook_services.hook_create,
            update=hook_services.hook_update,
            delete=hook_services.hook_delete,
            flag="enabled",
            # a hook's kind cannot change once made: an upgrade sends only its name
            create_body=lambda spec, ctx: {"name": spec["name"], "kind": spec["kind"]},
            body=lambda spec, ctx: {"name": spec["name"]},
        ),
        link=lambda object_id: f"/settings/hooks/{object_id}/",
        order=30,
    )
)


# ---- outbound webhook -------------------------------------------------------------------------


def _webhook_check(spec, sections):
    problems = unknown_keys(spec, {"key", "name", "url", "events"}) + text(spec, "name")
    problems += text(spec, "url")
    events = spec.get("events")
    if not isinstance(events, list) or not events or not all(isinstance(e, str) for e in events):
        problems.append("events is a list of webhook event names.")
    return problems


def _webhook_create(**kwargs):
    # the secret is on the webhook's settings page, for the receiving system
    webhook, _ = webhook_services.webhook_create(**kwargs)
    return webhook


register(
    Kind(
        name="webhook",
        section="webhooks",
        label="Webhook",
        keyed_by="key",
        check=_webhook_check,
        **row_kind(
            model=OutboundWebhook,
            param="webhook",
            create=_webhook_create,
            update=webhook_services.webhook_update,
            delete=webhook_services.webhook_delete,
            flag="enabled",
            body=lambda spec, ctx: {
                "name": spec["name"],
                "url": spec["url"],
                "events": list(spec["events"]),
            },
        ),
        link=lambda object_id: f"/settings/webhooks/{object_id}/",
        order=40,
    )
)
