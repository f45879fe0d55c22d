from apps_directory.hooks.models import Hook
from kdesk.models import Event, Organization
from kdesk.prepared import PreparedValues

_HOOK_COLUMNS = [f.attname for f in Hook._meta.concrete_fields]
_ORG_COLUMNS = [f.attname for f in Organization._meta.concrete_fields]

# Every call to a hook starts here, with no key: compiled once per connection, then re-bound
# (the ORM's compile cost more than the unique-index lookup itself).
_BY_TOKEN = PreparedValues(
    lambda kind, token: Hook.objects.filter(token=token, kind=kind).values(
        *_HOOK_COLUMNS, *[f"org__{name}" for name in _ORG_COLUMNS]
    )[:1],
    strings=("kind", "token"),
)


def hooks(*, org):
    return Hook.objects.filter(org=org).order_by("id")


def hook(*, org, pk):
    return Hook.objects.filter(org=org, pk=pk).first()


def by_token(*, kind, token):
    """The hook at `/v1/hooks/{kind}/{token}` with its organization, or None."""
    rows = _BY_TOKEN.rows(kind=str(kind), token=str(token))
    if not rows:
        return None
    row = rows[0]
    org = Organization.from_db("default", _ORG_COLUMNS, [row[f"org__{n}"] for n in _ORG_COLUMNS])
    found = Hook.from_db("default", _HOOK_COLUMNS, [row[n] for n in _HOOK_COLUMNS])
    Hook.org.field.set_cached_value(found, org)
    return found


def recent_calls(*, org, hook, limit=50):
    """The hook's latest `hook.received` events, newest first."""
    return list(
        Event.objects.filter(
            org=org, resource="hook", resource_id=str(hook.pk), type="hook.received"
        )
        .order_by("-id")
        .values("id", "data", "created_at")[:limit]
    )
