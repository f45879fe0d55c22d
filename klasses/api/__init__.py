"""`/v1/klasses…`, `/v1/metadata/…`, `/v1/kviews…`, `/v1/validations…`: Klass definitions,
KObjects, attributes, KViews and validation rules, one module per topic (klasses.urls routes
them)."""

from klasses.api.klasses import KlassDefinitionView, KlassListView, MetadataView
from klasses.api.kobjects import (
    CustomerKObjectsView,
    KObjectBulkView,
    KObjectByExternalIdView,
    KObjectDetailView,
    KObjectFilter,
    KObjectListView,
)
from klasses.api.kviews import KViewDetailView, KViewListView
from klasses.api.links import KObjectRelationshipView
from klasses.api.validations import ValidationDetailView, ValidationListView

__all__ = [
    "CustomerKObjectsView",
    "KObjectBulkView",
    "KObjectByExternalIdView",
    "KObjectDetailView",
    "KObjectFilter",
    "KObjectListView",
    "KObjectRelationshipView",
    "KViewDetailView",
    "KViewListView",
    "KlassDefinitionView",
    "KlassListView",
    "MetadataView",
    "ValidationDetailView",
    "ValidationListView",
]
