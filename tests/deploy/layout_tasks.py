"""A background task for the production-layout test: the task worker runs it in its own
process, and the write it does is pushed live from there."""

from django_tasks import task


@task()
def order_for_customer(org_id, customer_id, title):
    from klasses.models import Klass
    from klasses.services import kobject_create

    klass = Klass.objects.get(org_id=org_id, name="order")
    obj = kobject_create(
        org=klass.org, actor=None, klass=klass, data={"title": title, "customer": str(customer_id)}
    )
    return obj.pk
