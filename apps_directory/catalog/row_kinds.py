"""The writes of a feature kind whose feature is one row of its owner's model (a KView, an
inbound hook, an outbound webhook, a workflow): found by id within the org, written only through
the owner's create, update and delete services, and switched on and off by one boolean field.

The shape is written here once; each kind states only what differs: its model, the keyword its
owner's services take the row by, the body a manifest table becomes, and its on/off field.
"""


def finder(model):
    """find(org, object_id) -> the org's row, or None when it is gone."""

    def find(org, object_id):
        return model.objects.filter(org=org, pk=object_id).first()

    return find


def toggles(find, update, delete, *, flag, param):
    """turn_on, turn_off and remove (apps_directory.catalog.kinds.Kind) of a kind whose owner's
    update service takes the row as `param` and `{flag: value}` as its data."""

    def switch(org, actor, object_id, value):
        row = find(org, object_id)
        if row is None:
            return False  # gone: nothing of it was on
        was = getattr(row, flag)
        update(org=org, actor=actor, **{param: row}, data={flag: value})
        return was

    def turn_on(org, actor, object_id):
        return switch(org, actor, object_id, True)

    def turn_off(org, actor, object_id):
        return switch(org, actor, object_id, False)

    def remove(org, actor, object_id):
        row = find(org, object_id)
        if row is not None:
            delete(org=org, actor=actor, **{param: row})
        return "deleted"

    return {"turn_on": turn_on, "turn_off": turn_off, "remove": remove}


def row_kind(*, model, param, create, update, delete, flag, body, create_body=None):
    """Every write of a kind of this shape, as the keyword arguments Kind takes for them.

    create(org=, actor=, data=) and update(org=, actor=, <param>=, data=) return the row (it
    has a `name`); body(spec, ctx) is what the manifest table is sent as (create_body(spec, ctx)
    on a create, where that differs)."""
    find = finder(model)

    def create_row(org, actor, spec, ctx):
        row = create(org=org, actor=actor, data=(create_body or body)(spec, ctx))
        return str(row.pk), row.name

    def update_row(org, actor, object_id, spec, ctx):
        row = find(org, object_id)
        if row is None:
            return None
        return update(org=org, actor=actor, **{param: row}, data=body(spec, ctx)).name

    return {
        "create": create_row,
        "update": update_row,
        **toggles(find, update, delete, flag=flag, param=param),
    }
