from apps_directory.catalog.models import Installation


def installations(*, org):
    """The org's installations with their features and who installed them (two queries)."""
    return (
        Installation.objects.filter(org=org)
        .select_related("installed_by")
        .prefetch_related("features")
        .order_by("id")
    )


def installation(*, org, pk):
    return installations(org=org).filter(pk=pk).first()


def installations_by_app(*, org):
    return {i.app: i for i in installations(org=org)}
