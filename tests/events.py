"""Asserting the events an action emitted.

    with assert_events(["customer.update"]):
        services.customer_update(...)

checks the types (in order) of the events recorded inside the block; `emitted_since(mark)`
returns them for finer checks (`mark = last_event_id()` before the action).
"""

from contextlib import contextmanager

from kdesk.models import Event


def last_event_id():
    return Event.objects.order_by("-id").values_list("id", flat=True).first() or 0


def emitted_since(mark=0, *, org=None, resource=None, fields=("type",)):
    """The events recorded after event id `mark` (all of them: 0), oldest first, of one `org`
    or `resource` when given: a list of types (one field) or of tuples (several)."""
    qs = Event.objects.filter(id__gt=mark)
    if org is not None:
        qs = qs.filter(org=org)
    if resource is not None:
        qs = qs.filter(resource=resource)
    qs = qs.order_by("id")
    if len(fields) == 1:
        return list(qs.values_list(fields[0], flat=True))
    return list(qs.values_list(*fields))


class Emitted(list):
    """What the block emitted, filled in when it ends (the types, or tuples of `fields`)."""


@contextmanager
def assert_events(expected=None, *, org=None, resource=None, fields=("type",)):
    """Assert the block emitted exactly `expected` (in order); `None` only records them, in the
    yielded list, for the test to check."""
    mark = last_event_id()
    emitted = Emitted()
    yield emitted
    emitted.extend(emitted_since(mark, org=org, resource=resource, fields=fields))
    if expected is not None:
        assert list(emitted) == list(expected), f"emitted {list(emitted)}, expected {expected}"
