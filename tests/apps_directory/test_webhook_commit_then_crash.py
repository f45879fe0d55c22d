"""A web process that dies between the commit of a write and its after-commit kick loses no
delivery: the sweep link queued in the write's own transaction (or the live chain) hands it to
a real `manage.py db_worker` started afterwards, with no other write.

The write runs in a child process whose first after-commit callback is `os._exit`: the commit
happened, the kick (registered after it) never runs, exactly as a killed web worker."""

import os
import subprocess
import sys
import textwrap

import pytest
from django_tasks_db.models import DBTaskResult

from apps_directory.webhooks import dispatch
from apps_directory.webhooks.models import Delivery, DispatchClock
from apps_directory.webhooks.services import webhook_create
from customers.models import Customer
from tests import servers
from tests.apps_directory.test_webhook_worker_killed import start_worker, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

SWEEP = "apps_directory.webhooks.tasks.sweep"
DRAIN = "apps_directory.webhooks.tasks.drain"


def write_then_die(org, user, name):
    """Create a customer in a child web process that exits right after the commit."""
    script = textwrap.dedent(
        f"""
        import os, django
        django.setup()
        from django.db import transaction
        from customers.services import customer_create
        from kdesk.models import Organization, User

        org = Organization.objects.get(pk={org.pk})
        user = User.objects.get(pk={user.pk})
        with transaction.atomic():
            transaction.on_commit(lambda: os._exit(0))  # runs first: the kick never does
            customer_create(org=org, actor=user, data={{"name": {name!r}}})
        raise SystemExit("the process outlived its commit")
        """
    )
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=servers.test_database_url(),
        PYTHONPATH=str(servers.ROOT),
        TASK_BACKEND="database",
        WEBHOOK_SWEEP_SECONDS="1",
        LOG_LEVEL="WARNING",
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        cwd=servers.ROOT,
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()


def queued(task_path, *statuses):
    statuses = statuses or ("READY",)
    return DBTaskResult.objects.filter(task_path=task_path, status__in=statuses).count()


def test_a_commit_whose_kick_died_is_still_delivered(
    org, admin_user, receiver, settings, monkeypatch, tmp_path
):
    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.WEBHOOK_SWEEP_SECONDS = 1
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(dispatch, "_last_sweep_check", 0.0)
    webhook_create(
        org=org,
        actor=admin_user,
        data={"name": "Shop", "url": receiver.url, "events": ["kustomer.customer.create"]},
    )
    assert not DispatchClock.objects.exists()  # a fresh install: no chain yet

    write_then_die(org, admin_user, "Ada")
    ada = Customer.objects.get(org=org, name="Ada")
    assert Delivery.objects.filter(status="pending").count() == 1
    assert queued(DRAIN) == 0  # the kick died with the process
    assert queued(SWEEP) == 1  # committed with the delivery

    log = open(tmp_path / "worker.log", "wb")
    worker = start_worker(log)
    try:
        assert receiver.wait_for(1, timeout=40), open(tmp_path / "worker.log").read()
        assert receiver.bodies()[0]["data"]["id"] == str(ada.pk)
        assert wait_until(lambda: Delivery.objects.get().status == "succeeded", 20)

        # The chain outlives the work it had: the next link is queued, so a second write whose
        # process dies the same way is found without a third write (the chain is alive, so
        # this write queued no link of its own).
        assert wait_until(lambda: queued(SWEEP) == 1, 10)
        write_then_die(org, admin_user, "Grace")
        grace = Customer.objects.get(org=org, name="Grace")
        # one link, waiting or already claimed by the worker (then RUNNING, no longer READY:
        # seen once as a failure under the full suite's load)
        assert queued(SWEEP, "READY", "RUNNING") == 1
        assert receiver.wait_for(2, timeout=40), open(tmp_path / "worker.log").read()
        assert receiver.bodies()[1]["data"]["id"] == str(grace.pk)
        assert wait_until(
            lambda: set(Delivery.objects.values_list("status", flat=True)) == {"succeeded"}, 20
        )
    finally:
        worker.terminate()
        worker.wait(10)
        log.close()


