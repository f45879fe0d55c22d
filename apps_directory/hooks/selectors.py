from apps_directory.hooks.models import Hook
from kdesk.models import Event


def hooks(*, org):
    return Hook.objects.filter(org=org).order_by("id")


def hook(*, org, pk):
    return Hook.objects.filter(org=org, pk=pk).first()


def by_token(*, kind, token):
    return Hook.objects.select_related("org").filter(kind=kind, token=token).first()


def recent_calls(*, org, hook, limit=50):
    """The hook's latest `hook.received` events, newest first."""
    return list(
        Event.objects.filter(
            org=org, resource="hook", resource_id=str(hook.pk), type="hook.received"
        )
        .order_by("-id")
        .values("id", "data", "created_at")[:limit]
    )
