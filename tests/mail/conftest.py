import socket
import threading
from email import policy
from email.parser import BytesParser

import pytest
from aiosmtpd.controller import Controller


class SmtpSink:
    """A real SMTP server (aiosmtpd) on a loopback port that keeps what it is sent. `answers`
    holds SMTP replies to give DATA instead of accepting (one per message), e.g. "451 later"."""

    def __init__(self):
        self.messages = []
        self.answers = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            self.messages.append(
                {
                    "from": envelope.mail_from,
                    "rcpt": list(envelope.rcpt_tos),
                    "raw": envelope.original_content or envelope.content,
                }
            )
        return "250 Message accepted for delivery"

    def parsed(self, index=-1):
        return BytesParser(policy=policy.default).parsebytes(self.messages[index]["raw"])


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_sink():
    sink = SmtpSink()
    sink.port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=sink.port)
    controller.start()
    yield sink
    controller.stop()


@pytest.fixture(autouse=True)
def _loopback_allowed(settings, tmp_path):
    # The SMTP and IMAP servers of these tests listen on loopback addresses.
    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.MAIL_RETRY_SCHEDULE = [60, 300]


@pytest.fixture
def mailbox(org, smtp_sink):
    from mail import services

    return services.mailbox_create(
        org=org,
        actor=None,
        data={
            "address": "support@acme.test",
            "displayName": "Acme Support",
            "smtpHost": "127.0.0.1",
            "smtpPort": smtp_sink.port,
            "smtpSecurity": "none",
        },
    )


@pytest.fixture
def email_hook(api):
    return api.post("/v1/hooks", {"name": "Support inbox", "kind": "email"}).json()["data"]


@pytest.fixture
def deliver(client, email_hook):
    """Post a raw message to the email hook, as a provider's inbound route does."""

    def post(raw):
        return client.post(email_hook["attributes"]["url"], raw, content_type="message/rfc822")

    return post
