"""OpenAPI descriptions of the conversations app's resources and request bodies, and the status
codes each kind of endpoint documents."""

from drf_spectacular.utils import OpenApiParameter, extend_schema_field, inline_serializer
from rest_framework import serializers

from conversations import richtext
from conversations.models import CHANNELS, Conversation, Message
from conversations.services import shortcuts as shortcut_services
from conversations.services import tags as tag_services
from conversations.services.conversations import OWNER_LISTS
from kdesk.api.openapi import (
    an_id,
    errors,
    maybe_moment,
    moment,
    moment_or_blank,
    obj,
    resource_schemas,
    strings,
    text,
    timestamps,
    to_one,
    without_rev,
)
from kdesk.api.schema import body_rules
from kdesk.text import NOT_BLANK_PATTERN

PAGE_PARAMS = [
    OpenApiParameter("page", int, description="Page number, from 1."),
    OpenApiParameter("pageSize", int, description="Rows per page, at most 100."),
]
CONVERSATION = resource_schemas(
    "Conversation",
    {
        "name": text(),
        "status": serializers.ChoiceField(Conversation.Status.values),
        "snoozeUntil": maybe_moment(),
        "priority": serializers.IntegerField(allow_null=True),
        "channels": strings(),
        "tags": strings(),
        "assignedUsers": strings(help_text="At most one: kdesk keeps one assigned user."),
        "assignedTeams": strings(help_text="At most one: kdesk keeps one assigned team."),
        "custom": obj(),
        "firstMessageAt": maybe_moment(),
        "lastMessageAt": maybe_moment(),
        "lastActivityAt": maybe_moment(),
        "preview": text(),
        "messageCount": serializers.IntegerField(allow_null=True),
        **timestamps(),
    },
    {"customer": to_one(), "assignedUser": to_one(), "assignedTeam": to_one()},
)
MESSAGE = resource_schemas(
    "Message",
    {
        "direction": serializers.ChoiceField(Message.Direction.values),
        "channel": serializers.CharField(),
        "body": text(),
        "bodyHtml": text(),
        "preview": text(),
        "sentAt": maybe_moment(),
        "status": serializers.ChoiceField(Message.Status.values),
        "statusDetail": text(),
        "custom": obj(),
        "cc": serializers.ListField(child=serializers.EmailField()),
        "attachments": serializers.ListField(
            child=inline_serializer(
                "MessageAttachment",
                {
                    "id": serializers.CharField(),
                    "name": serializers.CharField(),
                    "contentType": serializers.CharField(),
                    "size": serializers.IntegerField(),
                    "links": inline_serializer(
                        "MessageAttachmentLinks",
                        {
                            "self": serializers.CharField(),
                            "download": serializers.CharField(
                                help_text="The file; for org members and keys with message "
                                "read scope."
                            ),
                        },
                    ),
                },
            )
        ),
        **timestamps(),
    },
    {"conversation": to_one(), "customer": to_one(), "author": to_one()},
)
NOTE = resource_schemas(
    "Note",
    {
        "body": text(),
        "isInternal": serializers.BooleanField(help_text="Always true: notes are internal."),
        "userMentions": serializers.ListField(
            child=serializers.DictField(child=serializers.CharField()),
            help_text='[{"user": id} | {"team": id}]',
        ),
        **timestamps(),
    },
    {"conversation": to_one(), "customer": to_one(), "author": to_one()},
)
TAG = resource_schemas("Tag", {"name": serializers.CharField(), "color": text(), **timestamps()})
_RANGE = {"offset": serializers.IntegerField(), "length": serializers.IntegerField()}
RICH_TEXT = inline_serializer(
    "ShortcutRichText",
    {
        "blocks": inline_serializer(
            "ShortcutTextBlock",
            {
                "key": serializers.CharField(),
                "text": serializers.CharField(allow_blank=True),
                "type": serializers.CharField(),
                "depth": serializers.IntegerField(),
                "inlineStyleRanges": inline_serializer(
                    "ShortcutStyleRange", {**_RANGE, "style": serializers.CharField()}, many=True
                ),
                "entityRanges": inline_serializer(
                    "ShortcutEntityRange", {**_RANGE, "key": serializers.JSONField()}, many=True
                ),
                "data": obj(),
            },
            many=True,
        ),
        "entityMap": obj(),
    },
)
_OPERATION = {"operator": serializers.CharField(), "value": serializers.JSONField()}
SHORTCUT_CONVERSATION = inline_serializer(
    "ShortcutConversationDefaults",
    {
        "tags": inline_serializer(
            "ShortcutTagsDefault", _OPERATION, required=False, help_text="append|replace|remove"
        ),
        "name": inline_serializer("ShortcutNameDefault", _OPERATION, required=False),
    },
)
SHORTCUT = resource_schemas(
    "Shortcut",
    {
        "name": serializers.CharField(),
        "payload": inline_serializer("ShortcutPayload", {"text": RICH_TEXT}),
        "draft": inline_serializer("ShortcutDraft", {"text": text()}),
        "isPrivate": serializers.BooleanField(),
        "visibility": serializers.ChoiceField(["private", "shared"]),
        "conversation": SHORTCUT_CONVERSATION,
        "createdBy": text(),
        "modifiedBy": text(),
        "deleted": serializers.BooleanField(),
        "modifiedAt": moment(),
        **timestamps(),
    },
    {"owner": to_one(), "createdBy": to_one(), "modifiedBy": to_one()},
)
HISTORY = resource_schemas(
    "ConversationHistory",
    {
        "event": serializers.CharField(help_text="conversation.create, .update or .delete"),
        "rev": serializers.IntegerField(allow_null=True),
        "changes": obj(
            help_text="{<attribute>: {before, after}}: status, assignedUser, assignedTeam, "
            "name, priority, tags, snoozeUntil, custom.<name>; a creation lists what it set."
        ),
        "status": text(),
        "assignedUsers": strings(),
        "assignedTeams": strings(),
        "createdAt": moment(),
    },
    {"conversation": to_one(), "actor": to_one()},
)
REV = OpenApiParameter("rev", int, description="Refuse (409) unless this is the current rev.")
READ = (401, 403, 404)
LIST = (400, 401, 403, 404)
WRITE = (400, 401, 403, 404, 409)


