"""Reading a raw RFC 822 message with the standard library (policy `default`): addresses,
subject, threading headers, text and sanitised HTML, attachments with their bytes, and what
kind of mail it is (an auto-reply, a bounce). Never raises on a malformed message beyond
NotAMessage: a broken header or charset degrades to what can be read."""

import re
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses
from functools import lru_cache

import nh3

MAX_TEXT = 100_000
_ID = re.compile(r"<([^<>\s]+)>")
_FOLD = re.compile(r"\r\n|\r|\n")


class _Policy(EmailPolicy):
    """The `default` policy, except that a header's parsed object is kept: the standard
    library parses a header again on every read, and reading a message (its body, its
    attachments, each part's Content-Type and Content-Disposition) reads the same headers
    dozens of times. Parsed headers are immutable, so identical ones (`Content-Type:
    text/plain; charset=utf-8` in every mail) share one object across messages."""

    def header_fetch_parse(self, name, value):
        if hasattr(value, "name"):
            return value
        return _parsed_header(self.header_factory, name, _FOLD.sub("", value))


@lru_cache(maxsize=2048)
def _parsed_header(factory, name, value):
    return factory(name, value)


POLICY = _Policy()


class NotAMessage(ValueError):
    pass


@dataclass
class Part:
    filename: str
    content_type: str
    data: bytes
    content_id: str = ""
    inline: bool = False


@dataclass
class Parsed:
    sender: dict | None
    to: list
    cc: list
    delivered_to: list
    subject: str
    date: str | None
    message_id: str
    in_reply_to: list
    references: list
    text: str
    html: str
    attachments: list = field(default_factory=list)
    auto_reason: str = ""
    bounce: dict | None = None

    @property
    def sender_email(self):
        return (self.sender or {}).get("email", "").lower()


def header(message, name):
    """A header as text; a header the parser cannot decode is read raw rather than lost."""
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, AttributeError):
        value = message.get_all(name, failobj=[""])[0] if hasattr(message, "get_all") else ""
    return str(value or "").strip()


def addresses(message, name):
    try:
        value = message.get(name)
    except (ValueError, IndexError, TypeError, AttributeError):
        value = None
    out = []
    if value is not None and getattr(value, "addresses", None) is not None:
        for address in value.addresses:
            if isinstance(address, Address) and "@" in address.addr_spec:
                out.append({"name": address.display_name or "", "email": address.addr_spec})
        return out
    # A header the structured parser refused: the lenient utils parser still finds addresses.
    raw = [str(v) for v in message.get_all(name, failobj=[])] if hasattr(message, "get_all") else []
    for display, email in getaddresses(raw):
        if "@" in email:
            out.append({"name": display, "email": email})
    return out


def text_of(part):
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError, UnicodeError):  # unknown charset, broken
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    if isinstance(content, bytes):
        content = content.decode("utf-8", "replace")
    return content if isinstance(content, str) else ""


def size_of(part):
    payload = part.get_payload(decode=True)
    if payload is None:
        raw = part.get_payload()
        return len(raw.encode()) if isinstance(raw, str) else 0
    return len(payload)


def message_ids(value):
    return [m for m in _ID.findall(value or "")][:50]


def _auto_reason(message, sender_email):
    """Why this is mail no person wrote (and must not be answered or threaded), or ''."""
    auto = header(message, "Auto-Submitted").lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto}"
    precedence = header(message, "Precedence").lower()
    if precedence in ("bulk", "junk", "list", "auto_reply"):
        return f"Precedence: {precedence}"
    for name in ("X-Autoreply", "X-Autorespond", "X-Auto-Response-Suppress"):
        value = header(message, name)
        if value and (name != "X-Auto-Response-Suppress" or "all" in value.lower()):
            return f"{name}: {value}"
    if header(message, "List-Id") or header(message, "List-Unsubscribe"):
        return "a mailing list"
    return ""


