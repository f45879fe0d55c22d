"""The worker's side (`manage.py db_worker`): runs and the scheduler's tick, via django-tasks."""

from django_tasks import task


@task()
def execute_runs(run_ids):
    from workflows import runner

    return [runner.execute(pk) for pk in run_ids]


@task()
def tick(token):
    from workflows import scheduler

    return scheduler.tick(token)
