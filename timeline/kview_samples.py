"""Reads for the KView editor: the KViews of an org, and the real records an admin previews a
KView against (their own customers, objects and conversations), and the render context each
context name gets on the desk."""

from conversations.models import Conversation
from customers.models import Customer
from klasses.models import Klass, KObject, KView
from timeline import cards, kview_related
from timeline.kview_related import Node

SAMPLES = 50


def kviews(*, org):
    return KView.objects.filter(org=org).order_by("resource", "context", "position", "id")


def kview(*, org, pk):
    return KView.objects.filter(org=org, pk=pk).first()


def sample_choices(*, org, resource):
    """[(id, label)] of recent records a KView on `resource` can be previewed against."""
    if resource == "customer":
        rows = Customer.objects.filter(org=org).order_by("-updated_at", "-id")[:SAMPLES]
        return [(str(c.pk), c.name or f"Customer {c.pk}") for c in rows]
    if resource == "conversation":
        rows = (
            Conversation.objects.filter(org=org)
            .select_related("customer")
            .order_by("-updated_at", "-id")[:SAMPLES]
        )
        return [
            (str(c.pk), f"{c.name or 'Conversation'} · {c.customer.name or c.customer_id}")
            for c in rows
        ]
    if resource.startswith("kobject."):
        rows = (
            KObject.objects.filter(org=org, klass__name=resource[len("kobject.") :])
            .select_related("customer")
            .order_by("-updated_at", "-id")[:SAMPLES]
        )
        return [
            (str(o.pk), f"{o.title}" + (f" · {o.customer.name}" if o.customer_id else ""))
            for o in rows
        ]
    return []


def preview_context(*, org, resource, context, sample):
    """The context the desk renders a KView with, for the record picked (`sample` an id), or
    None when that record is not the org's. Built by the same helpers the desk uses."""
    if resource == "customer":
        customer = Customer.objects.filter(org=org, pk=sample).first()
        if customer is None:
            return None, []
        person = Node("customer", cards.customer_context(customer))
        return {"customer": person, "resource": cards.in_view("customer", customer.pk)}, [person]
    if resource == "conversation":
        conversation = (
            Conversation.objects.filter(org=org, pk=sample).select_related("customer").first()
        )
        if conversation is None:
            return None, []
        person = Node("customer", cards.customer_context(conversation.customer))
        conv = Node("conversation", kview_related.conversation_context(conversation))
        return {
            "customer": person,
            "conversation": conv,
            "resource": cards.in_view("conversation", conversation.pk),
        }, [person, conv]
    name = resource[len("kobject.") :]
    found = (
        KObject.objects.filter(org=org, klass__name=name, pk=sample)
        .select_related("klass", "customer")
        .first()
    )
    if found is None:
        return None, []
    obj = Node(resource, cards.object_context(found))
    customer = found.customer
    person = (
        Node("customer", cards.customer_context(customer)) if customer else Node("customer", {})
    )
    base = {"customer": person, "klass": cards.klass_context(found.klass), "object": obj}
    if context == KView.Context.TIMELINE:
        event = {"type": f"{resource}.update", "resource": resource}
        return {**base, "event": event, "resource": cards.in_view(resource, found.pk)}, [
            person,
            obj,
        ]
    where = (
        cards.in_view("customer", customer.pk) if customer else cards.in_view(resource, found.pk)
    )
    return {**base, "objects": [obj], "resource": where}, [person, obj]


def klass_for(*, org, resource):
    if not resource.startswith("kobject."):
        return None
    return Klass.objects.filter(org=org, name=resource[len("kobject.") :]).first()
