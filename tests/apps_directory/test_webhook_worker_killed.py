"""A real `manage.py db_worker` killed (SIGKILL) in the middle of sending loses nothing: the
delivery's lease runs out, the sweep chain left queued in the database hands it to the next
worker, which sends it again with the same webhook-id."""

import os
import signal
import subprocess
import sys
import time

import pytest

from apps_directory.webhooks import dispatch
from apps_directory.webhooks.models import Delivery
from apps_directory.webhooks.services import webhook_create
from customers.services import customer_create
from tests import servers

pytestmark = pytest.mark.django_db(transaction=True)


def start_worker(log):
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=servers.test_database_url(),
        PYTHONPATH=str(servers.ROOT),
        TASK_BACKEND="database",
        OUTBOUND_ALLOW_PRIVATE="true",
        WEBHOOK_TIMEOUT_SECONDS="2",
        WEBHOOK_SWEEP_SECONDS="1",
        LOG_LEVEL="WARNING",
    )
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--interval",
            "0.1",
            "--no-startup-delay",
            "--no-reload",
        ],
        cwd=servers.ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def wait_until(check, timeout):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return False


def test_a_worker_killed_mid_send_loses_nothing(
    org, admin_user, receiver, settings, monkeypatch, tmp_path
):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.WEBHOOK_TIMEOUT_SECONDS = 2
    settings.WEBHOOK_SWEEP_SECONDS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(dispatch, "_last_sweep_check", 0.0)
    webhook, _ = webhook_create(
        org=org,
        actor=admin_user,
        data={"name": "Shop", "url": receiver.url, "events": ["kustomer.customer.create"]},
    )
    receiver.answers = [None]  # the first request hangs: the worker is mid-send
    log = open(tmp_path / "workers.log", "wb")
    first = start_worker(log)
    second = None
    try:
        customer_create(org=org, actor=admin_user, data={"name": "Ada"})
        assert receiver.arrived.wait(30), "the first worker never sent"
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        assert Delivery.objects.get().status == "pending"
        second = start_worker(log)
        assert wait_until(lambda: len(receiver.requests) >= 2, 40), open(
            tmp_path / "workers.log"
        ).read()
        assert wait_until(lambda: Delivery.objects.get().status == "succeeded", 20)
        first_try, retry = receiver.requests[0], receiver.requests[1]
        assert first_try["body"] == retry["body"]
        assert first_try["headers"]["webhook-id"] == retry["headers"]["webhook-id"]
        assert Delivery.objects.get().attempts == 1  # the killed attempt never got recorded
    finally:
        receiver.release.set()
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(10)
        log.close()
        assert webhook.pk
