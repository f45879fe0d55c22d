"""The event `changes` of an update, read before kdesk.updates.model_update writes it."""


def changes_of(instance, fields, names=None):
    """{API name: {before, after}} of the `fields` whose value differs from `instance`'s.
    `names` maps a model field to its API name (camelCase)."""
    return {
        (names or {}).get(name, name): {"before": getattr(instance, name), "after": value}
        for name, value in fields.items()
        if getattr(instance, name) != value
    }
