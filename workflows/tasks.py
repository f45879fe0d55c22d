"""The worker's side (`manage.py db_worker`): runs and the scheduler's tick, via django-tasks."""

from django_tasks import task


@task()
def drain(org_id):
    from workflows import runner

    return runner.drain(org_id)


@task()
def execute_runs(run_ids):
    """Runs by id: what was queued before drains (kept so that those tasks still run)."""
    from workflows import runner

    return [runner.execute(pk) for pk in run_ids]


@task()
def tick(token):
    from workflows import scheduler

    return scheduler.tick(token)
