"""/readyz reports each dependency as JSON: the database (503 when down), Redis, and the task
worker, judged from django-tasks-db's own rows (a ready task nobody picked up for a minute means
no worker is running). /healthz stays the plain liveness check."""

from datetime import timedelta

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _task(**fields):
    from django_tasks_db.models import DBTaskResult, get_date_max

    row = DBTaskResult.objects.create(
        args_kwargs={"args": [], "kwargs": {}},
        task_path="kdesk.tasks.example",
        backend_name="default",
        run_after=fields.pop("run_after", get_date_max()),
        exception_class_path="",
        traceback="",
        **{k: v for k, v in fields.items() if k != "enqueued_at"},
    )
    if "enqueued_at" in fields:
        DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=fields["enqueued_at"])
    return row


def test_it_reports_every_dependency(client, settings):
    settings.TASK_BACKEND = "database"
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    report = response.json()
    assert report["status"] == "ok"
    assert report["checks"]["database"] == {"status": "ok"}
    assert report["checks"]["redis"]["status"] in ("ok", "not_configured")
    assert report["checks"]["worker"]["status"] == "ok"


def test_a_task_waiting_for_a_minute_means_the_worker_is_stalled(client, settings):
    settings.TASK_BACKEND = "database"
    _task(enqueued_at=timezone.now() - timedelta(minutes=3))
    report = client.get("/readyz").json()
    assert report["status"] == "degraded"
    assert report["checks"]["worker"]["status"] == "stalled"
    assert "db_worker" in report["checks"]["worker"]["detail"]


def test_a_fresh_task_or_a_scheduled_one_is_not_a_stall(client, settings):
    settings.TASK_BACKEND = "database"
    _task(enqueued_at=timezone.now() - timedelta(seconds=5))
    _task(run_after=timezone.now() + timedelta(hours=1))
    finished = _task(status="SUCCESSFUL")
    type(finished).objects.filter(pk=finished.pk).update(finished_at=timezone.now())
    worker = client.get("/readyz").json()["checks"]["worker"]
    assert worker["status"] == "ok"
    assert worker["lastFinishedAt"]


def test_without_the_database_queue_there_is_no_worker_to_check(client, settings):
    settings.TASK_BACKEND = "immediate"
    assert client.get("/readyz").json()["checks"]["worker"]["status"] == "not_used"


def test_it_answers_503_when_the_database_is_down(client, monkeypatch):
    from django.db import OperationalError

    import kdesk.health

    def down():
        return {"status": "down", "detail": str(OperationalError("connection refused"))}

    monkeypatch.setattr(kdesk.health, "_check_database", down)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_it_only_answers_get(client, method):
    assert getattr(client, method)("/readyz").status_code == 405
