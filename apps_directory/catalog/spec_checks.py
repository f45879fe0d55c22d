"""What a kind's check says about one manifest table, in the words every kind uses."""


def unknown_keys(spec, allowed):
    return [f"unknown key '{k}'." for k in spec if k not in allowed]


def text(spec, key, *, required=True):
    value = spec.get(key)
    if value is None:
        return [f"'{key}' is required."] if required else []
    return [] if isinstance(value, str) and value.strip() else [f"'{key}' is text."]