def ok(documented, *codes):
    return {200: documented, **errors(*codes)}


def created(documented, *codes):
    return {201: documented, **errors(*codes)}


def deleted(*codes):
    return {204: None, **errors(*codes)}


_id = an_id
_json = serializers.JSONField
UNASSIGNS = '"" or null: nobody.'

CONVERSATION_BODY = inline_serializer(
    "ConversationBody",
    {
        "customer": _id(
            required=False,
            allow_null=True,
            blank=True,
            help_text='The conversation\'s own customer (it cannot move); "" or null: unchanged.',
        ),
        "name": serializers.CharField(
            required=False,
            allow_blank=True,
            allow_null=True,
            max_length=255,
            help_text='"" or null: no name.',
        ),
        "status": serializers.ChoiceField(Conversation.Status.values, required=False),
        "snoozeUntil": moment_or_blank(required=False, help_text='"" or null: not snoozed.'),
        "priority": serializers.IntegerField(
            required=False, allow_null=True, min_value=1, max_value=5
        ),
        "assignedUser": _id(required=False, allow_null=True, blank=True, help_text=UNASSIGNS),
        "assignedTeam": _id(required=False, allow_null=True, blank=True, help_text=UNASSIGNS),
        "assignedUsers": serializers.ListField(
            child=_id(allow_null=True, blank=True),
            required=False,
            allow_null=True,
            max_length=1,
            help_text='[id]: assignedUser; [], [""], [null] or null: nobody.',
        ),
        "assignedTeams": serializers.ListField(
            child=_id(allow_null=True, blank=True),
            required=False,
            allow_null=True,
            max_length=1,
            help_text='[id]: assignedTeam; [], [""], [null] or null: no team.',
        ),
        "tags": serializers.ListField(
            child=serializers.CharField(), required=False, allow_null=True, help_text="null: none."
        ),
        "custom": _json(required=False),
        "rev": serializers.IntegerField(required=False),
    },
)
for _component in ("ConversationBody", "ConversationCreateBody"):
    body_rules(
        _component,
        *({"not": {"required": [plural, single]}} for plural, single in OWNER_LISTS),
    )
