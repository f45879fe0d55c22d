"""What can be searched: each queryContext's model, standard fields, resource serializer.

A field name in a criterion is `<context>_<field>` (snake_case). Standard fields map to a
column (or, for customer emails/phones/socials, to the Identity table); custom attributes are
`<context>_custom_<attributeName>` and KObject data attributes `kobject_data_<attributeName>`,
typed by their suffix (klasses.schema.attribute_type).

Kinds of standard fields and the operators they take:

    text      equals not_equals contains starts_with gt gte lt lte in exists
    int       equals not_equals gt gte lt lte in exists   (ids may be given as strings)
    datetime  equals not_equals gt gte lt lte in exists   (ISO-8601; naive = UTC)
    array     equals not_equals contains in exists        (membership of one element;
                                                           `in` = holds any of the values)
    identity  equals not_equals contains starts_with in exists  (customer email/phone/social)
    klass     equals not_equals contains starts_with in exists  (a KObject's Klass name)
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Field:
    kind: str  # text | int | datetime | array | identity | klass
    column: str = ""  # model field (for identity: the Identity kind)
    nullable: bool = False
    sortable: bool = True
    element: str = "text"  # array elements: text | int


@dataclass(frozen=True)
class Context:
    name: str
    model_path: str  # "app.Model"
    scope: str  # resource of the read scope
    fields: dict = field(default_factory=dict)
    json_columns: tuple = ("custom",)  # columns holding typed attributes (custom, data)
    values: tuple = ()  # set lazily: the `.values()` field names for the representation


def _f(kind, column, **kw):
    return Field(kind=kind, column=column, **kw)


def _common(**extra):
    base = {
        "id": _f("int", "id"),
        "rev": _f("int", "rev"),
        "created_at": _f("datetime", "created_at"),
        "updated_at": _f("datetime", "updated_at"),
    }
    base.update(extra)
    return base


def _fk(column):
    """A foreign key, reachable as `<name>` and `<name>_id`."""
    name = column[:-3]
    spec = _f("int", column, nullable=True)
    return {name: spec, column: spec}


CONTEXTS = {
    "customer": Context(
        name="customer",
        model_path="customers.Customer",
        scope="customer",
        fields=_common(
            name=_f("text", "name"),
            external_id=_f("text", "external_id", nullable=True),
            email=_f("identity", "email", sortable=False),
            phone=_f("identity", "phone", sortable=False),
            social=_f("identity", "social", sortable=False),
            tags=_f("array", "tags", sortable=False),
            locale=_f("text", "locale"),
            time_zone=_f("text", "time_zone"),
            last_activity_at=_f("datetime", "last_activity_at", nullable=True),
            **_fk("company_id"),
        ),
    ),
    "company": Context(
        name="company",
        model_path="customers.Company",
        scope="company",
        fields=_common(
            name=_f("text", "name"),
            external_id=_f("text", "external_id", nullable=True),
            domains=_f("array", "domains", sortable=False),
            tags=_f("array", "tags", sortable=False),
        ),
    ),
    "conversation": Context(
        name="conversation",
        model_path="conversations.Conversation",
        scope="conversation",
        fields=_common(
            name=_f("text", "name"),
            status=_f("text", "status"),
            snooze_until=_f("datetime", "snooze_until", nullable=True),
            priority=_f("int", "priority"),
            channels=_f("array", "channels", sortable=False),
            tags=_f("array", "tags", sortable=False),
            first_message_at=_f("datetime", "first_message_at", nullable=True),
            last_message_at=_f("datetime", "last_message_at", nullable=True),
            last_activity_at=_f("datetime", "last_activity_at"),
            preview=_f("text", "last_message_preview"),
            last_message_preview=_f("text", "last_message_preview"),
            message_count=_f("int", "message_count"),
            **_fk("customer_id"),
            **_fk("assigned_user_id"),
            **_fk("assigned_team_id"),
        ),
    ),
    "message": Context(
        name="message",
        model_path="conversations.Message",
        scope="message",
        fields=_common(
            direction=_f("text", "direction"),
            channel=_f("text", "channel"),
            body=_f("text", "body", sortable=False),
            preview=_f("text", "preview"),
            sent_at=_f("datetime", "sent_at"),
            **_fk("conversation_id"),
            **_fk("customer_id"),
            **_fk("author_id"),
        ),
    ),
    "note": Context(
        name="note",
        model_path="conversations.Note",
        scope="note",
        json_columns=(),  # notes have no custom attributes (yet)
        fields=_common(
            body=_f("text", "body", sortable=False),
            mentioned_user_ids=_f("array", "mentioned_user_ids", sortable=False, element="int"),
            mentioned_team_ids=_f("array", "mentioned_team_ids", sortable=False, element="int"),
            **_fk("conversation_id"),
            **_fk("customer_id"),
            **_fk("author_id"),
        ),
    ),
    "kobject": Context(
        name="kobject",
        model_path="klasses.KObject",
        scope="kobject",
        json_columns=("custom", "data"),
        fields=_common(
            klass=_f("klass", "klass"),
            klass_id=_f("int", "klass_id"),
            external_id=_f("text", "external_id", nullable=True),
            title=_f("text", "title"),
            description=_f("text", "description", sortable=False),
            icon=_f("text", "icon"),
            images=_f("array", "images", sortable=False),
            tags=_f("array", "tags", sortable=False),
            **_fk("customer_id"),
            **_fk("company_id"),
        ),
    ),
}

CONTEXT_NAMES = tuple(CONTEXTS)

OPS = ("equals", "not_equals", "contains", "starts_with", "gt", "gte", "lt", "lte", "in", "exists")

KIND_OPS = {
    "text": OPS,
    "int": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "datetime": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "array": ("equals", "not_equals", "contains", "in", "exists"),
    "identity": ("equals", "not_equals", "contains", "starts_with", "in", "exists"),
    "klass": ("equals", "not_equals", "contains", "starts_with", "in", "exists"),
    # typed JSON attributes, by suffix family
    "json_text": OPS,
    "json_num": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "json_at": ("equals", "not_equals", "gt", "gte", "lt", "lte", "in", "exists"),
    "json_bool": ("equals", "not_equals", "in", "exists"),
    "json_obj": ("equals", "not_equals", "exists"),
}

# attribute type suffix → JSON kind
SUFFIX_KIND = {
    "Str": "json_text",
    "Txt": "json_text",
    "Url": "json_text",
    "Id": "json_text",
    "Tree": "json_text",
    "Num": "json_num",
    "At": "json_at",
    "Bool": "json_bool",
    "Obj": "json_obj",
}


def get_model(context):
    from django.apps import apps

    return apps.get_model(CONTEXTS[context].model_path)
