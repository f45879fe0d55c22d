"""Raw messages the tests write: what mail clients and servers really send."""

import struct
import zlib
from email.message import EmailMessage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid

PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)


def picture(width=120, height=80):
    """A real PNG (a colour gradient), big enough to see as a preview."""

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    rows = b"".join(
        b"\x00" + b"".join(bytes((x * 2 % 256, y * 3 % 256, 180)) for x in range(width))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def plain(
    *,
    sender="Ada Lovelace <ada@example.com>",
    to="support@acme.test",
    subject="Order A1 is broken",
    body="Hello, my order arrived broken.\n",
    message_id=None,
    in_reply_to=None,
    references=None,
    headers=None,
):
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Message-ID"] = message_id or make_msgid(domain="example.com")
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = references
    for name, value in (headers or {}).items():
        msg[name] = value
    msg.set_content(body)
    return msg


def html_only(**kw):
    msg = plain(**kw)
    msg.set_content(
        '<p onclick="x()">Bonjour <b>équipe</b></p><script>alert(1)</script>', subtype="html"
    )
    return msg


def with_inline_image_and_attachment(**kw):
    msg = plain(**kw)
    msg.add_alternative('<p>See <img src="cid:photo1@example.com"></p>', subtype="html")
    html_part = msg.get_payload()[1]
    html_part.add_related(PNG, maintype="image", subtype="png", cid="<photo1@example.com>")
    msg.add_attachment(
        b"%PDF-1.4 invoice", maintype="application", subtype="pdf", filename="invoice.pdf"
    )
    return msg


def latin1(**kw):
    outer = MIMEMultipart()
    outer["From"] = "=?iso-8859-1?q?Andr=E9_M=FCller?= <andre@example.com>"
    outer["To"] = kw.get("to", "support@acme.test")
    outer["Subject"] = "=?iso-8859-1?q?Probl=E8me_de_facture?="
    outer["Message-ID"] = make_msgid(domain="example.com")
    outer.attach(MIMEText("Ma facture est fausse, merci de vérifier.", "plain", "iso-8859-1"))
    return outer


def unknown_charset():
    raw = (
        b"From: bob@example.com\r\nTo: support@acme.test\r\nSubject: weird\r\n"
        b"Message-ID: <weird1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: text/plain; charset="x-no-such-charset"\r\n'
        b"Content-Transfer-Encoding: 8bit\r\n\r\n"
    ) + b"caf\xe9 ok\r\n"
    return raw


def auto_reply():
    return plain(
        sender="ada@example.com",
        subject="Out of office",
        body="I am away until Monday.",
        headers={"Auto-Submitted": "auto-replied"},
    )


def bulk():
    return plain(sender="news@example.com", subject="Newsletter", headers={"Precedence": "bulk"})


def bounce(original_id, *, recipient="ada@example.com"):
    """A delivery status notification (RFC 3464) as Postfix writes it."""
    raw = f"""From: Mail Delivery System <MAILER-DAEMON@mx.acme.test>
To: support@acme.test
Subject: Undelivered Mail Returned to Sender
Message-ID: <bounce-{original_id}>
Auto-Submitted: auto-replied
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="BOUNDARY"

--BOUNDARY
Content-Type: text/plain; charset=us-ascii

Your message could not be delivered.

--BOUNDARY
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.acme.test

Final-Recipient: rfc822; {recipient}
Action: failed
Status: 5.1.1
Diagnostic-Code: smtp; 550 5.1.1 User unknown

--BOUNDARY
Content-Type: text/rfc822-headers

From: support@acme.test
To: {recipient}
Message-ID: <{original_id}>
Subject: Re: x

--BOUNDARY--
"""
    return raw.replace("\n", "\r\n").encode()
