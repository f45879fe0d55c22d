"""Linked objects in KView templates: `object.related("shipments")`, `customer.related("order")`.

A template never queries. Before a batch of KViews renders, `prefetch` reads the relation names
its templates call `related` with, and loads what each name reaches from every object in the
batch: up to three queries per kind of object and hop for all names together
(klasses.selectors.related_refs), then one per kind of object found, whatever the number of
objects or names, at most RELATED_LIMIT objects
per relation and object, and MAX_DEPTH hops (an order's shipments' carriers). A name nothing
prefetched, or one a template builds at render time, gives an empty list.
"""

from functools import lru_cache

from jinja2 import nodes

from klasses import selectors
from klasses.kviews.nesting import check_tokens, check_tree
from klasses.kviews.readonly import ReadOnlyDict, read_only

RELATED_LIMIT = 20
MAX_DEPTH = 3
MAX_NAMES = 10


class Node(ReadOnlyDict):
    """A template object (a read-only dict, as before) that can reach its linked objects."""

    __slots__ = ("resource", "_related")

    def __init__(self, resource, values):
        super().__init__(read_only(values))
        self.resource = resource
        self._related = {}

    def related(self, name):
        return list(self._related.get(str(name), ()))


def related_names(env, sources):
    """The constant names templates pass to `.related(...)`, at most MAX_NAMES."""
    names = [name for source in sources for name in _names_in(env, source or "")]
    return list(dict.fromkeys(names))[:MAX_NAMES]


@lru_cache(maxsize=256)
def _names_in(env, source):
    """Parsed once per source and process, as templates are compiled once (klasses.kviews.engine._compile)."""
    if "related" not in source:
        return ()
    try:
        check_tokens(env, source)  # nested past the limits: walking it would recurse too deep
        tree = env.parse(source)
        check_tree(tree)
    except Exception:  # noqa: BLE001  (a broken template renders its own error)
        return ()
    found = []
    for call in tree.find_all(nodes.Call):
        target = call.node
        if (
            isinstance(target, nodes.Getattr)
            and target.attr == "related"
            and call.args
            and isinstance(call.args[0], nodes.Const)
            and isinstance(call.args[0].value, str)
        ):
            found.append(call.args[0].value)
    return tuple(found)


def _load(org, refs):
    """{(resource, id): Node} for the referenced objects of this org: one query per kind."""
    from conversations.models import Conversation
    from customers.models import Company, Customer
    from klasses.models import KObject
    from timeline.cards import customer_context, object_context

    by_kind = {}
    for resource, ident in refs:
        if str(ident).isdigit():
            by_kind.setdefault(resource, set()).add(int(ident))
    out = {}
    objects = {r: ids for r, ids in by_kind.items() if r.startswith("kobject.")}
    if objects:
        ids = set().union(*objects.values())
        for obj in KObject.objects.filter(org=org, pk__in=ids).select_related("klass"):
            resource = f"kobject.{obj.klass.name}"
            if obj.pk in objects.get(resource, ()):
                out[(resource, str(obj.pk))] = Node(resource, object_context(obj))
    if by_kind.get("customer"):
        for customer in Customer.objects.filter(org=org, pk__in=by_kind["customer"]):
            out[("customer", str(customer.pk))] = Node("customer", customer_context(customer))
    if by_kind.get("company"):
        for company in Company.objects.filter(org=org, pk__in=by_kind["company"]):
            out[("company", str(company.pk))] = Node("company", company_context(company))
    if by_kind.get("conversation"):
        for conv in Conversation.objects.filter(org=org, pk__in=by_kind["conversation"]):
            out[("conversation", str(conv.pk))] = Node("conversation", conversation_context(conv))
    return out


def company_context(company):
    return {
        "id": str(company.pk),
        "name": company.name,
        "externalId": company.external_id or "",
        "domains": list(company.domains or []),
        "tags": list(company.tags or []),
        "custom": dict(company.custom or {}),
    }


def conversation_context(conversation):
    return {
        "id": str(conversation.pk),
        "name": conversation.name,
        "status": conversation.status,
        "priority": getattr(conversation, "priority", None),
        "tags": list(conversation.tags or []),
        "custom": dict(conversation.custom or {}),
        "channels": list(conversation.channels or []),
        "createdAt": conversation.created_at.isoformat() if conversation.created_at else "",
        "customerId": str(conversation.customer_id),
    }


def prefetch(org, roots, names, *, limit=RELATED_LIMIT, depth=MAX_DEPTH):
    """Fill every Node in `roots` (and the Nodes they reach, up to `depth` hops) with what
    `names` reach from it."""
    frontier = [n for n in roots if isinstance(n, Node) and n.get("id")]
    for _ in range(depth if names else 0):
        if not frontier:
            return
        by_kind = {}
        for node in frontier:
            by_kind.setdefault(node.resource, {}).setdefault(str(node["id"]), []).append(node)
        found = {}  # (resource, id) → {name: [refs]}
        for resource, members in by_kind.items():
            refs = selectors.related_refs(
                org=org, resource=resource, ids=list(members), names=names, limit=limit
            )
            for ident, per in refs.items():
                if per:
                    found[(resource, ident)] = per
        loaded = _load(org, {r for per in found.values() for items in per.values() for r in items})
        for (resource, ident), per in found.items():
            for node in by_kind[resource][ident]:
                for name, items in per.items():
                    node._related[name] = [loaded[r] for r in items if r in loaded]
        frontier = list(loaded.values())
