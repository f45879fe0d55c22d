"""KView cards for the desk: the render context (customer, objects, Klass) and the results.

`insight_cards` renders the insight-card KViews of a customer (its own resource and every
Klass), `details_cards` the insight-details ones, `timeline_view` the timeline KView of one
KObject entry, `conversation_cards` the KViews of the conversation in view and `object_cards`
the details KViews of the KObject in view. Every context names what is in view as `resource`
({type, id}) for URL templates. A failing template never breaks the page: the card carries the error and the
page shows agents "card unavailable" and admins the error with its line.
"""

from dataclasses import dataclass

from klasses import kviews
from klasses.models import Klass, KObject, KView
from timeline import kview_related
from timeline.kview_related import Node

OBJECTS_PER_CARD = 20


@dataclass
class Card:
    name: str
    html: str = ""
    error: str = ""
    line: int | None = None
    kind: str = "template"
    resource: str = ""

    @property
    def ok(self):
        return not self.error


def customer_context(customer):
    emails = [e.get("email") for e in (customer.emails or []) if isinstance(e, dict)]
    phones = [p.get("phone") for p in (customer.phones or []) if isinstance(p, dict)]
    first, _, last = (customer.name or "").partition(" ")
    return {
        "id": str(customer.pk),
        "name": customer.name,
        "firstName": first,
        "lastName": last,
        "email": emails[0] if emails else "",
        "emails": emails,
        "phone": phones[0] if phones else "",
        "phones": phones,
        "externalId": customer.external_id or "",
        "tags": list(customer.tags or []),
        "locale": customer.locale,
        "timeZone": customer.time_zone,
        "custom": dict(customer.custom or {}),
        "createdAt": customer.created_at.isoformat() if customer.created_at else "",
    }


def object_context(row):
    """A KObject (instance or `.values()` dict) or a KObject resource dict → template object."""
    if isinstance(row, dict) and "attributes" in row:
        attrs = row["attributes"]
        return {
            "id": row.get("id"),
            "externalId": attrs.get("externalId") or "",
            "title": attrs.get("title") or "",
            "description": attrs.get("description") or "",
            "data": dict(attrs.get("data") or {}),
            "custom": dict(attrs.get("custom") or {}),
            "tags": list(attrs.get("tags") or []),
            "createdAt": attrs.get("createdAt") or "",
            "updatedAt": attrs.get("updatedAt") or "",
        }
    get = row.get if isinstance(row, dict) else lambda f: getattr(row, f)
    return {
        "id": str(get("id")),
        "externalId": get("external_id") or "",
        "title": get("title") or "",
        "description": get("description") or "",
        "data": dict(get("data") or {}),
        "custom": dict(get("custom") or {}),
        "tags": list(get("tags") or []),
        "createdAt": get("created_at").isoformat() if get("created_at") else "",
        "updatedAt": get("updated_at").isoformat() if get("updated_at") else "",
    }


def klass_context(klass):
    return {
        "name": klass.name,
        "displayName": klass.display_name,
        "icon": klass.icon,
        "color": klass.color,
    }


def render_kview(kview, context):
    if kview.kind == KView.Kind.IFRAME:
        result = kviews.render_url(kview.url_template, context)
        if result.ok:
            return Card(
                kview.name,
                html=kviews.iframe_html(result.html),
                kind="iframe",
                resource=kview.resource,
            )
        return Card(
            kview.name, error=result.error, line=result.line, kind="iframe", resource=kview.resource
        )
    result = kviews.render(kview.template, context)
    return Card(
        kview.name, html=result.html, error=result.error, line=result.line, resource=kview.resource
    )


def in_view(resource, ident):
    """`resource` in a KView's context: what the agent has in view, for URL templates."""
    return {"type": resource, "id": str(ident)}


