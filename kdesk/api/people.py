"""Users and teams, read-only: what integrations need for mentions and assignment."""

from collections import defaultdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from kdesk.api.openapi import TEAM, USER, errors
from kdesk.api.pagination import paginate
from kdesk.api.views import ApiView
from kdesk.errors import NotFound
from kdesk.models import Team
from kdesk.representations import team_resource, user_resource
from kdesk.selectors import people, teams


def _memberships(org, user_ids=None, team_ids=None):
    qs = Team.members.through.objects.filter(team__org=org)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    if team_ids is not None:
        qs = qs.filter(team_id__in=team_ids)
    by_user, by_team = defaultdict(list), defaultdict(list)
    for team_id, user_id in qs.values_list("team_id", "user_id"):
        by_user[user_id].append(team_id)
        by_team[team_id].append(user_id)
    return by_user, by_team


class UserListView(ApiView):
    scope_resource = "user"

    @extend_schema(
        parameters=[
            OpenApiParameter("page", int),
            OpenApiParameter("pageSize", int),
            OpenApiParameter("username", str, description="Exact @mention handle."),
        ],
        responses={200: USER.page, **errors(400, 401, 403)},
    )
    def get(self, request):
        qs = people(org=self.org)
        if username := request.query_params.get("username"):
            qs = qs.filter(username=username)

        def serialize(rows):
            by_user, _ = _memberships(self.org, user_ids=[u.pk for u in rows])
            return [user_resource(u, by_user.get(u.pk, ())) for u in rows]

        return Response(paginate(request, qs, serialize))


class UserDetailView(ApiView):
    scope_resource = "user"

    @extend_schema(responses={200: USER.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        user = self.org.users.filter(pk=pk, is_active=True).first()
        if user is None:
            raise NotFound("No user with this id.")
        by_user, _ = _memberships(self.org, user_ids=[user.pk])
        return Response({"data": user_resource(user, by_user.get(user.pk, ()))})


class CurrentUserView(ApiView):
    scope_resource = None

    @extend_schema(responses={200: USER.document, **errors(401)})
    def get(self, request):
        user = request.user
        by_user, _ = _memberships(self.org, user_ids=[user.pk])
        return Response({"data": user_resource(user, by_user.get(user.pk, ()))})


class TeamListView(ApiView):
    scope_resource = "team"

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        responses={200: TEAM.page, **errors(400, 401, 403)},
    )
    def get(self, request):
        def serialize(rows):
            _, by_team = _memberships(self.org, team_ids=[t.pk for t in rows])
            return [team_resource(t, by_team.get(t.pk, ())) for t in rows]

        return Response(paginate(request, teams(org=self.org), serialize))


class TeamDetailView(ApiView):
    scope_resource = "team"

    @extend_schema(responses={200: TEAM.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        team = Team.objects.filter(org=self.org, pk=pk).first()
        if team is None:
            raise NotFound("No team with this id.")
        _, by_team = _memberships(self.org, team_ids=[team.pk])
        return Response({"data": team_resource(team, by_team.get(team.pk, ()))})
