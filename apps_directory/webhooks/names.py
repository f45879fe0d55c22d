"""Webhook event names (API.md): Kustomer's ten plus ours, and the mapping from the event log."""

import re

KUSTOMER = frozenset(
    f"kustomer.{resource}.{action}"
    for resource in ("conversation", "customer", "message", "team", "user")
    for action in ("create", "update")
)
OURS = frozenset(
    {
        *(f"kustomer.{r}.{a}" for r in ("company", "note") for a in ("create", "update", "delete")),
        "kustomer.customer.delete",
    }
)
FIXED = KUSTOMER | OURS
_KOBJECT = re.compile(r"^kustomer\.kobject\.([A-Za-z][A-Za-z0-9_-]{0,63})\.(create|update|delete)$")


def is_valid(name):
    return isinstance(name, str) and (name in FIXED or bool(_KOBJECT.match(name)))


def webhook_name(event):
    """The webhook name an Event goes out as, or None when no webhook may carry it (an API key
    created, a Klass changed: the org's own settings, not its data)."""
    action = event.type.rsplit(".", 1)[-1]
    resource = event.resource
    if resource.startswith("kobject."):
        name = f"kustomer.{resource}.{action}"
        return name if _KOBJECT.match(name) else None
    name = f"kustomer.{resource}.{action}"
    return name if name in FIXED else None


def choices():
    """Every fixed name, for forms (Klass objects are typed in)."""
    return sorted(FIXED)
