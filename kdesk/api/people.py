"""Users (read-only) and teams (read and write): what integrations need for mentions and
assignment."""

from collections import defaultdict

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.response import Response

from kdesk import services
from kdesk.api.openapi import TEAM, TEAM_BODY, TEAM_CREATE_BODY, USER, errors
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param
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
    for team_id, user_id in qs.order_by("team_id", "user_id").values_list("team_id", "user_id"):
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


REV = OpenApiParameter("rev", int, description="Refuse (409) unless this is the current rev.")


def _team_document(org, team):
    _, by_team = _memberships(org, team_ids=[team.pk])
    return {"data": team_resource(team, by_team.get(team.pk, ()))}


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

    @extend_schema(
        request=TEAM_CREATE_BODY,
        responses={201: TEAM.document, **errors(400, 401, 403, 409)},
        description="Body: {name, displayName, slug, members: [user ids]}. A name (any case) "
        "or slug another team holds is a 409; an unknown user, or one of another org, a 400 "
        "naming /members/<index>. Event: team.create (kustomer.team.create).",
    )
    def post(self, request):
        team = services.team_create(org=self.org, actor=self.actor, data=request.data)
        return Response(_team_document(self.org, team), status=201)


class TeamDetailView(ApiView):
    scope_resource = "team"

    def _team(self, pk):
        team = Team.objects.filter(org=self.org, pk=pk).first()
        if team is None:
            raise NotFound("No team with this id.")
        return team

    @extend_schema(responses={200: TEAM.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response(_team_document(self.org, self._team(pk)))

    @extend_schema(
        request=TEAM_BODY,
        parameters=[REV],
        responses={200: TEAM.document, **errors(400, 401, 403, 404, 409)},
        description="Changes only what the body carries; `members` replaces the member list. "
        "Event: team.update (kustomer.team.update) with the changes.",
    )
    def put(self, request, pk):
        team = services.team_update(
            org=self.org,
            actor=self.actor,
            team=self._team(pk),
            data=request.data,
            rev=rev_param(request),
        )
        return Response(_team_document(self.org, team))

    @extend_schema(
        parameters=[REV],
        responses={204: None, **errors(401, 403, 404, 409)},
        description="Its conversations stay assigned to their user and lose the team.",
    )
    def delete(self, request, pk):
        services.team_delete(
            org=self.org, actor=self.actor, team=self._team(pk), rev=rev_param(request)
        )
        return Response(status=204)
