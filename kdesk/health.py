"""Health of kdesk's dependencies: `/healthz` is liveness (the load balancer's check, 200 while
the database answers), `/readyz` reports each dependency for people and monitors.

`/readyz` answers 503 only when the database is down: without Redis the API keeps serving
(kdesk/sharedcache.py) and live pushes resume when it returns; a stalled task worker delays
webhooks and workflows but loses nothing (their outbox rows wait)."""

from datetime import timedelta

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from kdesk import sharedcache

# A task ready for longer than this with nobody running it means no worker is working.
WORKER_STALL = timedelta(seconds=60)


def is_database_outage(exc):
    """The database could not be reached or dropped the connection (a 503, not a 500)."""
    return isinstance(exc, OperationalError | InterfaceError)


# SQLite's words for a write that waited out its busy timeout behind another one
_SQLITE_BUSY = ("database is locked", "database table is locked")


def is_write_collision(exc):
    """The database undid the transaction because another, running at the same moment, held
    what it needed: a deadlock, a serialization failure, a lock it gave up waiting for. Nothing
    was written, and the same request a moment later goes through (a 503, not a 500)."""
    if not isinstance(exc, OperationalError):
        return False
    sqlstate = getattr(exc.__cause__, "sqlstate", None) or ""
    # class 40: transaction rollback (40001 serialization, 40P01 deadlock); 55P03: lock not
    # available (NOWAIT, or lock_timeout while waiting for a row)
    if sqlstate.startswith("40") or sqlstate == "55P03":
        return True
    return any(words in str(exc) for words in _SQLITE_BUSY)


def _check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception as exc:  # any failure here means "down", whatever the driver raised
        return {"status": "down", "detail": str(exc).strip()[:300]}
    return {"status": "ok"}


def _check_redis():
    if not settings.REDIS_URL:
        return {"status": "not_configured"}
    problem = sharedcache.ping()
    if problem is not None:
        return {
            "status": "down",
            "detail": f"{problem}".strip()[:300],
            "fallback": "API keys read from the database; rate limits counted per process; "
            "live updates paused until Redis answers",
        }
    return {"status": "ok"}


def _iso(value):
    return value.isoformat().replace("+00:00", "Z") if value else None


def _check_worker(database_up):
    if settings.TASK_BACKEND != "database":
        return {"status": "not_used", "detail": f"TASK_BACKEND is {settings.TASK_BACKEND}"}
    if not database_up:
        return {"status": "unknown"}
    from django.db.models import Max, Min, Q
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult, get_date_max

    now = timezone.now()
    never = get_date_max()
    # one query: the oldest task that should have started, and the last one that finished
    row = DBTaskResult.objects.aggregate(
        oldest_immediate=Min(
            "enqueued_at", filter=Q(status=TaskResultStatus.READY, run_after=never)
        ),
        oldest_due=Min(
            "run_after",
            filter=Q(status=TaskResultStatus.READY, run_after__lt=never, run_after__lte=now),
        ),
        last_finished=Max("finished_at"),
    )
    waiting = [t for t in (row["oldest_immediate"], row["oldest_due"]) if t is not None]
    oldest = min(waiting) if waiting else None
    report = {
        "status": "ok",
        "oldestWaitingSince": _iso(oldest),
        "lastFinishedAt": _iso(row["last_finished"]),
    }
    if oldest is not None and now - oldest > WORKER_STALL:
        report["status"] = "stalled"
        report["detail"] = (
            f"a task has waited {int((now - oldest).total_seconds())} s for a worker: is "
            "`manage.py db_worker` running?"
        )
    return report


def readiness():
    database = _check_database()
    checks = {
        "database": database,
        "redis": _check_redis(),
        "worker": _check_worker(database["status"] == "ok"),
    }
    if database["status"] != "ok":
        status = "unavailable"
    elif any(c["status"] in ("down", "stalled") for c in checks.values()):
        status = "degraded"
    else:
        status = "ok"
    return {"status": status, "checks": checks}
