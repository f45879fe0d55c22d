"""The KView form and what the editor's side panel lists: the variables a context offers (with
the attributes' display names) and the helpers every template may call."""

from django import forms
from django.conf import settings

from klasses.models import KView

CONTEXTS = (
    (KView.Context.INSIGHT_CARD, "Insight card", "A card beside the customer’s timeline."),
    (
        KView.Context.INSIGHT_DETAILS,
        "Details",
        "The details panel of the customer, or of the object or conversation in view.",
    ),
    (
        KView.Context.TIMELINE,
        "Timeline entry",
        "How each object shows on the customer’s timeline (object types only).",
    ),
)
CONTEXT_LABELS = {value: label for value, label, _ in CONTEXTS}
KINDS = (("template", "Template"), ("iframe", "Embedded page"))
CUSTOMER_VARS = (
    ("customer.name", "Full name"),
    ("customer.firstName", "First name"),
    ("customer.lastName", "Last name"),
    ("customer.email", "First email address"),
    ("customer.emails", "Every email address (a list)"),
    ("customer.phone", "First phone number"),
    ("customer.externalId", "Id in your other systems"),
    ("customer.tags", "Tags (a list)"),
    ("customer.locale", "Language"),
    ("customer.timeZone", "Time zone"),
    ("customer.createdAt", "When the customer was created"),
)
OBJECT_VARS = (
    ("object.title", "Title"),
    ("object.description", "Description"),
    ("object.externalId", "Id in your other systems"),
    ("object.tags", "Tags (a list)"),
    ("object.createdAt", "When it was created"),
    ("object.updatedAt", "When it last changed"),
)
KLASS_VARS = (
    ("klass.displayName", "The object type’s name"),
    ("klass.icon", "Its icon"),
    ("klass.color", "Its colour"),
)
CONVERSATION_VARS = (
    ("conversation.name", "Subject"),
    ("conversation.status", "Status: open, snoozed or done"),
    ("conversation.priority", "Priority"),
    ("conversation.tags", "Tags (a list)"),
    ("conversation.channels", "Channels (a list)"),
    ("conversation.createdAt", "When it was opened"),
)
HELPERS = (
    ("value|number(2)", "A number with 2 decimals"),
    ("value|currency('EUR')", "An amount of money"),
    ("value|date('short')", "A date: short, medium or long"),
    ("deeplink(url, id=object.id)", "A link with query parameters"),
    ("object.related('name')", "The records a relationship reaches"),
    ("resource.type", "What the agent has in view: customer, conversation…"),
    ("resource.id", "Its id"),
)


def _custom(prefix, definitions):
    rows = sorted(
        (definitions or {}).items(),
        key=lambda kv: (kv[1].get("position") is None, kv[1].get("position") or 0, kv[0]),
    )
    return [(f"{prefix}.{name}", d.get("displayName") or name) for name, d in rows]


def variables(*, resource, context, definitions):
    """[(group, [(expression, what it is)])] for the side panel. `definitions`: {resource:
    {attribute: definition}} of the org."""
    groups = [
        (
            "Customer",
            [*CUSTOMER_VARS, *_custom("customer.custom", definitions.get("customer"))],
        )
    ]
    if resource == "conversation":
        groups.append(
            (
                "Conversation",
                [
                    *CONVERSATION_VARS,
                    *_custom("conversation.custom", definitions.get("conversation")),
                ],
            )
        )
    elif resource.startswith("kobject."):
        attrs = definitions.get(resource)
        items = [*OBJECT_VARS, *_custom("object.data", attrs)]
        groups.append(("This object", items))
        groups.append(("Its type", list(KLASS_VARS)))
        if context != KView.Context.TIMELINE:
            groups.append(
                (
                    "The customer’s objects",
                    [("objects", "The latest 20 of the customer’s, newest first")],
                )
            )
        else:
            groups.append(("The change", [("event.type", "What happened, e.g. an update")]))
    groups.append(("Helpers", list(HELPERS)))
    return groups


class KViewForm(forms.Form):
    name = forms.CharField(max_length=120, help_text="Agents see it as the card’s title.")
    resource = forms.ChoiceField(label="Shown for")
    context = forms.ChoiceField(
        label="Where", choices=[(v, label) for v, label, _ in CONTEXTS], widget=forms.RadioSelect
    )
    kind = forms.ChoiceField(label="Kind", choices=KINDS, widget=forms.RadioSelect)
    template = forms.CharField(
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 16, "spellcheck": "false", "class": "mono"}),
    )
    url_template = forms.CharField(
        required=False,
        max_length=2048,
        label="Page address",
        help_text="May use the variables, e.g. https://shop.example.com/orders/{{ object.externalId }}.",
        widget=forms.TextInput(attrs={"spellcheck": "false", "class": "mono"}),
    )
    position = forms.IntegerField(
        min_value=-1000, max_value=1000, initial=0, help_text="Lower numbers show first."
    )
    active = forms.BooleanField(required=False, initial=True, label="Shown to agents")
    sample = forms.CharField(required=False, label="Preview with")
    rev = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, resources, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["resource"].choices = [("", "Choose…"), *resources]
        self.allowed_origins = list(settings.IFRAME_ALLOWED_ORIGINS)

    def clean(self):
        c = super().clean()
        resource, context, kind = c.get("resource"), c.get("context"), c.get("kind")
        if context == KView.Context.TIMELINE and resource and not resource.startswith("kobject."):
            self.add_error(
                "context", "Only object types have timeline entries; choose another place."
            )
        if kind == "template" and not (c.get("template") or "").strip():
            self.add_error("template", "Write the template agents will see.")
        if kind == "iframe" and not (c.get("url_template") or "").strip():
            self.add_error("url_template", "Write the address of the page to embed.")
        return c

    def service_data(self):
        c = self.cleaned_data
        data = {
            "name": c["name"],
            "resource": c["resource"],
            "context": c["context"],
            "kind": c["kind"],
            "position": c["position"],
            "active": c.get("active", False),
        }
        if c["kind"] == "template":
            data["template"] = c["template"]
        else:
            data["urlTemplate"] = c["url_template"].strip()
        return data
