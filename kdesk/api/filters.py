"""Filters shared by the list endpoints."""

from datetime import UTC

import django_filters
from django import forms


class UtcIsoDateTimeField(forms.DateTimeField):
    """ISO-8601 in, UTC out: offsets PostgreSQL refuses (beyond ±15:59) never reach it."""

    def to_python(self, value):
        parsed = django_filters.fields.IsoDateTimeField().to_python(value)
        if parsed is None:
            return None
        try:
            return parsed.astimezone(UTC)
        except (OverflowError, ValueError):
            raise forms.ValidationError("Enter a date-time within years 1–9999.") from None


class UtcIsoDateTimeFilter(django_filters.IsoDateTimeFilter):
    field_class = UtcIsoDateTimeField


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


class IdFilter(django_filters.NumberFilter):
    """An id in the query string: a positive integer that fits a database key."""

    field_class = IdField


def filter_parameters(filterset_class, **descriptions):
    """The query parameters of a FilterSet as /v1/schema documents them: each filter's own
    bounds and choices, so the document says exactly what `is_valid()` accepts."""
    from drf_spectacular.utils import OpenApiParameter

    parameters = []
    for name, filter_ in filterset_class.base_filters.items():
        field = filter_.field
        if isinstance(filter_, django_filters.OrderingFilter):
            names = list(filter_.param_map)
            schema = {"type": "string", "enum": [*names, *(f"-{n}" for n in names)]}
        elif isinstance(filter_, django_filters.MultipleChoiceFilter):
            choices = [str(value) for value, _ in field.choices]
            schema = {"type": "array", "items": {"type": "string", "enum": choices}}
        elif isinstance(filter_, django_filters.ChoiceFilter):
            schema = {"type": "string", "enum": [str(value) for value, _ in field.choices]}
        elif isinstance(filter_, django_filters.NumberFilter):
            schema = {"type": "integer" if isinstance(field, forms.IntegerField) else "number"}
            if field.min_value is not None:
                schema["minimum"] = field.min_value
            if field.max_value is not None:
                schema["maximum"] = field.max_value
        elif isinstance(filter_, django_filters.IsoDateTimeFilter):
            schema = {"type": "string", "format": "date-time"}
        else:
            schema = {"type": "string"}
        parameters.append(OpenApiParameter(name, schema, description=descriptions.get(name, "")))
    return parameters
