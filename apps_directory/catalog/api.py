"""`/v1/apps` (the directory) and `/v1/apps/installations` (install, read, upgrade,
deactivate, reactivate, uninstall)."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from apps_directory.catalog import selectors, services
from apps_directory.catalog.manifest import catalog, version_key
from apps_directory.catalog.models import Installation
from apps_directory.catalog.representations import app_resource, installation_resource
from apps_directory.webhooks.api import only_params
from kdesk.api.openapi import errors, resource_schemas, timestamps, to_one
from kdesk.api.pagination import page_document, page_params
from kdesk.api.params import rev_param, with_rev
from kdesk.api.views import ApiView
from kdesk.errors import NotFound

FEATURE = inline_serializer(
    "AppFeature",
    {
        "kind": serializers.ChoiceField(["klass", "kview", "hook", "webhook", "workflow"]),
        "kindLabel": serializers.CharField(),
        "key": serializers.CharField(),
        "displayName": serializers.CharField(),
    },
)
INSTALLED_FEATURE = inline_serializer(
    "AppInstalledFeature",
    {
        **FEATURE.__class__._declared_fields,
        "id": serializers.CharField(help_text="The Klass's name; the others' id."),
    },
)
KEPT_CHANGE = inline_serializer(
    "AppKeptChange",
    {
        **{k: FEATURE.__class__._declared_fields[k] for k in ("kind", "key")},
        "id": serializers.CharField(
            help_text="The feature's record: the Klass's name, the others' id."
        ),
        "field": serializers.CharField(
            help_text="Its path in the feature: template, attributes/statusStr/displayName…"
        ),
        "label": serializers.CharField(help_text="What people call it: Order's 'Status' label."),
    },
)
APP = resource_schemas(
    "App",
    {
        "name": serializers.CharField(),
        "title": serializers.CharField(),
        "summary": serializers.CharField(),
        "version": serializers.CharField(help_text="The latest version."),
        "versions": serializers.ListField(child=serializers.CharField()),
        "notes": serializers.CharField(allow_blank=True),
        "features": FEATURE.__class__(many=True),
    },
    {"installation": to_one()},
)
INSTALLATION = resource_schemas(
    "AppInstallation",
    {
        "app": serializers.CharField(),
        "title": serializers.CharField(),
        "version": serializers.CharField(),
        "latestVersion": serializers.CharField(),
        "upgradeAvailable": serializers.BooleanField(),
        "status": serializers.ChoiceField(Installation.Status.values),
        "features": INSTALLED_FEATURE.__class__(many=True),
        "keptChanges": KEPT_CHANGE.__class__(
            many=True,
            help_text="What an admin had changed in the app's features and its last upgrade "
            "kept instead of the new version's values.",
        ),
        **timestamps(),
    },
    {"installedBy": to_one()},
)


# The catalog ships with the code: a name or version outside it is no request a client means.
APP_NAMES = sorted(catalog.apps)
VERSIONS = sorted(
    {m.version for versions in catalog.apps.values() for m in versions}, key=version_key
)
INSTALL_BODY = inline_serializer(
    "AppInstallationCreateBody",
    {
        "app": serializers.ChoiceField(APP_NAMES, help_text="An app of GET /v1/apps."),
        "version": serializers.ChoiceField(
            VERSIONS, required=False, allow_null=True, help_text="The latest if left out or null."
        ),
    },
)
UPDATE_BODY = inline_serializer(
    "AppInstallationBody",
    {
        "status": serializers.ChoiceField(
            Installation.Status.values,
            required=False,
            allow_null=True,
            help_text="inactive turns its hooks, workflows and webhooks off and hides its KViews "
            "(data and settings stay); active restores them.",
        ),
        "version": serializers.ChoiceField(
            VERSIONS,
            required=False,
            allow_null=True,
            help_text="A newer one upgrades; an older one is a 409.",
        ),
        "rev": serializers.IntegerField(required=False),
    },
)


def _installation(view, pk):
    found = selectors.installation(org=view.org, pk=pk)
    if found is None:
        raise NotFound("No app installation with this id.")
    return found


class AppListView(ApiView):
    scope_resource = "app"

    @extend_schema(
        parameters=[OpenApiParameter("page", int), OpenApiParameter("pageSize", int)],
        responses={200: APP.page, **errors(400, 401, 403)},
    )
    def get(self, request):
        only_params(request, {"page", "pageSize"})
        page, size = page_params(request)
        apps = catalog.all()
        installed = selectors.installations_by_app(org=self.org)
        data = [
            app_resource(m, installed.get(m.app)) for m in apps[(page - 1) * size : page * size]
        ]
        return Response(page_document(request, data, page=page, size=size, total=len(apps)))


class InstallationListView(ApiView):
    scope_resource = "app"

    @extend_schema(
        request=INSTALL_BODY, responses={201: INSTALLATION.document, **errors(400, 401, 403, 409)}
    )
    def post(self, request):
        installation = services.installation_create(
            org=self.org, actor=self.actor, data=request.data
        )
        installation = selectors.installation(org=self.org, pk=installation.pk)
        return Response({"data": installation_resource(installation)}, status=201)


class InstallationDetailView(ApiView):
    scope_resource = "app"

    @extend_schema(responses={200: INSTALLATION.document, **errors(401, 403, 404)})
    def get(self, request, pk):
        return Response({"data": installation_resource(_installation(self, pk))})

    @extend_schema(
        request=UPDATE_BODY,
        responses={200: INSTALLATION.document, **errors(400, 401, 403, 404, 409)},
    )
    def put(self, request, pk):
        installation = _installation(self, pk)
        data = with_rev(request.data, rev_param(request))
        services.installation_update(
            org=self.org, actor=self.actor, installation=installation, data=data
        )
        return Response({"data": installation_resource(_installation(self, pk))})

    @extend_schema(responses={204: None, **errors(401, 403, 404)})
    def delete(self, request, pk):
        services.installation_delete(
            org=self.org, actor=self.actor, installation=_installation(self, pk)
        )
        return Response(status=204)
