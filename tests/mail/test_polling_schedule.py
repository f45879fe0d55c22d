"""IMAP mailboxes are polled by the task worker: turning one on starts a chain of deferred
`poll` tasks (one alive at a time), each link queues the next before it fetches, and the chain
stops when nothing needs it."""

import pytest
from django_tasks_db.models import DBTaskResult

from mail import schedule, services
from mail.models import Mailbox, MailClock
from tests.mail.conftest import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture
def database_tasks(settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.MAIL_POLL_SECONDS = 30
    monkeypatch.setattr(schedule, "_last_check", 0.0)


def polls():
    return list(DBTaskResult.objects.filter(task_path="mail.tasks.poll").order_by("enqueued_at"))


def test_a_mailbox_with_imap_starts_the_chain_and_each_link_queues_the_next(
    org, database_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        box = services.mailbox_create(
            org=org,
            actor=None,
            data={
                "address": "support@acme.test",
                "sending": "django",
                "imapEnabled": True,
                "imapHost": "127.0.0.1",
                "imapPort": free_port(),  # nothing listens: the fetch fails, visibly
                "imapSecurity": "none",
                "imapUser": "u",
                "imapPassword": "p",
            },
        )
    (first,) = polls()
    assert first.run_after is not None and first.status == "READY"
    token = first.args_kwargs["args"][0]
    assert MailClock.objects.get(name="poll").token == token
    # a second start while a link is alive adds nothing
    with django_capture_on_commit_callbacks(execute=True):
        schedule.ensure_running(force=True)
    assert len(polls()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.poll(token) == "polled"
    box.refresh_from_db()
    assert box.imap_checked_at is not None and "refused" in box.imap_error.lower()
    assert len(polls()) == 2  # the next link
    # an older link (a duplicate) retires itself
    assert schedule.poll("stale-token") == "retired"
    # with no mailbox polling and nothing to send, the chain ends
    Mailbox.objects.update(imap_enabled=False)
    with django_capture_on_commit_callbacks(execute=True):
        assert schedule.poll(token) == "polled"
    assert len(polls()) == 2 and MailClock.objects.get().next_at is None
