"""Reading a raw RFC 822 message (as mail providers' inbound routes post it) into the fields a
`hook.received` event carries. The parsing itself is the email channel's (mail/parse.py): one
reader for every way mail comes in. The HTML part is sanitised: it will be shown in the desk."""

from mail import parse as mail_parse

MAX_TEXT = mail_parse.MAX_TEXT
NotAMessage = mail_parse.NotAMessage


def summary(parsed):
    """{from, to, cc, subject, date, messageId, text, html, attachments:[{filename,
    contentType, size}]}: what workflows bound to the hook read."""
    return {
        "from": parsed.sender,
        "to": parsed.to,
        "cc": parsed.cc,
        "subject": parsed.subject,
        "date": parsed.date,
        "messageId": f"<{parsed.message_id}>" if parsed.message_id else None,
        "text": parsed.text,
        "html": parsed.html,
        "attachments": [
            {"filename": a.filename, "contentType": a.content_type, "size": len(a.data)}
            for a in parsed.attachments
        ],
    }


def parse(raw):
    """The summary of `raw`; raises NotAMessage when it has no message headers."""
    return summary(mail_parse.parse(raw))
