"""The data a KView sees, read-only.

One context (the customer, their objects, the Klass) is shared by every card of a page, so a
template that could change it (`customer.pop('name')`, `objects.clear()`) would change what the
next card shows. `read_only(value)` hands templates copies that refuse every change: mappings
and lists whose mutating methods raise, which the sandbox also refuses to hand out
(`LimitedEnvironment.is_safe_attribute`), so an attempt fails that card's render and nothing
else. Lists and dicts a template builds itself stay its own to change.
"""


def _refuse(self, *args, **kwargs):
    raise TypeError("KView data is read-only")


class ReadOnlyDict(dict):
    __slots__ = ()
    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self):  # copies are plain dicts: the copy is the caller's to change
        return dict, (dict(self),)


class ReadOnlyList(list):
    __slots__ = ()
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _refuse
    append = clear = extend = insert = pop = remove = reverse = sort = _refuse

    def __reduce__(self):
        return list, (list(self),)


READ_ONLY = (ReadOnlyDict, ReadOnlyList)
MUTATORS = frozenset(
    {"append", "clear", "extend", "insert", "pop", "popitem", "remove", "reverse", "setdefault"}
    | {"sort", "update", "add", "discard", "difference_update", "intersection_update"}
    | {"symmetric_difference_update"}
)


def read_only(value):
    """`value` with every dict, list, tuple and set in it made read-only (a deep copy of the
    containers; values already read-only are shared as they are)."""
    if isinstance(value, READ_ONLY):
        return value
    if isinstance(value, dict):
        return ReadOnlyDict((k, read_only(v)) for k, v in value.items())
    if isinstance(value, list):
        return ReadOnlyList(read_only(v) for v in value)
    if isinstance(value, tuple):
        return tuple(read_only(v) for v in value)
    if isinstance(value, set | frozenset):
        return frozenset(read_only(v) for v in value)
    return value


def mutates(obj, attribute):
    """Whether `obj.attribute` would change data the template was given."""
    return isinstance(obj, READ_ONLY) and attribute in MUTATORS
