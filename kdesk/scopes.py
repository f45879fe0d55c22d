"""Kustomer-style permission scopes: `org.permission.<resource>.<action>`."""

CRUD = ("create", "read", "update", "delete")

RESOURCE_ACTIONS = {
    "customer": CRUD,
    "company": CRUD,
    "conversation": CRUD,
    "message": CRUD,
    "note": CRUD,
    "klass": CRUD,
    "kobject": CRUD,
    "metadata": ("read", "update"),
    "kview": CRUD,
    "validation": CRUD,
    "outbound_webhook": CRUD,
    "hook": CRUD,
    "mailbox": CRUD,
    "workflow": CRUD,
    "app": CRUD,
    "user": ("read",),
    "team": CRUD,
    "tag": CRUD,
    "shortcut": CRUD,
    "event": ("read",),
}

PREFIX = "org.permission."

ALL_SCOPES = tuple(
    f"{PREFIX}{resource}.{action}"
    for resource, actions in RESOURCE_ACTIONS.items()
    for action in actions
)
_ALL = frozenset(ALL_SCOPES)

# Browser sessions of agents may do everything but change the org's schema, integrations and
# teams.
ADMIN_ONLY_RESOURCES = frozenset(
    {"klass", "metadata", "kview", "validation", "outbound_webhook", "hook", "mailbox", "workflow"}
    | {"app", "team"}
)


def scope(resource, action):
    return f"{PREFIX}{resource}.{action}"


def invalid_scopes(scopes):
    """Return the given scopes that are not known permission names, in order."""
    return [s for s in scopes if s not in _ALL]


def session_allows(role, resource, action):
    if role == "admin":
        return True
    return action == "read" or resource not in ADMIN_ONLY_RESOURCES
