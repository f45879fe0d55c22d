"""Writes for Klasses, KObjects, metadata, relationships, validation rules and KViews.

One module per topic; the public service functions are re-exported here, so callers write
`from klasses import services; services.kobject_update(...)` whichever module holds them.
"""

from klasses.services.bulk import BULK_LIMIT, kobject_bulk
from klasses.services.klass_delete import klass_delete
from klasses.services.klasses import klass_create, klass_get, klass_update
from klasses.services.kobject_fields import kobject_rule_errors
from klasses.services.kobjects import (
    kobject_create,
    kobject_delete,
    kobject_get,
    kobject_links,
    kobject_links_change,
    kobject_update,
    kobject_upsert,
)
from klasses.services.kviews import kview_create, kview_delete, kview_update
from klasses.services.links import (
    kobjects_unlink,
    link_create,
    links_remove,
    related,
    relationship_create,
)
from klasses.services.metadata import (
    attribute_delete,
    attributes_reorder,
    metadata_get,
    metadata_update,
)
from klasses.services.relationship_edit import relationship_redefine
from klasses.services.rules import rule_create, rule_delete, rule_get, rule_payload, rule_update

__all__ = [
    "attribute_delete",
    "attributes_reorder",
    "BULK_LIMIT",
    "klass_create",
    "klass_delete",
    "klass_get",
    "klass_update",
    "kobject_bulk",
    "kobject_create",
    "kobject_delete",
    "kobject_get",
    "kobject_links",
    "kobject_links_change",
    "kobject_rule_errors",
    "kobject_update",
    "kobject_upsert",
    "kobjects_unlink",
    "kview_create",
    "kview_delete",
    "kview_update",
    "link_create",
    "links_remove",
    "metadata_get",
    "metadata_update",
    "related",
    "relationship_create",
    "relationship_redefine",
    "rule_create",
    "rule_delete",
    "rule_get",
    "rule_payload",
    "rule_update",
]
