"""Reading a raw RFC 822 message (as mail providers' inbound routes post it) into the fields a
`hook.received` event carries. The HTML part is sanitised: it will be shown in the desk."""

from email import policy
from email.headerregistry import Address
from email.parser import BytesParser

import nh3

MAX_TEXT = 100_000


class NotAMessage(ValueError):
    pass


def _addresses(header):
    if header is None:
        return []
    out = []
    for address in getattr(header, "addresses", ()):
        if isinstance(address, Address):
            out.append({"name": address.display_name or "", "email": address.addr_spec})
    return out


def _text(part):
    if part is None:
        return ""
    try:
        content = part.get_content()
    except (LookupError, ValueError, AssertionError):  # unknown charset, broken encoding
        payload = part.get_payload(decode=True) or b""
        content = payload.decode("utf-8", "replace")
    return content if isinstance(content, str) else ""


def _size(part):
    payload = part.get_payload(decode=True)
    if payload is None:
        raw = part.get_payload()
        return len(raw.encode()) if isinstance(raw, str) else 0
    return len(payload)


def parse(raw):
    """{from, to, cc, subject, date, messageId, text, html, attachments:[{filename,
    contentType, size}]}; raises NotAMessage when `raw` has no message headers."""
    if not raw or not raw.strip():
        raise NotAMessage("The body is empty; send the raw RFC 822 message.")
    message = BytesParser(policy=policy.default).parsebytes(raw)
    if not (message.get("From") or message.get("To")) or not message.keys():
        raise NotAMessage("The body is not an RFC 822 message: it has no From or To header.")
    senders = _addresses(message.get("From"))
    text_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    html = _text(html_part)
    attachments = [
        {
            "filename": part.get_filename() or "",
            "contentType": part.get_content_type(),
            "size": _size(part),
        }
        for part in message.iter_attachments()
    ]
    return {
        "from": senders[0] if senders else None,
        "to": _addresses(message.get("To")),
        "cc": _addresses(message.get("Cc")),
        "subject": str(message.get("Subject") or ""),
        "date": str(message.get("Date") or "") or None,
        "messageId": str(message.get("Message-ID") or "") or None,
        "text": _text(text_part)[:MAX_TEXT],
        "html": nh3.clean(html)[:MAX_TEXT] if html else "",
        "attachments": attachments,
    }
