"""Business rules: workflows whose trigger is `{"type": "rule", "resource": "conversation",
"on": ["create", "update"]}` and whose steps are `set` steps. They run inside the write, before
the record is saved (kdesk.business_rules), in the order of their `position`; each rule sees what the rules before
it set. Conditions and params read `data.attributes` (the record as the API shows it),
`changes.attributes` (on update) and, for a conversation opened by a message, `message`."""

import logging

from kdesk.business_rules import Decision
from workflows import conditions, outbox, templating
from workflows.models import Workflow

log = logging.getLogger(__name__)

RESOURCES = ("conversation",)
ACTIONS = ("create", "update")
SET_PARAMS = ("status", "priority", "assignedUser", "assignedTeam", "tags", "custom")


def _merged(current, values):
    """What `values` leave on the record: tags are added, custom attributes merged."""
    out = dict(values)
    if isinstance(values.get("tags"), list):
        have = list(current.get("tags") or [])
        out["tags"] = have + [t for t in values["tags"] if t not in have]
    if isinstance(values.get("custom"), dict):
        out["custom"] = {**(current.get("custom") or {}), **values["custom"]}
    return out


def decide(*, org, resource, action, record, changes, context):
    rules = [
        row
        for row in outbox.triggers(org.pk)
        if row[1] == Workflow.Trigger.RULE
        and (row[6] or {}).get("resource") == resource
        and action in ((row[6] or {}).get("on") or ())
    ]
    if not rules:
        return []
    current = dict(record)
    decisions = []
    for wf_id, _, _, _, conds, name, _, steps in rules:
        payload = {
            **context,
            "data": {"id": current.get("id"), "attributes": current},
            "changes": {"attributes": changes},
        }
        try:
            if not conditions.matches(conds or {}, payload):
                continue
            values = {}
            for step in steps or []:
                values.update(templating.render_params(step.get("params") or {}, payload))
        except templating.TemplateProblem as exc:
            # A broken rule must not stop agents working: it is skipped, and says why.
            log.warning("business rule %s skipped: %s", wf_id, exc)
            continue
        values = _merged(current, {k: v for k, v in values.items() if k in SET_PARAMS})
        if values:
            decisions.append(Decision(rule=f"{name} (rule {wf_id})", values=values))
            current.update(values)
    return decisions
