"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from kdesk.api.routing import api_path
from klasses import api

urlpatterns = []
api_urlpatterns = [
    *api_path("klasses", api.KlassListView.as_view(), name="api-klasses"),
    *api_path("klasses/<slug:name>/definition", api.KlassDefinitionView.as_view()),
    *api_path("klasses/<slug:name>/bulk", api.KObjectBulkView.as_view()),
    *api_path(
        "klasses/<slug:name>/externalId=<external_id:external_id>",
        api.KObjectByExternalIdView.as_view(),
    ),
    *api_path("klasses/<slug:name>/<int:pk>", api.KObjectDetailView.as_view()),
    *api_path(
        "klasses/<slug:name>/<int:pk>/relationships/<slug:rel>",
        api.KObjectRelationshipView.as_view(),
    ),
    *api_path("klasses/<slug:name>", api.KObjectListView.as_view(), name="api-kobjects"),
    *api_path("customers/<int:pk>/klasses/<slug:name>", api.CustomerKObjectsView.as_view()),
    *api_path("metadata/<str:resource>", api.MetadataView.as_view(), name="api-metadata"),
    *api_path("kviews", api.KViewListView.as_view(), name="api-kviews"),
    *api_path("kviews/<int:pk>", api.KViewDetailView.as_view()),
    *api_path("validations", api.ValidationListView.as_view(), name="api-validations"),
    *api_path("validations/<int:pk>", api.ValidationDetailView.as_view()),
]
