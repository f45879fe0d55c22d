"""The validation rule form: the object and the attribute are picked from what exists, the
moment from a list, and the rule is read back as a sentence."""

from django import forms

from klasses.schema import default_display_name

WHEN = (
    ("create", "When it is created"),
    ("update", "When it is changed"),
    ("always", "When it is created or changed"),
    ("status", "Before a conversation is set to a status"),
)
STATUSES = (("done", "Done"), ("snoozed", "Snoozed"), ("open", "Open"))
# (op, how it reads, the value it takes)
CONDITIONS = (
    ("required", "must be filled in", None),
    ("gte", "must be at least", "number"),
    ("lte", "must be at most", "number"),
    ("gt", "must be more than", "number"),
    ("lt", "must be less than", "number"),
    ("equals", "must be", "scalar"),
    ("not_equals", "must not be", "scalar"),
    ("in", "must be one of", "list"),
    ("not_in", "must not be one of", "list"),
    ("contains", "must contain", "text"),
    ("starts_with", "must start with", "text"),
    ("min_length", "must have at least this many characters or items", "count"),
    ("max_length", "must have at most this many characters or items", "count"),
)
CONDITION_TEXT = {op: text for op, text, _ in CONDITIONS}
CONDITION_VALUE = {op: kind for op, _, kind in CONDITIONS}
# the standard attributes a rule may name, in people's words
STANDARD_ATTRIBUTES = {
    "name": "Name",
    "externalId": "External id",
    "emails": "Emails",
    "phones": "Phone numbers",
    "socials": "Social profiles",
    "urls": "Web addresses",
    "locations": "Locations",
    "tags": "Tags",
    "locale": "Language",
    "timeZone": "Time zone",
    "company": "Company",
    "domains": "Domains",
    "body": "Text",
    "direction": "Direction",
    "channel": "Channel",
    "sentAt": "Sent at",
    "subject": "Subject",
    "status": "Status",
    "snoozeUntil": "Snoozed until",
    "priority": "Priority",
    "assignedUser": "Assigned agent",
    "assignedTeam": "Assigned team",
    "title": "Title",
    "description": "Description",
    "images": "Images",
    "icon": "Icon",
    "customer": "Customer",
}


def attribute_choices(resource, standard, definitions):
    """[(rule attribute, label)] for a resource: its standard attributes, then its custom ones
    by display name (`custom.<name>`, a KObject's `data.<name>`)."""
    prefix = "data" if resource.startswith("kobject.") else "custom"
    out = [(a, STANDARD_ATTRIBUTES.get(a, a)) for a in standard]
    custom = sorted(
        definitions.items(),
        key=lambda kv: (
            kv[1].get("position") is None,
            kv[1].get("position") or 0,
            (kv[1].get("displayName") or kv[0]).lower(),
        ),
    )
    out += [(f"{prefix}.{n}", d.get("displayName") or default_display_name(n)) for n, d in custom]
    return out


def rule_sentence(subject, label, when, status, op, value):
    """ "A Return cannot be created without Refund amount." and the like."""
    article = "An" if subject[:1].lower() in "aeiou" else "A"
    moment = {
        "create": "created",
        "update": "changed",
        "always": "created or changed",
    }.get(when)
    if op in (None, "", "required"):
        if when == "status":
            return f"A conversation cannot be set to {status or '…'} without {label}."
        return f"{article} {subject} cannot be {moment or 'saved'} without {label}."
    shown = ", ".join(map(str, value)) if isinstance(value, list) else value
    rule = f"{label} {CONDITION_TEXT.get(op, op)} {shown}"
    if when == "status":
        return f"Before a conversation is set to {status or '…'}, {rule}."
    return f"When {article.lower()} {subject} is {moment or 'saved'}, {rule}."


def _number(text):
    try:
        value = float(text)
    except ValueError:
        return None
    return (
        int(value) if value.is_integer() and "." not in text and "e" not in text.lower() else value
    )


class RuleForm(forms.Form):
    resource = forms.ChoiceField(label="Object")
    attribute = forms.ChoiceField(label="Attribute")
    when = forms.ChoiceField(label="Checked", choices=WHEN, widget=forms.RadioSelect)
    status = forms.ChoiceField(label="Status", choices=STATUSES, required=False)
    op = forms.ChoiceField(
        label="Rule", choices=[(op, text[:1].upper() + text[1:]) for op, text, _ in CONDITIONS]
    )
    value = forms.CharField(
        required=False,
        max_length=255,
        help_text="For “one of”, separate the values with commas.",
    )
    message = forms.CharField(
        required=False,
        max_length=255,
        label="Message shown when it fails",
        help_text="Optional. Leave empty for the sentence above.",
    )
    active = forms.BooleanField(required=False, initial=True, label="Active")
    rev = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, resources, attributes, **kwargs):
        """`resources`: [(resource, label)]; `attributes`: {resource: [(attribute, label)]}."""
        super().__init__(*args, **kwargs)
        self.labels = dict(resources)
        self.attributes = attributes
        self.fields["resource"].choices = [("", "Choose…"), *resources]
        resource = self.data.get("resource") if self.is_bound else self.initial.get("resource")
        self.fields["attribute"].choices = [("", "Choose…"), *attributes.get(resource, [])]

    def clean(self):
        c = super().clean()
        if c.get("when") == "status" and c.get("resource") not in (None, "conversation"):
            self.add_error("when", "Only conversations have a status; choose another moment.")
        if c.get("when") == "status" and not c.get("status"):
            self.add_error("status", "Choose the status this rule guards.")
        op = c.get("op")
        kind = CONDITION_VALUE.get(op)
        text = (c.get("value") or "").strip()
        if op and kind is not None and not text:
            self.add_error("value", "This rule needs a value.")
            return c
        if kind == "number":
            if _number(text) is None:
                self.add_error("value", "Write a number, e.g. 0 or 19.99.")
            else:
                c["parsed"] = _number(text)
        elif kind == "count":
            if not text.isdigit():
                self.add_error("value", "Write a whole number, e.g. 3.")
            else:
                c["parsed"] = int(text)
        elif kind == "list":
            items = [v.strip() for v in text.split(",") if v.strip()]
            c["parsed"] = [_number(v) if _number(v) is not None else v for v in items]
        elif kind == "scalar":
            c["parsed"] = _number(text) if _number(text) is not None else text
        elif kind == "text":
            c["parsed"] = text
        return c

    def service_fields(self):
        c = self.cleaned_data
        op = c["op"]
        return {
            "resource": c["resource"],
            "attribute": c["attribute"],
            "when": c["when"],
            "status": c.get("status") if c["when"] == "status" else "",
            "message": c.get("message") or "",
            "condition": {} if op == "required" else {"op": op, "value": c.get("parsed")},
            "active": c.get("active", False),
        }

    def sentence(self):
        c = getattr(self, "cleaned_data", None) or {}
        resource, attribute = c.get("resource"), c.get("attribute")
        if not resource or not attribute:
            return ""
        label = dict(self.attributes.get(resource, [])).get(attribute, attribute)
        return rule_sentence(
            self.labels.get(resource, resource),
            label,
            c.get("when"),
            c.get("status") or "",
            c.get("op"),
            c.get("parsed"),
        )