def _render_for_customer(org, customer, context_name):
    views = list(
        KView.objects.filter(org=org, context=context_name, active=True).order_by("position", "id")
    )
    if not views:
        return []
    person = Node("customer", customer_context(customer))
    base = {"customer": person}
    names = {v.resource[len("kobject.") :] for v in views if v.resource.startswith("kobject.")}
    klasses = {k.name: k for k in Klass.objects.filter(org=org, name__in=names)}
    objects = {}
    for name, klass in klasses.items():
        objects[name] = [
            Node(f"kobject.{name}", object_context(o))
            for o in KObject.objects.filter(org=org, customer=customer, klass=klass).order_by(
                "-created_at", "-id"
            )[:OBJECTS_PER_CARD]
        ]
    prefetch_related(org, views, [person, *(o for items in objects.values() for o in items)])
    cards = []
    for view in views:
        if view.resource == "customer":
            context = {**base, "resource": in_view("customer", customer.pk)}
        elif view.resource.startswith("kobject."):
            name = view.resource[len("kobject.") :]
            klass = klasses.get(name)
            if klass is None:
                continue
            items = objects.get(name, [])
            context = {
                **base,
                "klass": klass_context(klass),
                "objects": items,
                "object": items[0] if items else None,
                "resource": in_view("customer", customer.pk),
            }
        else:
            continue  # conversation KViews render with the conversation in view
        cards.append(render_kview(view, context))
    return cards


def prefetch_related(org, views, roots):
    """Load what the views' `related(...)` calls reach from `roots`, before any renders."""
    sources = [v.url_template if v.kind == KView.Kind.IFRAME else v.template for v in views]
    names = kview_related.related_names(kviews.environment(), sources)
    if names:
        kview_related.prefetch(org, roots, names)


def insight_cards(*, org, customer):
    return _render_for_customer(org, customer, KView.Context.INSIGHT_CARD)


def details_cards(*, org, customer):
    return _render_for_customer(org, customer, KView.Context.INSIGHT_DETAILS)


def timeline_view(*, org, customer, klass_name, snapshot, event=None):
    """The timeline-context KViews of one KObject entry (its event snapshot), or []."""
    views = list(
        KView.objects.filter(
            org=org, context=KView.Context.TIMELINE, active=True, resource=f"kobject.{klass_name}"
        ).order_by("position", "id")
    )
    if not views:
        return []
    klass = Klass.objects.filter(org=org, name=klass_name).first()
    person = Node("customer", customer_context(customer))
    obj = Node(f"kobject.{klass_name}", object_context(snapshot or {"attributes": {}}))
    prefetch_related(org, views, [person, obj])
    context = {
        "customer": person,
        "object": obj,
        "klass": klass_context(klass) if klass else {"name": klass_name},
        "event": event or {},
        "resource": in_view(f"kobject.{klass_name}", obj.get("id") or ""),
    }
    return [render_kview(v, context) for v in views]


def _views(org, resource, contexts):
    return list(
        KView.objects.filter(
            org=org, resource=resource, context__in=contexts, active=True
        ).order_by("position", "id")
    )


def conversation_cards(*, org, customer, conversation_id):
    """The conversation-context KViews (insight-card and insight-details KViews whose resource
    is `conversation`) for the conversation in view, or []."""
    views = _views(org, "conversation", [KView.Context.INSIGHT_CARD, KView.Context.INSIGHT_DETAILS])
    if not views or not conversation_id:
        return []
    from conversations.models import Conversation

    conversation = Conversation.objects.filter(
        org=org, customer=customer, pk=conversation_id
    ).first()
    if conversation is None:
        return []
    person = Node("customer", customer_context(customer))
    conv = Node("conversation", kview_related.conversation_context(conversation))
    prefetch_related(org, views, [person, conv])
    context = {
        "customer": person,
        "conversation": conv,
        "resource": in_view("conversation", conversation.pk),
    }
    return [render_kview(v, context) for v in views]


def object_cards(*, org, customer, klass_name, object_id):
    """The KObject-context KViews (insight-details of the object's Klass) for the KObject in
    view: `object` is that object as it is now. [] when it no longer exists."""
    views = _views(org, f"kobject.{klass_name}", [KView.Context.INSIGHT_DETAILS])
    if not views:
        return []
    found = (
        KObject.objects.filter(org=org, klass__name=klass_name, pk=object_id)
        .select_related("klass")
        .first()
    )
    if found is None:
        return []
    person = Node("customer", customer_context(customer))
    obj = Node(f"kobject.{klass_name}", object_context(found))
    prefetch_related(org, views, [person, obj])
    context = {
        "customer": person,
        "object": obj,
        "objects": [obj],
        "klass": klass_context(found.klass),
        "resource": in_view(f"kobject.{klass_name}", found.pk),
    }
    return [render_kview(v, context) for v in views]
