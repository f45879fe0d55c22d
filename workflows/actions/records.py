"""Customer and KObject actions."""

from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.representations import customer_resource
from kdesk.errors import ServiceError
from klasses import services as klass_services
from klasses.representations import kobject_resource
from workflows.actions import Action, StepFailed, body, need, record_id, register, service_error

CUSTOMER_KEYS = ("externalId", "email", "phone")


def _customer_output(customer, created=None):
    out = customer_resource(customer)
    if created is not None:
        out["created"] = created
    return out


def _find_customer(org, params):
    """The existing customer (its `.values()` row) matched by externalId, then email, then
    phone; None when none matches."""
    if params.get("externalId"):
        found = customer_selectors.customer_by_external_id(
            org=org, external_id=str(params["externalId"])
        )
        if found:
            return found
    if params.get("email"):
        found = customer_selectors.customer_by_email(org=org, email=str(params["email"]))
        if found:
            return found
    if params.get("phone"):
        found = customer_selectors.customer_by_phone(org=org, phone=str(params["phone"]))
        if found:
            return found
    return None


def customer_upsert(ctx, params):
    if not any(params.get(k) not in (None, "") for k in CUSTOMER_KEYS):
        raise StepFailed(
            "customer.upsert finds the customer by email, phone or externalId: none had a value."
        )
    rest = body(params, drop=("email", "phone"))
    found = _find_customer(ctx.org, params)
    try:
        if found is not None:
            extra = {k: v for k, v in rest.items() if k != "externalId" or not found["external_id"]}
            current = customer_resource(found)["attributes"]
            if not any(current.get(k) != v for k, v in extra.items()):
                # a returning customer with nothing new: the row found is the output, and no
                # empty update event is made
                return _customer_output(found, created=False)
            customer = customer_selectors.customer_get(org=ctx.org, pk=found["id"])
            customer = customer_services.customer_update(
                org=ctx.org, actor=ctx.actor, customer=customer, data=extra
            )
            return _customer_output(customer, created=False)
        data = dict(rest)
        if params.get("email"):
            data["emails"] = [{"type": "other", "email": str(params["email"])}]
        if params.get("phone"):
            data["phones"] = [{"type": "other", "phone": str(params["phone"])}]
        customer = customer_services.customer_create(org=ctx.org, actor=ctx.actor, data=data)
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return _customer_output(customer, created=True)


def customer_update(ctx, params):
    pk = record_id(params, "id")
    try:
        customer = customer_selectors.customer_get(org=ctx.org, pk=pk)
        customer = customer_services.customer_update(
            org=ctx.org, actor=ctx.actor, customer=customer, data=body(params, drop=("id",))
        )
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return _customer_output(customer)


def _klass(ctx, params):
    """The Klass named by the params, read once per drain batch (ctx.memo)."""
    need(params, "klass")
    name = str(params["klass"])
    klass = ctx.memo.get(("klass", name))
    if klass is None:
        try:
            klass = klass_services.klass_get(org=ctx.org, name=name)
        except ServiceError as exc:
            raise StepFailed(service_error(exc)) from None
        ctx.memo[("klass", name)] = klass
    return klass


def kobject_upsert(ctx, params):
    klass = _klass(ctx, params)
    need(params, "externalId")
    try:
        obj, created = klass_services.kobject_upsert(
            org=ctx.org,
            actor=ctx.actor,
            klass=klass,
            external_id=str(params["externalId"]),
            data=body(params, drop=("klass",)),
        )
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return {**kobject_resource(obj, klass.name), "created": created}


def kobject_update(ctx, params):
    klass = _klass(ctx, params)
    pk = record_id(params, "id")
    try:
        obj = klass_services.kobject_get(org=ctx.org, klass=klass, pk=pk)
        obj = klass_services.kobject_update(
            org=ctx.org,
            actor=ctx.actor,
            klass=klass,
            kobject=obj,
            data=body(params, drop=("klass", "id")),
        )
    except ServiceError as exc:
        raise StepFailed(service_error(exc)) from None
    return kobject_resource(obj, klass.name)


register(
    Action(
        "customer.upsert",
        "Find or create a customer",
        customer_upsert,
        optional=("email", "phone", "externalId", "name", "custom"),
        open_params=True,
        own_transaction=True,
        help="Finds the customer by externalId, email or phone; creates one when none matches. "
        "Other params (name, custom, …) are set on it.",
    )
)
register(
    Action(
        "customer.update",
        "Update a customer",
        customer_update,
        required=("id",),
        optional=("name", "custom"),
        open_params=True,
        own_transaction=True,
    )
)
register(
    Action(
        "kobject.upsert",
        "Create or update a custom object by externalId",
        kobject_upsert,
        required=("klass", "externalId"),
        optional=("title", "customer", "data", "custom", "description"),
        open_params=True,
        own_transaction=True,
    )
)
register(
    Action(
        "kobject.update",
        "Update a custom object",
        kobject_update,
        required=("klass", "id"),
        optional=("title", "data", "custom"),
        open_params=True,
        own_transaction=True,
    )
)
