"""Threading reads the emails a mail names whatever their number: a reply naming one id, a few,
or a long References chain (past the counts compiled ahead) lands in the conversation of the
latest email it answers, and a repeated Message-ID is still a duplicate."""

import pytest

from conversations.models import Conversation
from mail.models import Received
from tests.mail import corpus

pytestmark = pytest.mark.django_db


def outcome(deliver, msg):
    response = deliver(msg.as_bytes())
    assert response.status_code == 202, response.content
    return response.json()["data"]["attributes"]["mail"]


@pytest.mark.parametrize("unknown", [0, 3, 7, 20])
def test_a_reply_threads_whatever_the_number_of_ids_it_names(deliver, mailbox, unknown):
    outcome(deliver, corpus.plain(message_id="<root@example.com>"))
    root = Conversation.objects.get()
    chain = " ".join(f"<gone{i}@example.com>" for i in range(unknown))
    reply = corpus.plain(
        subject="Another subject",
        message_id="<reply@example.com>",
        references=f"<root@example.com> {chain}".strip(),
    )
    mail = outcome(deliver, reply)
    assert mail["outcome"] == "threaded" and mail["conversation"] == str(root.pk)
    again = outcome(deliver, reply)
    assert again["outcome"] == "ignored" and again["detail"] == "Already received."
    assert Conversation.objects.get().message_count == 2
    assert Received.objects.filter(outcome="threaded").count() == 1
