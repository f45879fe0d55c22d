"""The attribute form: a type picker instead of name suffixes, and only the options the chosen
type has. It builds the definition the schema engine reads (klasses/schema/definitions.py); the
engine checks it again, and what it refuses comes back beside the field it concerns."""

import re

from django import forms

from klasses.schema import SUFFIXES, default_display_name
from klasses.schema.definitions import MULTI_TYPES, OBJ_PROPERTY_TYPES
from klasses.schema.types import NAME_RE, STR_MAX, TREE_DEPTH, TXT_MAX
from klasses.schema.validator import ENUM_TYPES

# (suffix, label, what it holds): the order of the picker
TYPES = (
    ("Str", "Text (short)", "Up to 255 characters: a code, a size, a choice from a list."),
    ("Txt", "Text (long)", "Up to 1,024 characters: a reason, a note."),
    ("Num", "Number", "Whole or decimal, with an optional minimum, maximum or currency."),
    ("At", "Date and time", "A moment, shown in each agent’s time zone."),
    ("Bool", "Yes / No", "A tick box."),
    ("Url", "Link", "A web address starting with http:// or https://."),
    ("Id", "Identifier", "An id from another system, e.g. a tracking number."),
    ("Obj", "Object", "A few named values kept together, e.g. an address."),
    ("Tree", "Tree", f"A choice from a hierarchy up to {TREE_DEPTH} levels deep."),
)
TYPE_LABELS = {suffix: label for suffix, label, _ in TYPES}
assert set(TYPE_LABELS) == set(SUFFIXES)
# which option belongs to which types (the page shows only those; others are not sent)
OPTIONS = {
    "enum": ENUM_TYPES,
    "min": ("Num",),
    "max": ("Num",),
    "currency": ("Num",),
    "min_length": ("Str", "Txt"),
    "max_length": ("Str", "Txt"),
    "multi": MULTI_TYPES,
    "tree": ("Tree",),
    "last_node_required": ("Tree",),
    "properties": ("Obj",),
    "default": ("Str", "Txt", "Num", "At", "Url", "Id"),
    "default_bool": ("Bool",),
}
# the engine's metadata key for each form field, to put its errors beside the right field
ENGINE_FIELDS = {
    "displayName": "display_name",
    "description": "description",
    "required": "required",
    "array": "array",
    "multi": "multi",
    "hidden": "hidden",
    "readOnly": "read_only",
    "enum": "enum",
    "enumLabels": "enum",
    "min": "min",
    "max": "max",
    "currency": "currency",
    "minLength": "min_length",
    "maxLength": "max_length",
    "icon": "icon",
    "color": "color",
    "tree": "tree",
    "lastNodeRequired": "tree",
    "properties": "properties",
    "default": "default",
}
BASE_RE = re.compile(r"[a-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)*\Z")
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}\Z")
CURRENCY_RE = re.compile(r"[A-Z]{3}\Z")
OUTLINE_INDENT = 2


def machine_base(display_name):
    """`Refund amount (€)` → `refundAmount`: the start of an attribute name, camelCase."""
    words = re.findall(r"[A-Za-z0-9]+", display_name)
    if not words:
        return ""
    base = words[0].lower() + "".join(w[:1].upper() + w[1:].lower() for w in words[1:])
    return base if base[0].isalpha() else f"n{base}"


def _number(text):
    """'10' → 10, '2.5' → 2.5; None when it is not a finite number."""
    try:
        value = float(text)
    except ValueError:
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return int(value) if re.fullmatch(r"[+-]?\d+", text.strip()) else value


class NumberField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        number = _number(text)
        if number is None:
            raise forms.ValidationError("Write a number, e.g. 0 or 19.99.")
        return number


