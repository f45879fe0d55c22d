"""Typed readers for environment variables.

Each reader raises ImproperlyConfigured naming the variable, so a bad deployment fails at start
instead of at the first request that touches the value.
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name, default=None, *, required=False):
    value = os.environ.get(name)
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"The environment variable {name} must be set.")
        return default
    return value


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"The environment variable {name} must be a boolean (true/false/1/0), got {raw!r}."
    )


def env_int(name, default, *, minimum=None):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be an integer, got {raw!r}."
        ) from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be at least {minimum}, got {value}."
        )
    return value


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name, default, choices):
    value = env_str(name, default)
    if value not in choices:
        raise ImproperlyConfigured(
            f"The environment variable {name} must be one of {', '.join(choices)}, got {value!r}."
        )
    return value
