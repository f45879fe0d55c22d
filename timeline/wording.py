"""Messages agents read use display names, never the API's field names: "Snooze until", not
`snoozeUntil`; "Lifetime value", not `lifetimeValueNum`. The services word their errors for
API clients, who know the field names; the desk rewrites them here before showing them."""

import re

from klasses.schema.types import NAME_RE, default_display_name

STANDARD = {
    "snoozeUntil": "Snooze until",
    "bodyHtml": "Formatted text",
    "assignedUser": "Assignee",
    "assignedTeam": "Team",
    "externalId": "External id",
    "sentAt": "Sent at",
    "userMentions": "Mentions",
    "payload": "Text",
    "lastActivityAt": "Last activity",
    "createdAt": "Created",
    "updatedAt": "Updated",
}
# camelCase identifiers (and the bare API words above) as whole words
_IDENT = re.compile(r"(?<![\w/.#@])([a-z][a-z0-9]*(?:[A-Z][A-Za-z0-9]*)+|payload)(?![\w@])")
# One-word API fields are ordinary English words too ("a name"), so only the one a message
# starts with is taken for a field: "priority must be between 1 and 5." → "Priority must…".
LEADING = {
    "priority": "Priority",
    "status": "Status",
    "tags": "Tags",
    "name": "Name",
    "body": "Text",
    "channel": "Channel",
    "subject": "Subject",
    "direction": "Direction",
}
_LEADING = re.compile(r"^(" + "|".join(LEADING) + r")(?= )")
# API wording an agent need not know
PLAIN = (("must be an ISO-8601 datetime", "must be a date and time"),)


def labels_for(*, org):
    """{attribute name: display name} of the org's customer and conversation attributes."""
    from klasses.models import Metadata

    out = {}
    rows = Metadata.objects.filter(org=org, resource__in=["customer", "conversation", "message"])
    for props in rows.values_list("properties", flat=True):
        for name, definition in (props or {}).items():
            out[name] = (definition or {}).get("displayName") or default_display_name(name)
    return out


def humanize(text, labels=None):
    """`text` with every API field name in it replaced by its display name."""
    labels = labels or {}

    def name(match):
        word = match.group(1)
        if word in labels:
            return labels[word]
        if word in STANDARD:
            return STANDARD[word]
        if NAME_RE.match(word):  # a custom attribute name: orderTotalNum → Order Total
            return default_display_name(word)
        return word

    text = _IDENT.sub(name, str(text))
    text = _LEADING.sub(lambda m: LEADING[m.group(1)], text)
    for api, plain in PLAIN:
        text = text.replace(api, plain)
    return text
