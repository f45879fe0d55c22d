"""The worker's side (`manage.py db_worker`): drains and the sweep, through django-tasks."""

from django_tasks import task


@task()
def drain(webhook_id):
    from apps_directory.webhooks import dispatch

    return dispatch.drain(webhook_id)


@task()
def sweep(token):
    from apps_directory.webhooks import dispatch

    return dispatch.sweep(token)