def parse_outline(text):
    """Tree nodes from an indented outline, one node a line: `id` or `id | Display name`,
    children indented by two spaces more than their parent. Returns (nodes, problems)."""
    nodes, problems, stack = [], [], []  # stack: [(indent, children list)]
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        if "\t" in line[: indent + 1]:
            problems.append(f"Line {number}: indent with spaces, not tabs.")
            continue
        node_id, _, label = line.strip().partition("|")
        node_id, label = node_id.strip(), label.strip()
        if not node_id or "." in node_id:
            problems.append(f"Line {number}: a node needs an id without dots, e.g. laptops.")
            continue
        while stack and stack[-1][0] >= indent:
            stack.pop()
        if stack and indent - stack[-1][0] != OUTLINE_INDENT and indent > stack[-1][0]:
            problems.append(f"Line {number}: indent children by two spaces under their parent.")
            continue
        if not stack and indent:
            problems.append(f"Line {number}: the first level starts at the left edge.")
            continue
        if len(stack) >= TREE_DEPTH:
            problems.append(f"Line {number}: a tree has at most {TREE_DEPTH} levels.")
            continue
        siblings = stack[-1][1] if stack else nodes
        if any(n["id"] == node_id for n in siblings):
            problems.append(f"Line {number}: “{node_id}” is already used at this level.")
            continue
        node = {"id": node_id, "displayName": label or node_id, "children": []}
        siblings.append(node)
        stack.append((indent, node["children"]))
    return nodes, problems


def outline(nodes, depth=0):
    """The outline text of stored tree nodes (parse_outline's inverse)."""
    lines = []
    for node in nodes or []:
        label = node.get("displayName")
        text = node["id"] if not label or label == node["id"] else f"{node['id']} | {label}"
        lines.append(" " * (OUTLINE_INDENT * depth) + text)
        lines.extend(outline(node.get("children"), depth + 1))
    return lines


