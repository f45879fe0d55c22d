from django.db.models import Q

from kdesk.models import Event, Team, User

EVENT_FIELDS = (
    "id",
    "type",
    "resource",
    "resource_id",
    "customer_id",
    "actor_id",
    "rev",
    "data",
    "changes",
    "created_at",
)


def events_after(*, org, after=0, types=(), limit=100, viewer=None):
    qs = Event.objects.filter(org=org, id__gt=after)
    # A private shortcut is its owner's alone, in the feed as in its own list.
    private = Q(type__startswith="shortcut.", data__attributes__visibility="private")
    if viewer is not None:
        private &= ~Q(data__relationships__owner__data__id=str(viewer.pk))
    qs = qs.exclude(private)
    if types:
        cond = Q()
        for t in types:
            cond |= Q(type__startswith=t[:-1]) if t.endswith("*") else Q(type=t)
        qs = qs.filter(cond)
    return list(qs.order_by("id").values(*EVENT_FIELDS)[:limit])


def people(*, org):
    return User.objects.filter(org=org, is_active=True, is_machine=False).order_by("display_name")


def teams(*, org):
    return Team.objects.filter(org=org).order_by("name")
