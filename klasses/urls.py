"""Pages of this app (`urlpatterns`) and its `/v1/` API routes (`api_urlpatterns`)."""

from django.urls import path

from kdesk.api.routing import api_path
from klasses import api
from klasses.settings_views import attributes, objects, relationships, rules

OBJ = "settings/objects"
ATTR = "settings/attributes"
REL = "settings/relationships"
RULE = "settings/rules"
urlpatterns = [
    path(f"{OBJ}/", objects.klass_list, name="settings-klasses"),
    # Klass names start with a letter, so these two never shadow one
    path(f"{OBJ}/_new/", objects.klass_new, name="settings-klass-new"),
    path(f"{OBJ}/_check-name/", objects.klass_name_check, name="settings-klass-name-check"),
    path(f"{OBJ}/<slug:name>/", objects.klass_edit, name="settings-klass"),
    path(f"{OBJ}/<slug:name>/status/", objects.klass_status, name="settings-klass-status"),
    path(f"{OBJ}/<slug:name>/delete/", objects.klass_delete, name="settings-klass-delete"),
    # <key>: a standard object's name or a Klass's (a Klass may not take a standard name);
    # attribute names start with a small letter, so `_new` is never one
    path(f"{ATTR}/", attributes.attribute_index, name="settings-attributes"),
    path(f"{ATTR}/<slug:key>/", attributes.attribute_list, name="settings-attribute-list"),
    path(f"{ATTR}/<slug:key>/_new/", attributes.attribute_new, name="settings-attribute-new"),
    path(f"{ATTR}/<slug:key>/<slug:name>/", attributes.attribute_edit, name="settings-attribute"),
    path(f"{ATTR}/<slug:key>/<slug:name>/move/", attributes.attribute_move),
    path(f"{ATTR}/<slug:key>/<slug:name>/delete/", attributes.attribute_remove),
    path(f"{REL}/", relationships.relationship_list, name="settings-relationships"),
    path(f"{REL}/_new/", relationships.relationship_new, name="settings-relationship-new"),
    path(f"{REL}/_sentence/", relationships.relationship_sentence),
    path(f"{REL}/<int:pk>/", relationships.relationship_edit, name="settings-relationship"),
    path(f"{REL}/<int:pk>/delete/", relationships.relationship_delete),
    path(f"{RULE}/", rules.rule_list, name="settings-rules"),
    path(f"{RULE}/_new/", rules.rule_new, name="settings-rule-new"),
    path(f"{RULE}/_attributes/", rules.rule_attributes),
    path(f"{RULE}/_preview/", rules.rule_preview),
    path(f"{RULE}/<int:pk>/", rules.rule_edit, name="settings-rule"),
    path(f"{RULE}/<int:pk>/toggle/", rules.rule_toggle),
    path(f"{RULE}/<int:pk>/delete/", rules.rule_delete),
]
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
