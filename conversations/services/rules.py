"""Business rules on conversations: the org's rules (kdesk.business_rules) set fields on a
conversation inside its write, before it is saved; each change names the rule that made it."""

import logging

from conversations.representations import conversation_flat
from kdesk import business_rules
from kdesk.events import diff
from kdesk.payload import Payload

from .common import _custom

log = logging.getLogger(__name__)

RULE_FIELDS = {"status", "priority", "assignedUser", "assignedTeam", "tags", "custom"}
CHANGE_FIELDS = ("name", "status", "snoozeUntil", "priority", "assignedUser", "assignedTeam",
                 "tags")  # fmt: skip


def _flat_with_custom(flat):
    return {**flat, **{f"custom.{k}": v for k, v in flat["custom"].items()}}


def apply_business_rules(org, conversation, action, changes=None, context=None):
    """Let the org's business rules set fields on the conversation before it is saved.
    Returns {changed field: the rule that set it}. A rule whose values are not valid (a team
    deleted since) is skipped with a warning rather than refusing the agent's write."""
    decisions = business_rules.decide(
        org=org,
        resource="conversation",
        action=action,
        record=conversation_flat(conversation),
        changes=changes,
        context=context,
    )
    return _apply(org, conversation, decisions)


def _apply(org, conversation, decisions):
    from .conversations import _conversation_fields

    made = {}
    for decision in decisions:
        values = {k: v for k, v in decision.values.items() if k in RULE_FIELDS}
        if not values:
            continue
        p = Payload(values, allowed=RULE_FIELDS)
        fields = _conversation_fields(p, org=org, current=conversation)
        given = dict(p.obj("custom") or {})  # read before the errors are copied
        errors = list(p.errors)
        if p.has("custom"):
            cleaned = _custom(
                errors, org=org, resource="conversation", values=given, creating=False
            )
            fields["custom"] = {**(conversation.custom or {}), **cleaned}
        if errors:
            log.warning(
                "business rule %s skipped: %s", decision.rule, "; ".join(e.detail for e in errors)
            )
            continue
        before = conversation_flat(conversation)
        for name, value in fields.items():
            setattr(conversation, name, value)
        after = conversation_flat(conversation)
        keys = [*CHANGE_FIELDS, *{f"custom.{k}" for k in after["custom"]}]
        for key in diff(_flat_with_custom(before), _flat_with_custom(after), keys):
            made[key] = decision.rule
    return made


# what a rule may change on a conversation, as model attributes (ids, not related rows)
RULED_ATTRIBUTES = ("status", "snooze_until", "priority", "assigned_user_id", "assigned_team_id",
                    "tags", "custom")  # fmt: skip


def apply_message_rules(org, conversation, record, context=None):
    """A message being created: the org's rules on messages set fields on its conversation (in
    memory, for the caller to save) and custom attributes on the message. Returns None when no
    rule holds, else (the conversation as it was: flat and its attributes, the conversation's
    {changed field: rule}, the message's custom attributes, the message's {changed field: rule})."""
    flat = conversation_flat(conversation)
    decisions = business_rules.decide(
        org=org,
        resource="message",
        action="create",
        record=record,
        context={**(context or {}), "conversation": flat},
    )
    if not decisions:
        return None
    kept = {name: getattr(conversation, name) for name in RULED_ATTRIBUTES}
    conversation_made = _apply(org, conversation, decisions)
    custom, message_made = dict(record.get("custom") or {}), {}
    for decision in decisions:
        given = (decision.values.get("message") or {}).get("custom")
        if not isinstance(given, dict):
            continue
        errors = []
        cleaned = _custom(errors, org=org, resource="message", values=given, creating=False)
        if errors:
            log.warning(
                "business rule %s skipped: %s", decision.rule, "; ".join(e.detail for e in errors)
            )
            continue
        for key, value in cleaned.items():
            if custom.get(key) != value:
                message_made[f"custom.{key}"] = decision.rule
        custom.update(cleaned)
    return (flat, kept), conversation_made, custom, message_made


def rule_changes(changes, made):
    """Each change a business rule made names the rule."""
    for key, rule in made.items():
        if key in changes:
            changes[key] = {**changes[key], "rule": rule}
    return changes


def created_by_rules(initial, conversation, ruled):
    """A new conversation's `changes`: only what business rules set, each naming its rule."""
    if not ruled:
        return None
    after = conversation_flat(conversation)
    return rule_changes(
        diff(_flat_with_custom(initial), _flat_with_custom(after), list(ruled)), ruled
    )
