from klasses.models import Klass, KObject, KView


def klasses(*, org):
    return Klass.objects.filter(org=org).order_by("name")


def kobjects(
    *, org, klass, customer_id=None, company_id=None, external_id=None, updated_since=None
):
    qs = KObject.objects.filter(org=org, klass=klass)
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    if company_id is not None:
        qs = qs.filter(company_id=company_id)
    if external_id is not None:
        qs = qs.filter(external_id=external_id)
    if updated_since is not None:
        qs = qs.filter(updated_at__gte=updated_since)
    return qs


def customer_kobjects(*, org, customer_id, klass_names=None, limit=50):
    qs = KObject.objects.filter(org=org, customer_id=customer_id).select_related("klass")
    if klass_names:
        qs = qs.filter(klass__name__in=klass_names)
    return qs.order_by("-created_at", "-id")[:limit]


def kviews_for(*, org, resource, context):
    return list(
        KView.objects.filter(org=org, resource=resource, context=context, active=True).order_by(
            "position", "id"
        )
    )
