"""A tiny API used only by the machinery tests: it exercises the shared base view."""

from django.urls import include, path
from rest_framework.response import Response

from kdesk.api.routing import api_path
from kdesk.api.views import ApiView
from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.models import Team

CALLS = []


class ProbeView(ApiView):
    scope_resource = "team"
    scope_map = {"POST": ("team", "read")}

    def get(self, request):
        return Response({"data": []})

    def post(self, request):
        body = request.data
        if not isinstance(body, dict):
            raise ValidationFailed([FieldError("", "invalid", "Send a JSON object.")])
        errors = []
        if not body.get("name"):
            errors.append(FieldError("/name", "required", "name is required."))
        if "size" in body and not isinstance(body["size"], int):
            errors.append(FieldError("/size", "invalid", "size must be an integer."))
        if errors:
            raise ValidationFailed(errors)
        if body.get("conflict"):
            raise Conflict("stale")
        CALLS.append(body)
        team = Team.objects.create(org=self.org, name=body["name"], slug=f"t{len(CALLS)}")
        return Response({"data": {"type": "team", "id": str(team.pk)}}, status=201)


urlpatterns = [
    path("v1/", include([*api_path("probe", ProbeView.as_view())])),
    path("", include("kdesk.urls")),
]
