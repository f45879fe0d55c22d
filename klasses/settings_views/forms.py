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


# ---- relationships --------------------------------------------------------------------------

CARDINALITIES = (
    ("one_to_one", "One to one"),
    ("one_to_many", "One to many"),
    ("many_to_one", "Many to one"),
    ("many_to_many", "Many to many"),
)
REL_NAME_RE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")
REL_RESERVED = {"customer", "company", "klass"}


def plural(word):
    """English plural of a display name's last word, good enough for a sentence."""
    if re.search(r"[^aeiou]y\Z", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)\Z", word):
        return word + "es"
    return word + "s"


def sentence(cardinality, a, b, through=None):
    """What a relationship means, in a sentence: "One Order has many Returns; …"."""
    if cardinality == "one_to_one":
        return f"One {a} has one {b}; each {b} belongs to one {a}."
    if cardinality == "one_to_many":
        return f"One {a} has many {plural(b)}; each {b} belongs to one {a}."
    if cardinality == "many_to_one":
        return f"Many {plural(a)} belong to one {b}; one {b} has many {plural(a)}."
    text = f"{_a(a).capitalize()} {a} has many {plural(b)}, and {_a(b)} {b} has many {plural(a)}"
    return f"{text}, each link recorded as {_a(through)} {through}." if through else f"{text}."


def _a(word):
    return "an" if word[:1].lower() in "aeiou" else "a"


class RelationshipForm(forms.Form):
    source = forms.ChoiceField(label="From")
    target = forms.ChoiceField(label="To")
    cardinality = forms.ChoiceField(
        label="How many", choices=CARDINALITIES, widget=forms.RadioSelect
    )
    through = forms.ChoiceField(
        label="Recorded as",
        required=False,
        help_text="Optional, for many to many: an object type whose objects record each link "
        "(e.g. an enrolment between a student and a course).",
    )
    name = forms.CharField(
        max_length=64,
        label="Name in the API",
        help_text="How integrations and templates name the link; filled in for you.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def __init__(self, *args, resources, klasses, declared, editing=None, **kwargs):
        """`resources`: [(resource, label)] every target; `klasses`: [(name, label)];
        `declared`: {klass name: set of relationship names it declares}; `editing`: the
        relationship being changed (its name stays; it may keep it on its own holder)."""
        super().__init__(*args, **kwargs)
        self.labels = dict(resources)
        self.declared = declared
        self.editing = editing
        if editing is not None:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = "How integrations and templates name the link; it "
            self.fields["name"].help_text += "cannot change (remove it and make a new one)."
        self.fields["source"].choices = [("", "Choose…")] + [
            (f"kobject.{n}", label) for n, label in klasses
        ]
        self.fields["target"].choices = [("", "Choose…"), *resources]
        self.fields["through"].choices = [("", "Nothing: just the link")] + list(klasses)

    def clean(self):
        c = super().clean()
        source, target, kind = c.get("source"), c.get("target"), c.get("cardinality")
        name = (c.get("name") or "").strip()
        if not (source and target and kind):
            return c
        if kind == "many_to_one" and not target.startswith("kobject."):
            self.add_error(
                "cardinality",
                f"Many {plural(self.labels[source])} to one {self.labels[target]} is already "
                f"each object’s own {self.labels[target].lower()} link; choose another.",
            )
            return c
        if c.get("through") and kind != "many_to_many":
            self.add_error("through", "Only a many to many link is recorded as an object.")
        # many to one is held by the other side, as one to many
        holder, other = (target, source) if kind == "many_to_one" else (source, target)
        c["holder"] = holder[len("kobject.") :]
        c["definition"] = {
            "name": name,
            "target": other[len("kobject.") :] if other.startswith("kobject.") else other,
            "cardinality": "one-to-many" if kind == "many_to_one" else kind.replace("_", "-"),
            **({"through": c["through"]} if c.get("through") else {}),
        }
        if name and not REL_NAME_RE.match(name):
            self.add_error(
                "name", "Use letters, digits and “_”, starting with a letter (at most 64)."
            )
        elif name in REL_RESERVED:
            self.add_error("name", f"“{name}” is each object’s own link; choose another name.")
        elif name in self.declared.get(c["holder"], ()) and not self._same_holder(c["holder"]):
            self.add_error("name", f"{self.labels[holder]} already has a link named “{name}”.")
        return c

    def _same_holder(self, holder):
        return self.editing is not None and self.editing.from_resource == f"kobject.{holder}"

    def sentence(self):
        c = getattr(self, "cleaned_data", {})
        if not all(c.get(k) for k in ("source", "target", "cardinality")):
            return ""
        return sentence(
            c["cardinality"],
            self.labels.get(c["source"]),
            self.labels.get(c["target"]),
            self.labels.get(f"kobject.{c['through']}") if c.get("through") else None,
        )
