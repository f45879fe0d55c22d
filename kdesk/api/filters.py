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