MESSAGE_BODY_SCHEMA = inline_serializer(
    "MessageBody",
    {
        "direction": serializers.ChoiceField(Message.Direction.values),
        "channel": serializers.ChoiceField(CHANNELS),
        "body": serializers.CharField(required=False),
        "bodyHtml": serializers.CharField(
            required=False, allow_blank=True, allow_null=True, help_text='"" or null: none.'
        ),
        "sentAt": moment_or_blank(required=False, help_text='"" or null: when it is received.'),
        "custom": _json(required=False),
        "conversation": _id(
            required=False,
            blank=True,
            allow_null=True,
            help_text='"" or null: a conversation is chosen (under /v1/conversations/{id}: the '
            "path's).",
        ),
        "subject": serializers.CharField(
            required=False, allow_blank=True, allow_null=True, help_text='"" or null: none.'
        ),
        "status": serializers.ChoiceField(
            Message.Status.values, required=False, allow_null=True, help_text="null: the default."
        ),
        "statusDetail": serializers.CharField(required=False, allow_blank=True, allow_null=True),
        "cc": serializers.ListField(
            child=serializers.EmailField(),
            required=False,
            allow_null=True,
            max_length=20,
            help_text="Addresses copied (the email channel sends them as Cc).",
        ),
        "attachments": serializers.ListField(
            child=serializers.CharField(),
            required=False,
            allow_null=True,
            help_text="Ids of files uploaded through POST /v1/attachments and not yet sent "
            "(Kustomer's [{_id}] and [{id}] are accepted too).",
        ),
    },
)
# conversations.services.messages._message_status: a message received is `received`, one sent
# is anything else
body_rules(
    "MessageBody",
    {
        "if": {"properties": {"direction": {"const": Message.Direction.IN}}},
        "then": {"properties": {"status": {"enum": [Message.Status.RECEIVED, None]}}},
        "else": {"properties": {"status": {"not": {"const": Message.Status.RECEIVED}}}},
    },
)
MESSAGE_UPDATE_BODY = inline_serializer(
    "MessageUpdateBody",
    {
        "status": serializers.ChoiceField(
            Message.Status.values, required=False, allow_null=True, help_text="null: unchanged."
        ),
        "statusDetail": serializers.CharField(required=False, allow_blank=True, allow_null=True),
        "custom": _json(required=False, help_text="Merged; null removes an attribute."),
        "rev": serializers.IntegerField(required=False),
    },
)
NOTE_UPDATE_BODY = inline_serializer(
    "NoteUpdateBody",
    {
        "body": serializers.CharField(required=False),
        "userMentions": serializers.ListField(
            child=_json(), required=False, allow_null=True, help_text="null: nobody."
        ),
        "isInternal": serializers.BooleanField(required=False),
        "rev": serializers.IntegerField(required=False),
    },
)
NOTE_BODY = inline_serializer(
    "NoteBody",
    {
        "body": serializers.CharField(),
        "userMentions": serializers.ListField(child=_json(), required=False, allow_null=True),
        "isInternal": serializers.ChoiceField(
            [True], required=False, help_text="Only true is accepted: a note is always internal."
        ),
    },
)
TAG_BODY = inline_serializer(
    "TagBody",
    {
        "name": serializers.CharField(max_length=100, required=False),
        "color": serializers.RegexField(
            tag_services.COLOR_RE.pattern, required=False, allow_null=True, help_text="#rrggbb"
        ),
        "rev": serializers.IntegerField(required=False),
    },
)


