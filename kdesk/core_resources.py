"""The core's own resources in the register (kdesk.resources): users and teams. They are not
searched, validation rules name none of their fields and they hold no custom attributes; they
are registered so that every reader knows them (a Klass cannot take their names, for one)."""

from kdesk.representations import team_resource, user_resource
from kdesk.resources import Resource

USER_FIELDS = (
    "id",
    "display_name",
    "username",
    "email",
    "role",
    "is_machine",
    "time_zone",
    "date_joined",
)
TEAM_FIELDS = ("id", "name", "display_name", "slug", "rev", "created_at", "updated_at")


def team_row_resource(team):
    """A Team instance (its members prefetched, or read here) as a resource."""
    return team_resource(team, sorted(member.pk for member in team.members.all()))


USER = Resource(
    name="user",
    model="kdesk.User",
    label="User",
    plural="users",
    fields=USER_FIELDS,
    represent=user_resource,
    json_columns=(),  # no custom attributes (yet)
    custom=False,
    events=("user.create", "user.update"),
)

TEAM = Resource(
    name="team",
    model="kdesk.Team",
    label="Team",
    plural="teams",
    fields=TEAM_FIELDS,
    represent=team_row_resource,
    json_columns=(),  # no custom attributes (yet)
    custom=False,
    events=("team.create", "team.update", "team.delete"),
)

RESOURCES = (USER, TEAM)
