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


# What str.strip() removes (the characters str.isspace() calls whitespace): the services strip
# the texts they are sent, so a text of these alone is blank to them. The document names them
# one by one because `\s` in a JSON Schema pattern is ECMA-262's set, another one: it has U+FEFF
# and lacks U+001C..U+001F and U+0085 (tests/kdesk/test_text_whitespace.py checks these against Python).
WHITESPACE_RANGES = (
    (0x09, 0x0D),
    (0x1C, 0x20),
    (0x85, 0x85),
    (0xA0, 0xA0),
    (0x1680, 0x1680),
    (0x2000, 0x200A),
    (0x2028, 0x2029),
    (0x202F, 0x202F),
    (0x205F, 0x205F),
    (0x3000, 0x3000),
)
_WHITESPACE_CLASS = "".join(
    f"\\u{low:04x}" if low == high else f"\\u{low:04x}-\\u{high:04x}"
    for low, high in WHITESPACE_RANGES
)
# For patterns in the document, read alike by ECMA-262, Python's re and Rust's regex.
SPACE_PATTERN = f"[{_WHITESPACE_CLASS}]"
NOT_BLANK_PATTERN = f"[^{_WHITESPACE_CLASS}]"
