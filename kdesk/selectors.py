import bisect
import threading
from datetime import timedelta

from django.db import connection
from django.db.models import Q

from kdesk import sharedcache
from kdesk.models import Event, Team, User

EVENT_FIELDS = (
    "id",
    "type",
    "resource",
    "resource_id",
    "customer_id",
    "actor_id",
    "rev",
    "data",
    "changes",
    "created_at",
)

# The scope (`org.permission.<scope>.read`) that reading each kind of event needs: an event
# carries a snapshot of its resource. Resources not listed (API keys) are for admins only.
EVENT_SCOPES = {
    "customer": "customer",
    "company": "company",
    "conversation": "conversation",
    "message": "message",
    "note": "note",
    "klass": "klass",
    "metadata": "metadata",
    "relationship": "klass",
    "validation_rule": "validation",
    "kview": "kview",
    "tag": "tag",
    "shortcut": "shortcut",
    "user": "user",
    "team": "team",
    "outbound_webhook": "outbound_webhook",
}
KOBJECT_SCOPE = "kobject"  # resource "kobject.<klass>"


def events_after(*, org, after=0, types=(), limit=100, viewer=None, scopes=None):
    """The change feed: events after the cursor id, oldest first.

    `scopes`: the set of resources (`EVENT_SCOPES` values, "kobject") the reader may read, or
    None for every kind. Only events below `feed_horizon()` are served: see there.
    """
    qs = Event.objects.filter(org=org, id__gt=after)
    horizon = feed_horizon()
    if horizon is not None:
        if horizon <= after:
            return []
        qs = qs.filter(id__lte=horizon)
    # A private shortcut is its owner's alone, in the feed as in its own list.
    private = Q(type__startswith="shortcut.", data__attributes__visibility="private")
    if viewer is not None:
        private &= ~Q(data__relationships__owner__data__id=str(viewer.pk))
    qs = qs.exclude(private)
    if scopes is not None:
        readable = Q(resource__in=sorted(r for r, s in EVENT_SCOPES.items() if s in scopes))
        if KOBJECT_SCOPE in scopes:
            readable |= Q(resource=KOBJECT_SCOPE) | Q(resource__startswith="kobject.")
        qs = qs.filter(readable)
    if types:
        cond = Q()
        for t in types:
            cond |= Q(type__startswith=t[:-1]) if t.endswith("*") else Q(type=t)
        qs = qs.filter(cond)
    return list(qs.order_by("id").values(*EVENT_FIELDS)[:limit])


def people(*, org):
    return User.objects.filter(org=org, is_active=True, is_machine=False).order_by("display_name")


def teams(*, org):
    return Team.objects.filter(org=org).order_by("name")


# ---- the feed's horizon ------------------------------------------------------------------------
#
# Event ids come from a sequence when the row is inserted, not when its transaction commits: a
# slow transaction can commit event 41 after a reader has already seen 42 and moved its cursor
# past 41 for good. So the feed serves only ids that no transaction still in flight can hold.
#
# PostgreSQL: a transaction's event ids are drawn after it began. Each read takes a sample
# (time, last id drawn) of the sequence, then looks at the transactions in flight in this
# database (pg_stat_activity). With none, every id drawn so far is committed or rolled back, and
# all of them may be served. Otherwise only ids up to the newest sample taken before the oldest
# of those transactions began may be: later ids might still be joined by one of its own. Samples
# are shared through the cache, so the horizon trails the newest id by about the length of the
# oldest transaction in flight — it never skips one. A transaction in flight for longer than
# FEED_MAX_HOLD (a stuck connection) stops holding the feed back.
#
# SQLite has one writer at a time (BEGIN IMMEDIATE), so ids are committed in order: no horizon.

FEED_MAX_HOLD = timedelta(minutes=10)
SAMPLE_SPACING = 0.2  # seconds between remembered samples
SAMPLE_CAP = 64  # older samples are thinned out, so their span grows with use
_SAMPLES_KEY = "events:feed-horizon-samples"
_sequence = {}
_local_samples = {}
_lock = threading.Lock()


def _sequence_name():
    if "name" not in _sequence:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [Event._meta.db_table])
            _sequence["name"] = cursor.fetchone()[0]
    return _sequence["name"]


def _remember(samples, at, last):
    if samples and at - samples[-1][0] < SAMPLE_SPACING:
        return None
    samples = [*samples, (at, last)]
    if len(samples) > SAMPLE_CAP:
        half = len(samples) // 2
        samples = samples[:half:2] + samples[half:]
    return samples


def feed_horizon():
    """The highest event id the change feed may serve now, or None for no limit."""
    if connection.vendor != "postgresql":
        return None
    sequence = _sequence_name()
    with connection.cursor() as cursor:
        # the last id drawn, then the clock: every id up to `last` was drawn before `at`
        cursor.execute(
            "WITH s AS MATERIALIZED (SELECT pg_sequence_last_value(%s::regclass) AS last) "
            "SELECT s.last, extract(epoch FROM clock_timestamp()) FROM s",
            [sequence],
        )
        last, at = cursor.fetchone()
        last, at = last or 0, float(at)
        if connection.in_atomic_block:
            cursor.execute("SELECT pg_stat_clear_snapshot()")  # read pg_stat_activity afresh
        # any transaction of another backend, even one that has written nothing yet: the id
        # can be drawn before the row (and the transaction id) exists
        cursor.execute(
            "SELECT extract(epoch FROM min(xact_start)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() "
            "AND xact_start IS NOT NULL AND xact_start > clock_timestamp() - %s",
            [FEED_MAX_HOLD],
        )
        (oldest,) = cursor.fetchone()
    with _lock:
        try:
            shared = sharedcache.get(_SAMPLES_KEY)
        except sharedcache.Unavailable:  # Redis away: this process's own samples
            shared = _local_samples.get("samples")
        samples = [tuple(s) for s in shared or ()]
        remembered = _remember(samples, at, last)
        if remembered is not None:
            _local_samples["samples"] = remembered
            sharedcache.set_quietly(
                _SAMPLES_KEY, remembered, int(FEED_MAX_HOLD.total_seconds()) * 2
            )
    if oldest is None:
        return last
    candidates = sorted([*samples, (at, last)])
    index = bisect.bisect_left(candidates, (float(oldest),)) - 1
    return candidates[index][1] if index >= 0 else 0
