"""Reads for the people and teams settings pages."""

from django.db.models import Prefetch

from kdesk.models import Team, User


def people(*, org):
    """The org's people (never machine users), active first."""
    return User.objects.filter(org=org, is_machine=False).order_by("-is_active", "display_name")


def teams(*, org):
    """The org's teams with their members (two queries)."""
    return Team.objects.filter(org=org).prefetch_related(
        Prefetch("members", queryset=User.objects.order_by("display_name"))
    )


def team(*, org, pk):
    return teams(org=org).filter(pk=pk).first()


def person(*, org, pk):
    return User.objects.filter(org=org, pk=pk, is_machine=False).first()


def people_with_teams(*, org):
    """The org's people with their teams (two queries)."""
    return people(org=org).prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name"))
    )