def _default(operators, value):
    return {
        "type": ["object", "null"],
        "properties": {"operator": {"enum": list(operators)}, "value": value},
        "required": ["value"],
        "additionalProperties": False,
    }


@extend_schema_field(
    {
        "type": "object",
        "properties": {
            "tags": _default(
                shortcut_services.TAG_OPERATORS,
                {
                    "type": "array",
                    "maxItems": 50,
                    "items": {"type": "string", "maxLength": 100, "pattern": NOT_BLANK_PATTERN},
                },
            ),
            "name": _default(
                shortcut_services.NAME_OPERATORS,
                {"type": "string", "maxLength": 255, "pattern": NOT_BLANK_PATTERN},
            ),
        },
        "additionalProperties": False,
    }
)
class ShortcutDefaultsField(serializers.JSONField):
    """What conversations.services.shortcuts._conversation_defaults reads."""


@extend_schema_field(
    {
        "anyOf": [
            richtext.TEXT_SCHEMA,
            {
                "type": "object",
                "properties": {
                    "text": {"anyOf": [richtext.TEXT_SCHEMA, richtext.DOC_SCHEMA]},
                },
                "required": ["text"],
                "additionalProperties": False,
            },
        ]
    }
)
class ShortcutPayloadField(serializers.JSONField):
    """What conversations.services.shortcuts reads as the text (richtext.clean)."""


SHORTCUT_BODY = inline_serializer(
    "ShortcutBody",
    {
        "name": serializers.CharField(max_length=100, required=False),
        "payload": ShortcutPayloadField(
            required=False,  # an update without it leaves the text as it is; null is refused
            help_text="A string (one block per line) or {text: {blocks, entityMap}}.",
        ),
        "draft": inline_serializer(
            "ShortcutDraftBody", {"text": text(required=False)}, required=False, allow_null=True
        ),
        "isPrivate": serializers.BooleanField(
            required=False, allow_null=True, help_text="null: the default (shared)."
        ),
        "visibility": serializers.ChoiceField(
            ["private", "shared"],
            required=False,
            allow_null=True,
            help_text="null: the default (shared).",
        ),
        "conversation": ShortcutDefaultsField(
            required=False,
            allow_null=True,
            help_text='{"tags": {"operator": "append|replace|remove", "value": [names]}, '
            '"name": {"operator": "replace", "value": "..."}}',
        ),
        "rev": serializers.IntegerField(required=False),
    },
)
# conversations.services.shortcuts: isPrivate and visibility, when both sent, say the same (null
# is the default, shared)
for _component in ("ShortcutBody", "ShortcutCreateBody"):
    body_rules(
        _component,
        {
            "if": {"required": ["isPrivate", "visibility"]},
            "then": {
                "anyOf": [
                    {"properties": {"isPrivate": {"enum": private}, "visibility": {"enum": v}}}
                    for private, v in (([True], ["private"]), ([False, None], ["shared", None]))
                ]
            },
        },
    )
CONVERSATION_CREATE_BODY = without_rev(
    CONVERSATION_BODY, "ConversationCreateBody", required=("customer",)
)
# a new conversation's status may be null (open); an update refuses null (it cannot be cleared)
CONVERSATION_CREATE_BODY.__class__._declared_fields["status"] = serializers.ChoiceField(
    Conversation.Status.values, required=False, allow_null=True, help_text="null: open."
)
TAG_CREATE_BODY = without_rev(TAG_BODY, "TagCreateBody", required=("name",))
SHORTCUT_CREATE_BODY = without_rev(
    SHORTCUT_BODY, "ShortcutCreateBody", required=("name", "payload")
)
SHORTCUT_COPY_BODY = inline_serializer(
    "ShortcutCopyBody",
    {
        "name": serializers.CharField(
            max_length=100, required=False, allow_null=True, help_text="null: <name>-copy."
        ),
        "isPrivate": serializers.BooleanField(
            required=False, allow_null=True, help_text="null: the default for a copy (private)."
        ),
    },
)