class AttributeForm(forms.Form):
    display_name = forms.CharField(
        max_length=255, label="Display name", help_text="What agents read, e.g. “Refund amount”."
    )
    base_name = forms.CharField(
        max_length=200,
        label="Name in the API",
        help_text="Used by integrations and templates; filled in from the display name. The "
        "ending that marks the type is added for you.",
    )
    kind = forms.ChoiceField(
        label="Type", choices=[(s, label) for s, label, _ in TYPES], widget=forms.RadioSelect
    )
    description = forms.CharField(
        max_length=1024, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    required = forms.BooleanField(
        required=False, help_text="Refused when missing, from the API and from agents alike."
    )
    array = forms.BooleanField(required=False, label="A list of values")
    multi = forms.BooleanField(
        required=False, label="Several choices", help_text="Agents pick any number of values."
    )
    hidden = forms.BooleanField(required=False, label="Hidden from agents")
    read_only = forms.BooleanField(required=False, label="Read-only for agents")
    enum = forms.CharField(required=False, widget=forms.HiddenInput, label="Allowed values")
    min = NumberField(required=False, label="Minimum")
    max = NumberField(required=False, label="Maximum")
    currency = forms.CharField(
        required=False, max_length=16, help_text="For money: a code such as EUR or USD."
    )
    min_length = forms.IntegerField(required=False, min_value=0, label="Fewest characters")
    max_length = forms.IntegerField(required=False, min_value=0, label="Most characters")
    default = forms.CharField(required=False, max_length=TXT_MAX, label="Default value")
    default_bool = forms.ChoiceField(
        required=False,
        label="Default value",
        choices=[("", "No default"), ("true", "Yes"), ("false", "No")],
    )
    icon = forms.CharField(required=False, max_length=64)
    color = forms.CharField(
        required=False,
        max_length=7,
        label="Colour",
        widget=forms.TextInput(attrs={"placeholder": "#2f6fed", "data-color-input": ""}),
    )
    tree = forms.CharField(
        required=False,
        label="Tree nodes",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "mono"}),
        help_text="One node a line: id, or id | Display name. Indent children two spaces "
        f"under their parent (at most {TREE_DEPTH} levels).",
    )
    last_node_required = forms.BooleanField(
        required=False, label="Agents must choose down to the last level"
    )
    properties = forms.CharField(required=False, widget=forms.HiddenInput, label="Values")
    rev = forms.IntegerField(required=False, widget=forms.HiddenInput)
    force = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, data=None, *, name=None, definition=None, taken=(), rev=None, **kwargs):
        self.name = name  # editing: the attribute's name (its type cannot change)
        self.taken = set(taken)
        initial = kwargs.pop("initial", None) or {"rev": rev}
        if definition is not None:
            initial = {**self.initial_from(definition), "rev": rev}
        super().__init__(data, initial=initial, **kwargs)
        if name is not None:
            del self.fields["base_name"]
            del self.fields["kind"]
        self.enum_rows = self._rows(data, "enum", definition)
        self.property_rows = self._rows(data, "prop", definition)
        self.row_errors = {}

    # ---- the list editors (enum values, Obj properties): posted as parallel lists ----------

    def _rows(self, data, prefix, definition):
        if data is not None:
            if prefix == "enum":
                values, labels = data.getlist("enum_value"), data.getlist("enum_label")
                return [
                    {"value": v, "label": labels[i] if i < len(labels) else ""}
                    for i, v in enumerate(values)
                    if v.strip() or (i < len(labels) and labels[i].strip())
                ]
            names = data.getlist("prop_name")
            cols = {k: data.getlist(f"prop_{k}") for k in ("type", "label", "required", "array")}
            rows = []
            for i, prop in enumerate(names):
                row = {k: (v[i] if i < len(v) else "") for k, v in cols.items()}
                if prop.strip() or row["label"].strip():
                    rows.append({"name": prop, **row})
            return rows
        if definition is None:
            return []
        if prefix == "enum":
            labels = definition.get("enumLabels") or {}
            return [
                {"value": str(v), "label": labels.get(str(v), "")}
                for v in definition.get("enum") or []
            ]
        return [
            {
                "name": prop,
                "type": spec.get("type", "Str"),
                "label": spec.get("displayName", ""),
                "required": "yes" if spec.get("required") else "",
                "array": "yes" if spec.get("array") else "",
            }
            for prop, spec in (definition.get("properties") or {}).items()
        ]

    @staticmethod
    def initial_from(d):
        kind = d.get("type")
        default = d.get("default")
        return {
            "display_name": d.get("displayName", ""),
            "description": d.get("description", ""),
            "required": d.get("required", False),
            "array": d.get("array", False),
            "multi": d.get("multi", False),
            "hidden": d.get("hidden", False),
            "read_only": d.get("readOnly", False),
            "min": d.get("min"),
            "max": d.get("max"),
            "currency": d.get("currency", ""),
            "min_length": d.get("minLength"),
            "max_length": d.get("maxLength"),
            "default": ""
            if default is None or kind == "Bool"
            else (", ".join(map(str, default)) if isinstance(default, list) else str(default)),
            "default_bool": "" if kind != "Bool" or default is None else str(default).lower(),
            "icon": d.get("icon", ""),
            "color": d.get("color", ""),
            "tree": "\n".join(outline((d.get("tree") or {}).get("nodes"))),
            "last_node_required": (d.get("tree") or {}).get("lastNodeRequired", False),
        }

    def kind_value(self):
        if self.name is not None:
            return NAME_RE.match(self.name).group(1)
        return self.data.get("kind") if self.is_bound else self.initial.get("kind", "Str")

    def type_choices(self):
        return TYPES

    # ---- checks, in people's words ---------------------------------------------------------

    def clean_base_name(self):
        base = self.cleaned_data["base_name"].strip()
        if not BASE_RE.match(base):
            raise forms.ValidationError(
                "Start with a small letter; then letters and digits (words may be joined by "
                "single “_”), e.g. refundAmount."
            )
        return base

    def clean_color(self):
        color = self.cleaned_data["color"].strip()
        if color and not COLOR_RE.match(color):
            raise forms.ValidationError("Write the colour as # and six hex digits, e.g. #2f6fed.")
        return color.lower()

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if currency and not CURRENCY_RE.match(currency):
            raise forms.ValidationError("Write a three-letter currency code, e.g. EUR.")
        return currency

    def clean(self):
        cleaned = super().clean()
        kind = self.kind_value()
        if kind not in TYPE_LABELS:
            return cleaned
        if self.name is None and "base_name" in cleaned:
            name = f"{cleaned['base_name']}{kind}"
            if name in self.taken:
                self.add_error("base_name", f"This object already has an attribute “{name}”.")
            cleaned["name"] = name
        lo, hi = cleaned.get("min"), cleaned.get("max")
        if kind == "Num" and lo is not None and hi is not None and lo > hi:
            self.add_error("max", "The maximum must be at least the minimum.")
        cap = STR_MAX if kind == "Str" else TXT_MAX
        shortest, longest = cleaned.get("min_length"), cleaned.get("max_length")
        if kind in ("Str", "Txt"):
            for field, value in (("min_length", shortest), ("max_length", longest)):
                if value is not None and value > cap:
                    self.add_error(field, f"{TYPE_LABELS[kind]} holds at most {cap} characters.")
            if shortest is not None and longest is not None and shortest > longest:
                self.add_error("max_length", "The most characters must be at least the fewest.")
        if kind in ENUM_TYPES:
            self._clean_enum(kind)
        if kind == "Obj":
            self._clean_properties()
        if kind == "Tree":
            nodes, problems = parse_outline(cleaned.get("tree") or "")
            for problem in problems:
                self.add_error("tree", problem)
            cleaned["tree_nodes"] = nodes
        return cleaned

    def _clean_enum(self, kind):
        seen = set()
        for row in self.enum_rows:
            value = row["value"].strip()
            if not value:
                self.add_error("enum", f"“{row['label']}” needs a value.")
                continue
            if kind == "Num" and _number(value) is None:
                self.add_error("enum", f"“{value}” is not a number.")
            if value in seen:
                self.add_error("enum", f"“{value}” is listed twice.")
            seen.add(value)

    def _clean_properties(self):
        seen = set()
        for row in self.property_rows:
            prop = row["name"].strip()
            if not prop:
                self.add_error("properties", f"“{row['label']}” needs a name.")
            elif not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,254}", prop):
                self.add_error(
                    "properties", f"“{prop}”: use letters, digits and “_”, starting with a letter."
                )
            elif prop in seen:
                self.add_error("properties", f"“{prop}” is listed twice.")
            seen.add(prop)
            if row["type"] not in OBJ_PROPERTY_TYPES:
                self.add_error("properties", f"Choose a type for “{prop or row['label']}”.")

    # ---- the definition sent to the engine -------------------------------------------------

    def definition(self):
        """The metadata for the engine: every option of the type, None for those left empty
        (an edit then clears them), nothing of the options the type does not have."""
        c = self.cleaned_data
        kind = self.kind_value()
        has = {option: kind in kinds for option, kinds in OPTIONS.items()}
        d = {
            "displayName": c["display_name"].strip(),
            "description": c.get("description") or None,
            "required": c.get("required", False),
            "array": c.get("array", False),
            "hidden": c.get("hidden", False),
            "readOnly": c.get("read_only", False),
            "icon": c.get("icon") or None,
            "color": c.get("color") or None,
        }
        if has["multi"]:
            d["multi"] = c.get("multi", False)
        if has["min"]:
            d.update(min=c.get("min"), max=c.get("max"), currency=c.get("currency") or None)
        if has["min_length"]:
            d.update(minLength=c.get("min_length"), maxLength=c.get("max_length"))
        if has["enum"]:
            rows = [r for r in self.enum_rows if r["value"].strip()]
            if rows:
                d["enum"] = [
                    {
                        "value": _number(r["value"]) if kind == "Num" else r["value"].strip(),
                        **({"displayName": r["label"].strip()} if r["label"].strip() else {}),
                    }
                    for r in rows
                ]
            else:
                d["enum"] = None
            d["enumLabels"] = None  # labels travel with the values
        if has["tree"]:
            last = c.get("last_node_required", False)
            # stored at the top as well; both must agree
            d["tree"] = {"nodes": c.get("tree_nodes") or [], "lastNodeRequired": last}
            d["lastNodeRequired"] = last
        if has["properties"]:
            d["properties"] = {
                r["name"].strip(): {
                    "type": r["type"],
                    "displayName": r["label"].strip() or default_display_name(r["name"].strip()),
                    "required": r["required"] == "yes",
                    "array": r["array"] == "yes",
                }
                for r in self.property_rows
            } or None
        d["default"] = self._default(kind, c)
        return d

    @staticmethod
    def _default(kind, c):
        if kind == "Bool":
            return {"true": True, "false": False}.get(c.get("default_bool") or "")
        text = (c.get("default") or "").strip()
        if not text or kind not in OPTIONS["default"]:
            return None
        values = [v.strip() for v in text.split(",")] if c.get("array") else [text]
        if kind == "Num":
            values = [_number(v) if _number(v) is not None else v for v in values]
        return values if c.get("array") else values[0]

    def add_engine_errors(self, errors):
        """Errors from the engine (pointers `/properties/<name>/<key>…`) beside their field."""
        for error in errors:
            parts = error.pointer.strip("/").split("/")
            key = parts[2] if len(parts) > 2 else ""
            field = ENGINE_FIELDS.get(key)
            if field == "default" and self.kind_value() == "Bool":
                field = "default_bool"
            self.add_error(field if field in self.fields else None, error.detail)
