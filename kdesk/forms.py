from django import forms
from django.forms.utils import pretty_name

from kdesk.errors import Conflict
from kdesk.scopes import RESOURCE_ACTIONS, scope


def add_service_errors(form, exc, field_of, *, stale=None):
    """Show a service's refusal on `form`: each error beside the field `field_of(pointer)` names
    (a mapping or a function; errors on no field of the form go on top). A refusal naming no
    field (a stale revision) says `stale` for a conflict when given, else its own detail."""
    lookup = field_of.get if hasattr(field_of, "get") else field_of
    for error in exc.errors or []:
        field = lookup(error.pointer)
        if field in form.fields:
            form.add_error(field, _in_words(error, form.fields[field], field))
        else:
            form.add_error(None, error.detail)
    if not exc.errors:
        form.add_error(None, stale if stale and isinstance(exc, Conflict) else exc.detail)


def _in_words(error, form_field, name):
    """The service's detail with the API name it starts with ("imapHost is needed ...") swapped
    for the label people see beside the field."""
    key = error.pointer.strip("/").split("/")[0]
    if key and error.detail.startswith(f"{key} "):
        label = form_field.label or pretty_name(name)
        return f"{label}{error.detail[len(key) :]}"
    return error.detail


# what people call each resource a key may act on (the scope names stay Kustomer's)
RESOURCE_LABELS = {
    "klass": "Object types",
    "kobject": "Objects",
    "metadata": "Attributes",
    "kview": "KViews",
    "validation": "Validation rules",
    "outbound_webhook": "Webhooks",
    "hook": "Hooks",
}


class ApiKeyForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who uses it, e.g. “Order system sync”.")
    expires_at = forms.DateTimeField(
        required=False,
        label="Expires",
        help_text="Optional. Leave empty for a key that does not expire.",
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    rate_limit_per_minute = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100000,
        label="Requests per minute",
        help_text="Optional. Default: the server-wide limit.",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for resource, actions in RESOURCE_ACTIONS.items():
            self.fields[f"scopes_{resource}"] = forms.MultipleChoiceField(
                required=False,
                label=RESOURCE_LABELS.get(resource, resource.replace("_", " ").capitalize()),
                choices=[(scope(resource, a), a) for a in actions],
                widget=forms.CheckboxSelectMultiple,
            )

    def scope_fields(self):
        return [self[name] for name in self.fields if name.startswith("scopes_")]

    def chosen_scopes(self):
        return [s for name, v in self.cleaned_data.items() if name.startswith("scopes_") for s in v]

    def clean(self):
        cleaned = super().clean()
        if not any(v for k, v in cleaned.items() if k.startswith("scopes_")):
            raise forms.ValidationError("Choose at least one permission.")
        return cleaned
