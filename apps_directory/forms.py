"""Settings-page forms; they only shape input for the services, which validate it for real."""

from django import forms

from apps_directory.hooks.models import Hook
from apps_directory.webhooks import names
from kdesk import resources


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who receives it, e.g. “Order system”.")
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="An https:// address on the public internet.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/kdesk-events"}),
    )
    events = forms.MultipleChoiceField(
        required=False, widget=forms.CheckboxSelectMultiple, help_text="What to send."
    )
    headers = forms.CharField(
        required=False,
        label="Custom headers",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Authorization: Bearer …"}),
        help_text="One per line, as Name: value.",
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Send events")

    ACTIONS = ("create", "update", "delete")

    def __init__(self, *args, klasses, webhook=None, **kwargs):
        """`klasses`: the org's object types as (name, display name), each offered its events."""
        super().__init__(*args, **kwargs)
        offered = [*names.choices()]
        offered += [f"kustomer.kobject.{k}.{a}" for k, _ in klasses for a in self.ACTIONS]
        # an event of a deleted object type stays listed (and ticked) until it is unticked
        kept = [e for e in (webhook.events if webhook else []) if e not in offered]
        self.fields["events"].choices = [(n, n.rsplit(".", 1)[-1]) for n in offered + kept]
        self._labels = {f"kobject.{k}": label or k for k, label in klasses}

    def _row_label(self, resource):
        if resource in self._labels:
            return self._labels[resource]
        entry = resources.find(resource)
        if entry is not None:
            return entry.label
        return f"{resource.removeprefix('kobject.')} (object type deleted)"

    def event_rows(self):
        """The event checkboxes as one row per resource, a column per action (None where no
        such event exists), so the list reads like the contract's table; object types follow
        the standard resources."""
        boxes = {box.data["value"]: box for box in self["events"]}
        seen = []
        for value in boxes:
            resource = value.removeprefix("kustomer.").rsplit(".", 1)[0]
            if resource not in seen:
                seen.append(resource)
        standard = sorted(r for r in seen if not r.startswith("kobject."))
        custom = [r for r in seen if r.startswith("kobject.")]
        return [
            (self._row_label(r), [boxes.get(f"kustomer.{r}.{a}") for a in self.ACTIONS])
            for r in standard + custom
        ]

    @classmethod
    def initial_for(cls, webhook):
        return {
            "name": webhook.name,
            "url": webhook.url,
            "events": list(webhook.events),
            "headers": "\n".join(f"{k}: {v}" for k, v in (webhook.headers or {}).items()),
            "enabled": webhook.enabled,
        }

    def clean_headers(self):
        out = {}
        for number, line in enumerate(self.cleaned_data["headers"].splitlines(), start=1):
            if not line.strip():
                continue
            name, sep, value = line.partition(":")
            if not sep or not name.strip():
                raise forms.ValidationError(f"Line {number} is not “Name: value”.")
            out[name.strip()] = value.strip()
        return out

    def service_data(self):
        data = self.cleaned_data
        return {
            "name": data["name"],
            "url": data["url"],
            "events": list(data["events"]),
            "headers": data["headers"],
            "enabled": data["enabled"],
        }

    def add_service_errors(self, errors):
        """Put each service error beside its field, in the page's words: the service speaks to
        API clients ("events needs at least one event name", "is not a valid header name")."""
        for error in errors:
            parts = error.pointer.strip("/").split("/")
            head, detail = parts[0], error.detail
            if head == "events" and error.code == "required":
                detail = "Choose at least one event to send."
            elif head == "headers" and len(parts) > 1 and detail[:1].islower():
                detail = f"“{parts[1]}” {detail}"
            if head in ("name", "url", "events", "headers", "enabled"):
                self.add_error(head, detail)
            else:
                self.add_error(None, detail)


class ReplayForm(forms.Form):
    start = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    end = forms.DateTimeField(
        label="To", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["end"] <= cleaned["start"]:
            self.add_error("end", "“To” must be after “From”.")
        return cleaned


class HookForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="What posts to it, e.g. “Shop orders”.")
    kind = forms.ChoiceField(
        choices=Hook.Kind.choices,
        help_text="Web: a JSON body up to 1 MB. Email: a raw message, as mail providers post it.",
    )


class HookEditForm(forms.Form):
    name = forms.CharField(max_length=100)
    rate_limit_per_minute = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=100000,
        label="Calls per minute",
        help_text="Optional. Default: the server-wide limit.",
    )
