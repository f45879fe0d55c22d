"""Business rules: synchronous rules that change a record inside its write, before it is saved.

A service about to save a record asks `decide(...)` what the org's rules set on it; the app
that stores the rules (workflows) registers with `provide` from its `AppConfig.ready()`, so
the services never import it. Each decision names the rule that made it, so the service can
record it beside the change in the event's `changes`.
"""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class Decision:
    rule: str  # what people read: "Billing inbox (rule 12)"
    values: dict  # API field name -> value, e.g. {"assignedTeam": "3", "tags": ["billing"]}


def provide(fn):
    """Register `fn(*, org, resource, action, record, changes, context) -> [Decision]`."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def withdraw(fn):
    if fn in _providers:
        _providers.remove(fn)


def decide(*, org, resource, action, record, changes=None, context=None):
    """The decisions of every rule that holds for this record, in the order they apply."""
    out = []
    for fn in list(_providers):
        out += fn(
            org=org,
            resource=resource,
            action=action,
            record=record,
            changes=changes or {},
            context=context or {},
        )
    return out
