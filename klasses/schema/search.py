"""Typed attributes as a search sees them: the name's type, and the stored form of a value
searched for. Every resource whose JSON columns hold typed attributes declares these two
(kdesk.resources.Resource.attribute_type / attribute_value), so the core search engine reads the
types without importing this engine."""

from klasses.schema.errors import Invalid
from klasses.schema.types import attribute_type, clean_at

__all__ = ["attribute_type", "attribute_value"]


def attribute_value(suffix, value):
    """`value` as stored for an attribute of type `suffix`; ValueError(detail) when it cannot
    be one. Only date-times have a stored form other than the JSON value itself (the engine
    checks the other types by their JSON kind)."""
    if suffix != "At":
        return value
    try:
        return clean_at(value)
    except Invalid as exc:
        raise ValueError(exc.detail) from None
