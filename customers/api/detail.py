"""One view for one customer or company: read, edit (PUT and PATCH alike) and delete."""

from drf_spectacular.utils import extend_schema
from rest_framework.response import Response

from kdesk.api.openapi import ERRORS
from kdesk.api.params import rev_param
from kdesk.api.views import ApiView

from .schemas import REV, body_of


def record_detail_view(
    name, *, kind, get, represent, update, delete, document, body, delete_summary
):
    """The view of one `kind` ("customer" or "company"): `get(org=, pk=)` finds it (404 else),
    `update` and `delete` are its services (taking it as `kind=`), `represent` its resource."""

    class RecordDetailView(ApiView):
        scope_resource = kind

        @extend_schema(summary=f"Get a {kind}", responses={200: document, 404: ERRORS})
        def get(self, request, pk):
            return Response({"data": represent(get(org=self.org, pk=pk))})

        def _update(self, request, pk):
            found = {kind: get(org=self.org, pk=pk)}  # a 404 before a bad body's 400
            record = update(
                org=self.org,
                actor=self.actor,
                data=body_of(request),
                rev=rev_param(request),
                partial=True,
                **found,
            )
            return Response({"data": represent(record)})

        @extend_schema(
            summary=f"Update a {kind} (attributes left out are kept; null clears one)",
            parameters=[REV],
            request=body,
            responses={200: document, 400: ERRORS, 404: ERRORS, 409: ERRORS},
        )
        def put(self, request, pk):
            # PUT and PATCH both change only what the body carries (API.md)
            return self._update(request, pk)

        @extend_schema(
            summary=f"Update some attributes of a {kind}",
            parameters=[REV],
            request=body,
            responses={200: document, 400: ERRORS, 404: ERRORS, 409: ERRORS},
        )
        def patch(self, request, pk):
            return self._update(request, pk)

        @extend_schema(
            summary=delete_summary,
            parameters=[REV],
            responses={204: None, 404: ERRORS, 409: ERRORS},
        )
        def delete(self, request, pk):
            found = {kind: get(org=self.org, pk=pk)}
            delete(org=self.org, actor=self.actor, rev=rev_param(request), **found)
            return Response(status=204)

    RecordDetailView.__name__ = RecordDetailView.__qualname__ = name
    return RecordDetailView
