"""Demo KViews for the desk (orders, subscriptions, an iframe card served by kdesk itself) and the
validation rule "a resolution is required before a conversation is done".

Idempotent: each KView is made once by name, the rule once by (resource, attribute, status).
Runs after the klasses demo, which defines the `order` and `subscription` Klasses.
"""

from klasses import services
from klasses.models import Klass, KView, ValidationRule

RECENT_ORDERS = """\
{% if objects %}
<table>
  <thead><tr><th>Order</th><th>Status</th><th class="num">Total</th></tr></thead>
  <tbody>
  {% for o in objects[:6] %}
    <tr>
      <td><a href="{{ deeplink('https://admin.example.com/orders', email=customer.email, order=o.externalId) }}">{{ o.externalId }}</a><br><small>{{ o.data.itemsObj.product if o.data.itemsObj else o.title }} · {{ date(o.data.placedAt) }}</small></td>
      <td><span class="status status-{{ o.data.statusStr }}">{{ o.data.statusStr }}</span></td>
      <td class="num">{{ currency(o.data.totalNum, o.data.currencyStr or 'USD') }}</td>
    </tr>
  {% endfor %}
  </tbody>
</table>
<p><small>{{ objects|length }}{% if objects|length >= 20 %}+{% endif %} orders · latest {{ date(objects[0].data.placedAt) }}</small></p>
{% else %}
<p><small>No orders yet.</small></p>
{% endif %}
"""

ORDER_TIMELINE = """\
<dl>
  <dt>Order</dt><dd>{{ object.externalId }}</dd>
  {% if object.data.itemsObj %}<dt>Items</dt><dd>{{ object.data.itemsObj.qty }} × {{ object.data.itemsObj.product }}</dd>{% endif %}
  <dt>Total</dt><dd>{{ currency(object.data.totalNum, object.data.currencyStr or 'USD') }}</dd>
  <dt>Status</dt><dd>{{ object.data.statusStr }}</dd>
  <dt>Placed</dt><dd>{{ date(object.data.placedAt, 'long') }}</dd>
</dl>
<p>
  <a href="{{ deeplink('https://admin.example.com/orders', email=customer.email, order=object.externalId) }}">Open in order admin</a>
  {% if object.data.trackingUrl %} · <a href="{{ object.data.trackingUrl }}">Track parcel</a>{% endif %}
</p>
"""

SUBSCRIPTION_CARD = """\
{% if object %}
<p><strong>{{ object.title }}</strong>{% if object.data.activeBool %} · active{% else %} · <em>inactive</em>{% endif %}</p>
<p><small>Plan {{ object.data.planTree | replace('.', ' › ') }} · renews {{ date(object.data.renewsAt) }}</small></p>
<p><a href="{{ deeplink('https://admin.example.com/subscriptions', email=customer.email, id=object.externalId) }}">Manage subscription</a></p>
{% else %}
<p><small>No subscription.</small></p>
{% endif %}
"""

AT_A_GLANCE = """\
<p><small>{{ customer.name or 'This customer' }}{% if customer.custom.tierStr %} · {{ customer.custom.tierStr }} tier{% endif %}{% if customer.custom.vipBool %} · <strong>VIP</strong>{% endif %} · customer since {{ date(customer.createdAt) }}</small></p>
"""

KVIEWS = [
    {
        "name": "At a glance",
        "resource": "customer",
        "context": "insight-details",
        "kind": "template",
        "template": AT_A_GLANCE,
        "position": 0,
    },
    {
        "name": "Recent orders",
        "resource": "kobject.order",
        "context": "insight-card",
        "kind": "template",
        "template": RECENT_ORDERS,
        "position": 10,
    },
    {
        "name": "Subscription",
        "resource": "kobject.subscription",
        "context": "insight-card",
        "kind": "template",
        "template": SUBSCRIPTION_CARD,
        "position": 20,
    },
    {
        "name": "Loyalty (demo iframe)",
        "resource": "customer",
        "context": "insight-card",
        "kind": "iframe",
        "urlTemplate": "/desk/demo/loyalty/?customer={{ customer.id }}",
        "position": 30,
    },
    {
        "name": "Order details",
        "resource": "kobject.order",
        "context": "timeline",
        "kind": "template",
        "template": ORDER_TIMELINE,
        "position": 0,
    },
]

RULE = {
    "resource": "conversation",
    "attribute": "custom.resolutionStr",
    "when": "status",
    "status": "done",
    "message": "Pick a resolution before closing the conversation.",
}


def seed_kviews(org, actor=None):
    klasses = set(Klass.objects.filter(org=org).values_list("name", flat=True))
    existing = set(KView.objects.filter(org=org).values_list("name", "resource"))
    made = []
    for spec in KVIEWS:
        resource = spec["resource"]
        if resource.startswith("kobject.") and resource[len("kobject.") :] not in klasses:
            continue
        if (spec["name"], resource) in existing:
            continue
        made.append(services.kview_create(org=org, actor=actor, data=dict(spec)))
    return made


def seed_rule(org, actor=None):
    if ValidationRule.objects.filter(
        org=org, resource=RULE["resource"], attribute=RULE["attribute"], status=RULE["status"]
    ).exists():
        return None
    return services.rule_create(org=org, actor=actor, **RULE)


def seed(org, people):
    actor = (people or {}).get("ada")
    seed_kviews(org, actor)
    seed_rule(org, actor)
