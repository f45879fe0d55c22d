"""The NUL character (U+0000): PostgreSQL cannot store it in text or jsonb, so a value holding
one must be refused where it enters (with the field it came in), never reach a query and fail
there as a 500. SQLite would store it, so the refusal does not depend on the database."""

NUL = "\x00"


def nul_detail(label):
    return (
        f"{label} contains an invisible NUL character (\\u0000), which cannot be saved or "
        "searched for. Remove it and try again."
    )


def _escape(key):
    # RFC 6901: "~" and "/" inside a key are escaped in a JSON pointer.
    return str(key).replace("~", "~0").replace("/", "~1")


def nul_pointers(data, pointer=""):
    """JSON pointers of every string (or object key) in `data` that holds a NUL, in document
    order. A NUL inside a key points at the object holding it. Walks without recursion."""
    found = []
    stack = [(pointer, data)]
    while stack:
        where, value = stack.pop()
        if isinstance(value, str):
            if NUL in value:
                found.append(where)
        elif isinstance(value, dict):
            if any(isinstance(k, str) and NUL in k for k in value):
                found.append(where)
            stack.extend((f"{where}/{_escape(k)}", v) for k, v in reversed(list(value.items())))
        elif isinstance(value, list):
            stack.extend((f"{where}/{i}", v) for i, v in reversed(list(enumerate(value))))
    return found


def nul_parameters(querydict):
    """Names of the query-string (or form) parameters whose name or any value holds a NUL."""
    names = []
    for name, values in querydict.lists():
        if NUL in name or any(NUL in v for v in values):
            names.append(name.replace(NUL, "\\u0000"))
    return names
