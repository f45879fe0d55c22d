"""What the engine reports: `Error` for callers, `Invalid`/`Invalids` between its own parts."""

from typing import NamedTuple


class Error(NamedTuple):
    """One problem, located by a JSON pointer (`/custom/tagsStr/2`)."""

    pointer: str
    code: str
    detail: str


class UnknownAttributeType(ValueError):
    pass


class Invalid(Exception):  # noqa: N818  (control flow inside the engine, never escapes it)
    """One problem with a value. `at` is the pointer below the attribute (`/sku`, `/2`), so the
    attribute's own pointer is only built once something is actually wrong."""

    __slots__ = ("code", "detail", "at")

    def __init__(self, code, detail, at=""):
        self.code = code
        self.detail = detail
        self.at = at

    def items(self):
        return [(self.at, self.code, self.detail)]


class Invalids(Exception):  # noqa: N818
    """Several problems inside one value (array items, Obj properties): `[(at, code, detail)]`."""

    __slots__ = ("found",)

    def __init__(self, found):
        self.found = found

    def items(self):
        return self.found


def escape_pointer(token):
    """RFC 6901: `~` and `/` in a key would otherwise change what the pointer points at."""
    token = str(token)
    if "~" in token or "/" in token:
        return token.replace("~", "~0").replace("/", "~1")
    return token
