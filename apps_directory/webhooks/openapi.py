"""The request bodies of `/v1/outbound-webhooks`, from the declarations services.py and names.py
validate with. What no document can say: the URL's host must resolve, to public addresses only
(outbound.check_url), and an org has at most WEBHOOK_MAX_PER_ORG webhooks; both answer 400."""

from apps_directory.webhooks import names
from apps_directory.webhooks.services import _HEADER_NAME, _RESERVED, FIELDS
from kdesk.text import NOT_BLANK_PATTERN as NOT_BLANK  # what str.strip leaves
from kdesk.text import SPACE_PATTERN as SPACE


def _any_case(word):
    return "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else "\\" + c for c in word)


def _properties():
    properties = {
        "name": {"type": ["string", "null"], "maxLength": 100, "pattern": NOT_BLANK},
        "url": {
            "type": "string",
            "maxLength": 2000,
            # plain http only where OUTBOUND_ALLOW_PRIVATE lets local receivers in
            # spaces around it are stripped (kdesk.text: what str.strip removes)
            "pattern": rf"^{SPACE}*[Hh][Tt][Tt][Pp][Ss]://[^\s/?#@:]+(:[0-9]{{1,5}})?([/?#]\S*)?{SPACE}*$",
            "description": "An https:// URL whose host resolves to public addresses only.",
        },
        "events": {
            "type": "array",
            "minItems": 1,
            "maxItems": 200,
            "items": {
                "anyOf": [
                    {"enum": sorted(names.FIXED)},
                    {"type": "string", "pattern": names._KOBJECT.pattern},
                ]
            },
        },
        "headers": {
            "type": ["object", "null"],
            "maxProperties": 20,
            "propertyNames": {
                "pattern": _HEADER_NAME.pattern,
                "not": {"pattern": "^(" + "|".join(_any_case(n) for n in sorted(_RESERVED)) + ")$"},
            },
            "additionalProperties": {"type": "string", "maxLength": 1000, "pattern": r"^[^\r\n]*$"},
            "description": "Sent with every delivery; not the headers kdesk sets itself.",
        },
        "enabled": {"type": ["boolean", "null"]},
        "rev": {"type": "integer"},
    }
    assert set(properties) == FIELDS, "every attribute the service reads is documented"
    return properties


WEBHOOK_BODY = {"type": "object", "properties": _properties(), "additionalProperties": False}
WEBHOOK_CREATE_BODY = {
    "type": "object",
    "properties": {k: v for k, v in _properties().items() if k != "rev"},
    "required": ["name", "url", "events"],
    "additionalProperties": False,
}
