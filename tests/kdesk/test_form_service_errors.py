"""A service's refusal shown on a settings form: beside its field, in the field's label."""

from django import forms

from kdesk.errors import Conflict, FieldError, ValidationFailed
from kdesk.forms import add_service_errors


class ProfileLike(forms.Form):
    display_name = forms.CharField(label="Your name")
    time_zone = forms.CharField()


FIELDS = {"/displayName": "display_name", "/timeZone": "time_zone"}


def _form():
    form = ProfileLike(data={"display_name": "Ada", "time_zone": "UTC"})
    assert form.is_valid()
    return form


def test_the_api_name_a_detail_starts_with_becomes_the_fields_label():
    form = _form()
    exc = ValidationFailed(
        [
            FieldError("/displayName", "max_length", "displayName must be at most 100 characters."),
            FieldError("/timeZone", "invalid", "timeZone must be an IANA time zone."),
        ]
    )
    add_service_errors(form, exc, FIELDS)
    assert form.errors["display_name"] == ["Your name must be at most 100 characters."]
    # no label given: Django's own name for the field
    assert form.errors["time_zone"] == ["Time zone must be an IANA time zone."]


def test_a_detail_in_words_already_is_kept_and_an_unknown_field_goes_on_top():
    form = _form()
    exc = ValidationFailed(
        [
            FieldError("/displayName", "taken", "Someone in your organization uses this name."),
            FieldError("/color", "invalid", "color must be a hex colour."),
        ]
    )
    add_service_errors(form, exc, FIELDS)
    assert form.errors["display_name"] == ["Someone in your organization uses this name."]
    assert form.non_field_errors() == ["color must be a hex colour."]


def test_a_stale_revision_says_the_pages_own_words():
    form = _form()
    add_service_errors(form, Conflict("rev mismatch"), FIELDS, stale="Someone saved it first.")
    assert form.non_field_errors() == ["Someone saved it first."]
