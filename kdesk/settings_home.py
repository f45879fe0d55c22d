"""What the settings home page shows from the apps: each app that has something there
registers a provider from its `AppConfig.ready()`, so the core's page names no app.

    settings_home.provide(fn)   # fn(org) -> {template variable: value}
"""

_providers = []


def provide(fn):
    """Register `fn(org) -> dict` (usable as a decorator); registering twice is a no-op."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def context(org):
    """Every provider's variables, in registration (app) order."""
    out = {}
    for fn in _providers:
        out.update(fn(org))
    return out