def _bounce(message, sender_email):
    """{status, diagnostic, recipient, original_ids} when this is a delivery failure report."""
    local = sender_email.partition("@")[0]
    report = message.get_content_type() == "multipart/report" and (
        message.get_param("report-type") or ""
    ).lower() in ("delivery-status", "")
    if not report and local not in ("mailer-daemon", "postmaster"):
        return None
    out = {"status": "", "diagnostic": "", "recipient": "", "original_ids": []}
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            for block in part.get_payload() or []:
                for key, target in (
                    ("Status", "status"),
                    ("Diagnostic-Code", "diagnostic"),
                    ("Final-Recipient", "recipient"),
                ):
                    value = header(block, key) if hasattr(block, "get") else ""
                    if value and not out[target]:
                        out[target] = value.split(";", 1)[-1].strip()
        elif kind in ("message/rfc822", "message/global"):
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if hasattr(inner, "get"):
                out["original_ids"] += message_ids(header(inner, "Message-ID"))
        elif kind == "text/rfc822-headers":
            headers = BytesParser(policy=POLICY).parsebytes(
                part.get_payload(decode=True) or b"", headersonly=True
            )
            out["original_ids"] += message_ids(header(headers, "Message-ID"))
    if not report and not out["original_ids"]:
        # A postmaster note without a report or the original: fall back on the references.
        out["original_ids"] = message_ids(header(message, "In-Reply-To")) + message_ids(
            header(message, "References")
        )
    return out


def parse(raw):
    if not raw or not raw.strip():
        raise NotAMessage("The body is empty; send the raw RFC 822 message.")
    message = BytesParser(policy=POLICY).parsebytes(raw)
    if not message.keys() or not (message.get("From") or message.get("To")):
        raise NotAMessage("The body is not an RFC 822 message: it has no From or To header.")
    senders = addresses(message, "From")
    sender = senders[0] if senders else None
    sender_email = (sender or {}).get("email", "").lower()
    try:
        text_part = message.get_body(preferencelist=("plain",))
        html_part = message.get_body(preferencelist=("html",))
    except (KeyError, ValueError, AttributeError):
        text_part = html_part = None
    html = text_of(html_part)
    parts = []
    try:
        attachments = list(message.iter_attachments())
    except (KeyError, ValueError, AttributeError, TypeError):
        attachments = []
    seen = set()
    for part in message.walk():
        if part.is_multipart() or part in (text_part, html_part):
            continue
        inline_image = part.get_content_maintype() == "image" and part.get("Content-ID")
        if part not in attachments and not inline_image:
            continue
        if id(part) in seen:
            continue
        seen.add(id(part))
        try:
            data = part.get_payload(decode=True)
        except (ValueError, TypeError):
            data = None
        if data is None:  # a message/rfc822 part: keep the message as a .eml
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            data = inner.as_bytes() if hasattr(inner, "as_bytes") else b""
        cid = message_ids(part.get("Content-ID") or "")
        parts.append(
            Part(
                filename=(part.get_filename() or "").strip()[:255],
                content_type=part.get_content_type(),
                data=data,
                content_id=cid[0] if cid else "",
                inline=(part.get_content_disposition() or "inline") == "inline" and bool(cid),
            )
        )
    return Parsed(
        sender=sender,
        to=addresses(message, "To"),
        cc=addresses(message, "Cc"),
        delivered_to=addresses(message, "Delivered-To") + addresses(message, "X-Original-To"),
        subject=header(message, "Subject")[:255],
        date=header(message, "Date") or None,
        message_id=(message_ids(header(message, "Message-ID")) or [""])[0][:255],
        in_reply_to=message_ids(header(message, "In-Reply-To")),
        references=message_ids(header(message, "References")),
        text=text_of(text_part)[:MAX_TEXT],
        html=nh3.clean(html)[:MAX_TEXT] if html else "",
        attachments=parts,
        auto_reason=_auto_reason(message, sender_email),
        bounce=_bounce(message, sender_email),
    )
