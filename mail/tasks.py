"""The worker's side (`manage.py db_worker`), through django-tasks."""

from django_tasks import task


@task()
def drain(mailbox_id):
    from mail import sending

    return sending.drain(mailbox_id)


@task()
def poll(token):
    from mail import schedule

    return schedule.poll(token)