def test_a_rolled_back_write_queues_no_link(org, admin_user, receiver, settings, monkeypatch):
    from django.db import transaction

    from customers.services import customer_create

    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(dispatch, "_last_sweep_check", 0.0)
    webhook_create(
        org=org,
        actor=admin_user,
        data={"name": "Shop", "url": receiver.url, "events": ["kustomer.customer.create"]},
    )

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        customer_create(org=org, actor=admin_user, data={"name": "Ada"})
        assert queued(SWEEP) == 1  # queued inside the write's transaction ...
        raise Undo
    assert queued(SWEEP) == 0  # ... and gone with it
    assert not Delivery.objects.exists()
    assert not DispatchClock.objects.exists()


def test_a_live_chain_costs_one_read_per_recording_write(
    org, admin_user, receiver, settings, monkeypatch, django_assert_num_queries
):
    """With the chain alive, the guard is one primary-key read of the clock and queues
    nothing; a chain whose link is long overdue (its worker died holding it) is restarted in
    the write's own transaction."""
    from datetime import timedelta

    from django.db import transaction
    from django.utils import timezone

    settings.OUTBOUND_ALLOW_PRIVATE = True
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    monkeypatch.setattr(dispatch, "_last_sweep_check", 0.0)
    DispatchClock.objects.create(name=dispatch.CLOCK, token="alive", next_at=timezone.now())
    # always called inside the writing transaction
    with transaction.atomic(), django_assert_num_queries(1):
        dispatch.guard_recorded()
    assert queued(SWEEP) == 0

    DispatchClock.objects.update(next_at=timezone.now() - timedelta(hours=1))
    with transaction.atomic():
        dispatch.guard_recorded()
    clock = DispatchClock.objects.get()
    assert clock.token != "alive"
    assert queued(SWEEP) == 1
    # the old chain's link, should its worker come back, finds another token and retires
    assert dispatch.sweep("alive") == "retired"


def test_a_writer_never_waits_for_the_clock_another_holds(settings, monkeypatch):
    """Restarting a dead chain from inside a write must not wait on the clock's lock (the
    writer holds its own rows, which the lock's holder may want): it commits a one-off sweep
    with its write instead."""
    import threading
    from datetime import timedelta

    from django.db import connection, connections, transaction
    from django.utils import timezone

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    DispatchClock.objects.create(
        name=dispatch.CLOCK, token="dead", next_at=timezone.now() - timedelta(hours=1)
    )
    locked, release = threading.Event(), threading.Event()

    def hold_the_clock():
        try:
            with transaction.atomic():
                DispatchClock.objects.select_for_update().get(name=dispatch.CLOCK)
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_clock)
    holder.start()
    try:
        assert locked.wait(10)
        with transaction.atomic():
            dispatch.guard_recorded()  # returns at once instead of waiting 30 s
            one_off = DBTaskResult.objects.filter(task_path=SWEEP, status="READY").get()
            assert one_off.args_kwargs["args"] == [""]
    finally:
        release.set()
        holder.join(10)
    assert DispatchClock.objects.get().token == "dead"  # the holder's business, untouched
    assert dispatch.sweep("") == "swept"  # a one-off sweep: no link of the chain to retire


def test_the_sweep_drops_its_tasks_finished_rows_after_a_day(settings):
    """The chain adds a task row every interval: finished rows of the webhook tasks go a day
    after they finish; pending ones, recent ones and other apps' tasks stay."""
    from datetime import timedelta

    from django.utils import timezone

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    now = timezone.now()

    def row(path, finished_at, status="SUCCESSFUL"):
        return DBTaskResult.objects.create(
            args_kwargs={"args": [], "kwargs": {}},
            task_path=path,
            backend_name="default",
            run_after=now,
            status=status,
            finished_at=finished_at,
        )

    old_drain = row(DRAIN, now - timedelta(days=2))
    old_sweep = row(SWEEP, now - timedelta(days=2), status="FAILED")
    recent = row(SWEEP, now - timedelta(hours=1))
    waiting = row(DRAIN, None, status="READY")
    other = row("workflows.tasks.run", now - timedelta(days=2))
    dispatch._prune_task_results(now)
    left = set(DBTaskResult.objects.values_list("pk", flat=True))
    assert left == {recent.pk, waiting.pk, other.pk}
    assert old_drain.pk not in left and old_sweep.pk not in left
