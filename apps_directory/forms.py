"""Settings-page forms; they only shape input for the services, which validate it for real."""

from django import forms

from apps_directory.hooks.models import Hook
from apps_directory.webhooks import names


class WebhookForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Who receives it, e.g. “Order system”.")
    url = forms.CharField(
        label="URL",
        max_length=2000,
        help_text="An https:// address on the public internet.",
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/kdesk-events"}),
    )
    events = forms.MultipleChoiceField(
        required=False,
        choices=[(n, n.removeprefix("kustomer.")) for n in names.choices()],
        widget=forms.CheckboxSelectMultiple,
        help_text="What to send.",
    )
    kobject_events = forms.CharField(
        required=False,
        label="Custom object events",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "kustomer.kobject.order.create"}),
        help_text="One per line: kustomer.kobject.&lt;klass&gt;.create, .update or .delete.",
    )
    headers = forms.CharField(
        required=False,
        label="Custom headers",
        widget=forms.Textarea(attrs={"rows": 2, "placeholder": "Authorization: Bearer …"}),
        help_text="One per line, as Name: value.",
    )
    enabled = forms.BooleanField(required=False, initial=True, label="Send events")

    ACTIONS = ("create", "update", "delete")

    def event_rows(self):
        """The event checkboxes as one row per resource, a column per action (None where no
        such event exists), so the list reads like the contract's table."""
        boxes = {box.data["value"]: box for box in self["events"]}
        resources = sorted({value.split(".")[1] for value in boxes})
        return [
            (resource, [boxes.get(f"kustomer.{resource}.{a}") for a in self.ACTIONS])
            for resource in resources
        ]

    @classmethod
    def initial_for(cls, webhook):
        fixed = [e for e in webhook.events if e in names.FIXED]
        return {
            "name": webhook.name,
            "url": webhook.url,
            "events": fixed,
            "kobject_events": "\n".join(e for e in webhook.events if e not in names.FIXED),
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
        extra = [line.strip() for line in data["kobject_events"].splitlines() if line.strip()]
        return {
            "name": data["name"],
            "url": data["url"],
            "events": [*data["events"], *extra],
            "headers": data["headers"],
            "enabled": data["enabled"],
        }

    def add_service_errors(self, errors):
        """Put each service error beside its field."""
        fixed = len(self.cleaned_data.get("events") or [])
        for error in errors:
            parts = error.pointer.strip("/").split("/")
            head = parts[0] if parts else ""
            if (
                head == "events"
                and len(parts) > 1
                and parts[1].isdigit()
                and int(parts[1]) >= fixed
            ):
                self.add_error("kobject_events", error.detail)
            elif head in ("name", "url", "events", "headers", "enabled"):
                self.add_error(head, error.detail)
            else:
                self.add_error(None, error.detail)


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
