"""Forms of the settings pages for the data model; they check what a person can fix in the
words a person reads, and the services check everything again."""

import re

from django import forms

from klasses.services.klasses import KLASS_NAME_RE, reserved

COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}\Z")

# the service's error pointers, and the form field each belongs beside
KLASS_FIELDS = {
    "/name": "name",
    "/displayName": "display_name",
    "/description": "description",
    "/icon": "icon",
    "/color": "color",
}


def add_service_errors(form, errors, fields):
    """Put each service error beside its field (those on no field go on top)."""
    for error in errors:
        field = fields.get(error.pointer)
        form.add_error(field if field in form.fields else None, error.detail)


def name_problem(name):
    """Why `name` cannot name a Klass, in a person's words, or None."""
    if not KLASS_NAME_RE.match(name):
        return (
            "Use letters, digits, “_” or “-”, starting with a letter (at most 64 characters), "
            "e.g. return_request."
        )
    if reserved(name):
        return f"“{name}” is the name of a standard object; choose another."
    return None


class KlassForm(forms.Form):
    display_name = forms.CharField(
        max_length=120,
        label="Display name",
        help_text="What agents read, e.g. “Return”.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "data-klass-display": ""}),
    )
    name = forms.CharField(
        max_length=64,
        label="Machine name",
        help_text="Used by the API and in templates; it cannot change later. Filled in from the "
        "display name.",
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "spellcheck": "false", "data-klass-name": ""}
        ),
    )
    description = forms.CharField(
        max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    icon = forms.CharField(
        max_length=64,
        required=False,
        help_text="An icon name shown beside each object, e.g. “box” or “truck”.",
    )
    color = forms.CharField(
        max_length=7,
        required=False,
        label="Colour",
        help_text="Six-digit hex colour, e.g. #2f6fed.",
        widget=forms.TextInput(attrs={"placeholder": "#2f6fed", "data-color-input": ""}),
    )
    rev = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, klass=None, **kwargs):
        self.klass = klass
        if klass is not None:
            kwargs.setdefault(
                "initial",
                {
                    "display_name": klass.display_name,
                    "name": klass.name,
                    "description": klass.description,
                    "icon": klass.icon,
                    "color": klass.color,
                    "rev": klass.rev,
                },
            )
        super().__init__(*args, **kwargs)
        if klass is not None:
            # the machine name cannot change: shown, never posted
            del self.fields["name"]

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        problem = name_problem(name)
        if problem:
            raise forms.ValidationError(problem)
        return name

    def clean_color(self):
        color = self.cleaned_data["color"].strip()
        if color and not COLOR_RE.match(color):
            raise forms.ValidationError("Write the colour as # and six hex digits, e.g. #2f6fed.")
        return color.lower()

    def service_data(self):
        data = {
            "displayName": self.cleaned_data["display_name"].strip(),
            "description": self.cleaned_data["description"],
            "icon": self.cleaned_data["icon"].strip(),
            "color": self.cleaned_data["color"],
        }
        if self.klass is None:
            data["name"] = self.cleaned_data["name"]
        return data
