"""Demo Klasses `order` and `subscription`, customer attributes, and a few thousand KObjects."""

import random
from datetime import timedelta

from django.utils import timezone

from kdesk import resources
from kdesk.events import emit_many
from klasses import services
from klasses.models import Klass, KObject, Metadata
from klasses.representations import kobject_resource

ORDER_PROPERTIES = {
    "orderNumberStr": {"displayName": "Order number", "required": True, "icon": "hash"},
    "totalNum": {"displayName": "Total", "min": 0},
    "currencyStr": {"displayName": "Currency", "enum": ["USD", "EUR", "GBP"], "default": "USD"},
    "statusStr": {
        "displayName": "Status",
        "enum": ["placed", "paid", "shipped", "delivered", "returned"],
    },
    "placedAt": {"displayName": "Placed"},
    "itemsObj": {"displayName": "Items"},
    "trackingUrl": {"displayName": "Tracking"},
}
SUBSCRIPTION_PROPERTIES = {
    "planTree": {
        "displayName": "Plan",
        "tree": {
            "nodes": [
                {
                    "id": "basic",
                    "displayName": "Basic",
                    "children": [
                        {"id": "monthly", "displayName": "Monthly"},
                        {"id": "yearly", "displayName": "Yearly"},
                    ],
                },
                {
                    "id": "pro",
                    "displayName": "Pro",
                    "children": [
                        {"id": "monthly", "displayName": "Monthly"},
                        {"id": "yearly", "displayName": "Yearly"},
                    ],
                },
            ],
            "lastNodeRequired": True,
        },
    },
    "renewsAt": {"displayName": "Renews"},
    "activeBool": {"displayName": "Active"},
}
CUSTOMER_PROPERTIES = {
    "tierStr": {"displayName": "Tier", "enum": ["bronze", "silver", "gold", "platinum"]},
    "lifetimeValueNum": {"displayName": "Lifetime value", "min": 0, "currency": "USD"},
    "vipBool": {"displayName": "VIP"},
}
CONVERSATION_PROPERTIES = {
    "resolutionStr": {
        "displayName": "Resolution",
        "enum": ["answered", "refunded", "replaced", "no-action"],
    }
}
PRODUCTS = [
    ("Trail Runner 2", 129.0),
    ("Merino Base Layer", 79.0),
    ("Summit Jacket", 249.0),
    ("Daypack 22L", 89.0),
    ("Camp Mug", 18.0),
    ("Headlamp Pro", 45.0),
    ("Wool Socks (3)", 29.0),
]


def _define(org, resource, properties):
    meta = Metadata.objects.filter(org=org, resource=resource).first()
    # Attributes first seen in data were recorded with a plain definition: refine those.
    if meta and all(
        meta.properties.get(name, {}).get("displayName") == props.get("displayName")
        for name, props in properties.items()
    ):
        return
    services.metadata_update(
        org=org, actor=None, resource=resource, data={"properties": properties}, force=True
    )


def _klass(org, name, display_name, icon, color):
    klass = Klass.objects.filter(org=org, name=name).first()
    if klass is None:
        klass = services.klass_create(
            org=org,
            actor=None,
            data={"name": name, "displayName": display_name, "icon": icon, "color": color},
        )
    return klass


def seed(org, people):
    for resource, props in (
        ("customer", CUSTOMER_PROPERTIES),
        ("conversation", CONVERSATION_PROPERTIES),
    ):
        _define(org, resource, props)
    order = _klass(org, "order", "Order", "shopping-bag", "#7c3aed")
    subscription = _klass(org, "subscription", "Subscription", "repeat", "#0f766e")
    _define(org, "kobject.order", ORDER_PROPERTIES)
    _define(org, "kobject.subscription", SUBSCRIPTION_PROPERTIES)
    if KObject.objects.filter(org=org).exists():
        return
    Customer = resources.get("customer").get_model()
    rng = random.Random(7)
    now = timezone.now()
    objects = []
    for customer in Customer.objects.filter(org=org).order_by("id"):
        for n in range(rng.randint(5, 18)):
            placed = now - timedelta(days=rng.uniform(0, 120), minutes=rng.randint(0, 600))
            product, price = rng.choice(PRODUCTS)
            qty = rng.randint(1, 3)
            number = f"DO-{customer.pk:04d}{n:02d}"
            status = rng.choice(["placed", "paid", "shipped", "shipped", "delivered", "returned"])
            data = {
                "orderNumberStr": number,
                "totalNum": round(price * qty * rng.choice([1, 1, 0.9]), 2),
                "currencyStr": rng.choice(["USD", "USD", "EUR", "GBP"]),
                "statusStr": status,
                "placedAt": placed.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "itemsObj": {"product": product, "qty": qty},
            }
            if status in ("shipped", "delivered"):
                data["trackingUrl"] = f"https://track.example.com/{number}"
            objects.append(
                KObject(
                    org=org,
                    klass=order,
                    customer=customer,
                    external_id=number,
                    title=f"Order {number} · {product}",
                    data=data,
                    created_at=placed,
                    updated_at=placed,
                )
            )
        if rng.random() < 0.6:
            started = now - timedelta(days=rng.uniform(30, 300))
            plan = f"{rng.choice(['basic', 'pro'])}.{rng.choice(['monthly', 'yearly'])}"
            objects.append(
                KObject(
                    org=org,
                    klass=subscription,
                    customer=customer,
                    external_id=f"SUB-{customer.pk:05d}",
                    title=f"{plan.split('.')[0].title()} plan",
                    data={
                        "planTree": plan,
                        "renewsAt": (now + timedelta(days=rng.randint(3, 330)))
                        .isoformat(timespec="milliseconds")
                        .replace("+00:00", "Z"),
                        "activeBool": rng.random() < 0.85,
                    },
                    created_at=started,
                    updated_at=started,
                )
            )
    objects.sort(key=lambda o: o.created_at)
    KObject.objects.bulk_create(objects, batch_size=1000)
    names = {order.pk: "order", subscription.pk: "subscription"}
    emit_many(
        org=org,
        events=[
            {
                "type": f"kobject.{names[o.klass_id]}.create",
                "resource": f"kobject.{names[o.klass_id]}",
                "resource_id": o.pk,
                "customer_id": o.customer_id,
                "rev": 1,
                "data": kobject_resource(o, names[o.klass_id]),
                "at": o.created_at,
            }
            for o in objects
        ],
    )
    # A few orders moved on after they were placed: their updates show before → after.
    shipped = [o for o in objects if o.klass_id == order.pk and o.data["statusStr"] == "delivered"]
    events = []
    for o in shipped[:300]:
        before = dict(o.data)
        o.data = {**o.data, "statusStr": "delivered"}
        later = o.created_at + timedelta(days=rng.randint(2, 6))
        if later > now:
            continue
        before["statusStr"] = "shipped"
        o.rev = 2
        o.updated_at = later
        events.append(
            {
                "type": "kobject.order.update",
                "resource": "kobject.order",
                "resource_id": o.pk,
                "customer_id": o.customer_id,
                "rev": 2,
                "data": kobject_resource(o, "order"),
                "changes": {"data.statusStr": {"before": "shipped", "after": "delivered"}},
                "at": later,
            }
        )
    KObject.objects.bulk_update(shipped[:300], ["rev", "updated_at"], batch_size=500)
    emit_many(org=org, events=events)
