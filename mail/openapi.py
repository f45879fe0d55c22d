"""The request bodies of `/v1/mailboxes`, from the declarations mail/services.py validates with
(its FIELDS, the choices of Mailbox, its host pattern), including the rules across fields that
`_complete` enforces: a server to send through unless the server's own backend sends, and the
whole IMAP connection when polling is on."""

from kdesk.text import NOT_BLANK_PATTERN as NOT_BLANK  # what str.strip leaves
from mail.models import Mailbox
from mail.services import _HOST, FIELDS

# Django's validate_email for dot-atom addresses (no quoted local parts, no IP literals)
ADDRESS_PATTERN = (
    r"^[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9A-Za-z]+)*"
    r"@([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def _string(max_length, **extra):
    return {"type": ["string", "null"], "maxLength": max_length, **extra}


def _host():
    return _string(255, pattern=f"^$|{_HOST.pattern}", description="A host name, no scheme.")


def _properties():
    security = {"type": ["string", "null"], "enum": [*Mailbox.Security.values, None]}
    port = {"type": ["integer", "null"], "minimum": 1, "maximum": 65535}
    properties = {
        "address": {"type": "string", "maxLength": 254, "pattern": ADDRESS_PATTERN},
        "displayName": _string(100),
        "enabled": {"type": ["boolean", "null"]},
        "sending": {"type": ["string", "null"], "enum": [*Mailbox.Sending.values, None]},
        "smtpHost": _host(),
        "smtpPort": port,
        "smtpSecurity": security,
        "smtpUser": _string(255),
        "smtpPassword": _string(1000, description="Write-only."),
        "imapEnabled": {"type": ["boolean", "null"]},
        "imapHost": _host(),
        "imapPort": port,
        "imapSecurity": security,
        "imapUser": _string(255),
        "imapPassword": _string(1000, description="Write-only."),
        "imapFolder": _string(255, pattern=NOT_BLANK),
    }
    assert set(properties) == set(FIELDS), "every attribute the service reads is documented"
    return properties


def _filled(*keys):
    """Each of `keys` a string with more than blanks."""
    return {
        "properties": {
            key: {"type": "string", "minLength": 1, "pattern": NOT_BLANK} for key in keys
        }
    }


SENDS_ITSELF = {"required": ["sending"], "properties": {"sending": {"const": "django"}}}
POLLS = {"required": ["imapEnabled"], "properties": {"imapEnabled": {"const": True}}}
IMAP = ("imapHost", "imapUser", "imapPassword")

MAILBOX_CREATE_BODY = {
    "type": "object",
    "properties": _properties(),
    "required": ["address"],
    "additionalProperties": False,
    "allOf": [
        {"if": SENDS_ITSELF, "else": {"required": ["smtpHost"], **_filled("smtpHost")}},
        {"if": POLLS, "then": {"required": list(IMAP), **_filled(*IMAP)}},
    ],
}

# An update is checked against the mailbox as stored, which the body cannot show: the document
# asks for what makes any stored mailbox valid (a host when SMTP is named, no blank host unless
# the body turns SMTP off; the IMAP connection when polling is turned on). Blanking an IMAP
# field is refused only while the stored mailbox polls: that depends on the stored row, so it is
# not stated here (schemathesis.toml allows the 400).
MAILBOX_BODY = {
    "type": "object",
    "properties": {**_properties(), "rev": {"type": "integer"}},
    "additionalProperties": False,
    "allOf": [
        {
            "if": SENDS_ITSELF,
            # a blank host is refused when SMTP is what the body or the stored row sends with
            "else": {
                "if": {"required": ["sending"]},
                "then": {"required": ["smtpHost"], **_filled("smtpHost")},
            },
        },
        {"if": POLLS, "then": {"required": list(IMAP), **_filled(*IMAP)}},
    ],
}
