"""`/v1/kviews…`: admin-written cards and iframes."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from kdesk.api.openapi import (
    errors,
)
from kdesk.api.pagination import paginate
from kdesk.api.params import rev_param
from kdesk.api.views import ApiView
from kdesk.errors import NotFound
from klasses import services
from klasses.api.schemas import (
    KVIEW,
    LIST,
    PAGE,
    READ,
    REV,
    WRITE,
    responses_with,
)
from klasses.models import KView
from klasses.openapi.bodies import (
    KVIEW_BODY,
    KVIEW_CREATE_BODY,
)
from klasses.representations import (
    kview_resource,
)


class KViewListView(ApiView):
    scope_resource = "kview"

    @extend_schema(parameters=PAGE, responses=responses_with(KVIEW.page, *LIST))
    def get(self, request):
        qs = KView.objects.filter(org=self.org).order_by("resource", "position", "id")
        return Response(paginate(request, qs, lambda rows: [kview_resource(k) for k in rows]))

    @extend_schema(request=KVIEW_CREATE_BODY, responses={201: KVIEW.document, **errors(*WRITE)})
    def post(self, request):
        kview = services.kview_create(org=self.org, actor=self.actor, data=request.data)
        return Response({"data": kview_resource(kview)}, status=201)


class KViewDetailView(ApiView):
    scope_resource = "kview"

    def _get(self, pk):
        kview = KView.objects.filter(org=self.org, pk=pk).first()
        if kview is None:
            raise NotFound("No KView with this id.")
        return kview

    @extend_schema(responses=responses_with(KVIEW.document, *READ))
    def get(self, request, pk):
        return Response({"data": kview_resource(self._get(pk))})

    @extend_schema(
        request=KVIEW_BODY, parameters=[REV], responses=responses_with(KVIEW.document, *WRITE)
    )
    def put(self, request, pk):
        kview = services.kview_update(
            org=self.org,
            actor=self.actor,
            kview=self._get(pk),
            data=request.data,
            rev=rev_param(request),
        )
        return Response({"data": kview_resource(kview)})

    @extend_schema(parameters=[REV], responses={204: None, **errors(*WRITE)})
    def delete(self, request, pk):
        services.kview_delete(
            org=self.org, actor=self.actor, kview=self._get(pk), rev=rev_param(request)
        )
        return Response(status=204)
