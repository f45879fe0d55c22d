"""Reads for webhooks and the delivery log."""

from django.db.models import OuterRef, Subquery

from apps_directory.webhooks.models import Delivery, DeliveryAttempt, OutboundWebhook


def webhooks(*, org):
    return OutboundWebhook.objects.filter(org=org).order_by("id")


def webhook(*, org, pk):
    return OutboundWebhook.objects.filter(org=org, pk=pk).first()


def deliveries(*, org, webhook, status=None):
    qs = Delivery.objects.filter(org=org, webhook=webhook).order_by("-id")
    if status:
        qs = qs.filter(status=status)
    return qs


def delivery(*, org, webhook, pk):
    return Delivery.objects.filter(org=org, webhook=webhook, pk=pk).first()


def last_attempts(deliveries):
    """{delivery id: its latest attempt} for a page of deliveries, in one query."""
    ids = [d.pk for d in deliveries]
    if not ids:
        return {}
    latest = (
        DeliveryAttempt.objects.filter(delivery_id=OuterRef("delivery_id"))
        .order_by("-id")
        .values("id")[:1]
    )
    rows = DeliveryAttempt.objects.filter(delivery_id__in=ids, id=Subquery(latest))
    return {a.delivery_id: a for a in rows}


def attempts(*, delivery):
    return DeliveryAttempt.objects.filter(delivery=delivery).order_by("id")
