"""Reads of saved inbox views: the ones a person sees (their own and their teams'), one by id,
and each one's live count through the search engine (one count query a view)."""

from django.db.models import Q

from kdesk.errors import ValidationFailed
from kdesk.models import Team
from timeline import saved_views
from timeline.models import SavedView

MAX_SIDEBAR = 30


def visible(*, org, user):
    """Views `user` can see: their own and those shared with a team they are in."""
    teams = Team.members.through.objects.filter(user_id=user.pk).values("team_id")
    return (
        SavedView.objects.filter(org=org)
        .filter(Q(owner_id=user.pk) | Q(team_id__in=teams))
        .select_related("team", "owner")
        .order_by("name", "id")
    )


def view_get(*, org, user, pk):
    return visible(org=org, user=user).filter(pk=pk).first() if pk is not None else None


def with_counts(*, org, user):
    """[(view, count)] of the first MAX_SIDEBAR visible views: one query for the views, one
    count a view (the engine's query for the view's filters)."""
    out = []
    for view in visible(org=org, user=user)[:MAX_SIDEBAR]:
        try:
            ids = saved_views.conversations(org=org, user_id=user.pk, filters=view.filters)
        except ValidationFailed:  # an attribute or Klass it names was removed since
            out.append((view, None))
            continue
        out.append((view, ids.count()))
    return out


def view_ids(*, org, user, view):
    return saved_views.conversations(org=org, user_id=user.pk, filters=view.filters)


def nothing():
    """An empty queryset of ids (a view that can no longer run shows no conversations)."""
    return SavedView.objects.none().values("id")
