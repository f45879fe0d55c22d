"""Which live groups someone listens to right now, asked once per commit before anything is
rendered for them.

Most customers have nobody looking at their timeline at any moment, and an inbox or a bell with
no tab open is common too: rendering fragments, naming previous events and counting unread
notifications for a push that reaches nobody is most of what a commit's live push costs.

`listening(layer, groups)` answers in one round trip per Redis host (the deployments run one):
- the pub/sub Redis layer: PUBSUB NUMSUB over the groups' channel names, which counts the
  subscribed connections of every process (each server process subscribes once per group);
- the core Redis layer: one pipeline of ZCOUNT over the groups' sorted sets, counting only the
  members younger than the layer's group expiry (older ones are gone for group_send too);
- the in-memory layer: its own groups dict, same expiry rule.
Any other layer, or any error, answers None: the caller then sends to every group. A push is
never dropped because membership could not be read.

Why a tab that subscribes just after the check loses nothing: the events are committed before
the check, and a tab subscribes first and replays from the event log after its last known id
second (timeline.consumers._subscribe; the page hands it the id it rendered). A group that was
empty at the check only gains its member after the commit, so that member's replay reads the
event. A tab already subscribed is counted, so it gets the push itself.
"""

import logging
import os
import threading
import time
import weakref

log = logging.getLogger(__name__)

# A membership check must not hold a commit up when Redis is slow or down: past this, the
# publisher sends to every group as it did before.
CHECK_TIMEOUT = 0.5

_clients = {}
_clients_lock = threading.Lock()
_pubsub_naming = weakref.WeakKeyDictionary()  # pub/sub layer -> (channel namer, hosts)


def listening(layer, groups):
    """The subset of `groups` with at least one member, or None when that cannot be known."""
    groups = list(dict.fromkeys(groups))
    if not groups:
        return set()
    try:
        check = _check_for(layer)
        if check is None:
            return None
        return check(layer, groups)
    except Exception:  # doubt means "someone may listen": the pushes go out
        log.warning("reading live group membership failed; pushing to every group", exc_info=True)
        return None


def _check_for(layer):
    from channels.layers import InMemoryChannelLayer

    if isinstance(layer, InMemoryChannelLayer):
        return _in_memory
    try:
        from channels_redis.core import RedisChannelLayer
        from channels_redis.pubsub import RedisPubSubChannelLayer
    except ImportError:  # pragma: no cover - channels_redis is a dependency
        return None
    # type() and not isinstance for the pub/sub proxy: its __getattr__ forwards to a per-loop
    # layer, which a subclass might not keep.
    if type(layer) is RedisPubSubChannelLayer:
        return _pubsub
    if isinstance(layer, RedisChannelLayer):
        return _core
    return None


def _in_memory(layer, groups):
    cutoff = time.time() - layer.group_expiry
    # a copy: the layer's loop may add or drop members while this thread reads
    members = dict(layer.groups)
    return {g for g in groups if any(t >= cutoff for t in list((members.get(g) or {}).values()))}


def _client(host):
    """A synchronous client per Redis host and process (a forked worker opens its own): the
    check runs in the committing thread, which has no event loop of its own to borrow."""
    import redis

    key = (os.getpid(), repr(sorted(host.items())))
    client = _clients.get(key)
    if client is None:
        with _clients_lock:
            client = _clients.get(key)
            if client is None:
                options = dict(host)
                options.setdefault("socket_timeout", CHECK_TIMEOUT)
                options.setdefault("socket_connect_timeout", CHECK_TIMEOUT)
                if "address" in options:
                    pool = redis.ConnectionPool.from_url(options.pop("address"), **options)
                elif "master_name" in options:
                    return None  # sentinel: not used here, so not guessed at
                else:
                    pool = redis.ConnectionPool(**options)
                client = _clients[key] = redis.Redis(connection_pool=pool)
    return client


def _clients_for(hosts, groups, shard_of):
    """{host index: [groups]}: each group is asked of the host the layer sends it through."""
    by_host = {}
    for group in groups:
        by_host.setdefault(shard_of(group), []).append(group)
    out = []
    for index, members in by_host.items():
        client = _client(hosts[index])
        if client is None:
            raise LookupError("no synchronous client for this Redis host")
        out.append((client, members))
    return out


def _pubsub(layer, groups):
    from channels_redis.pubsub import RedisPubSubLoopLayer
    from channels_redis.utils import _consistent_hash, decode_hosts

    naming = _pubsub_naming.get(layer)
    if naming is None:
        # The layer's own naming, read from a loop layer that never connects (the proxy makes
        # one per running event loop, and the committing thread has none).
        namer = RedisPubSubLoopLayer(*layer._args, **layer._kwargs, channel_layer=layer)
        hosts = decode_hosts(layer._kwargs.get("hosts", layer._args[0] if layer._args else None))
        naming = _pubsub_naming[layer] = (namer._get_group_channel_name, hosts)
    channel_name, hosts = naming
    names = {g: channel_name(g) for g in groups}
    heard = set()
    for client, members in _clients_for(
        hosts, groups, lambda g: _consistent_hash(names[g], len(hosts))
    ):
        counts = dict(client.pubsub_numsub(*(names[g] for g in members)))
        by_name = {_text(name): count for name, count in counts.items()}
        heard.update(g for g in members if by_name.get(names[g], 0) > 0)
    return heard


def _core(layer, groups):
    # Members at or below the cutoff are what group_send itself discards as expired.
    cutoff = int(time.time()) - layer.group_expiry
    heard = set()
    for client, members in _clients_for(layer.hosts, groups, layer.consistent_hash):
        pipe = client.pipeline(transaction=False)
        for group in members:
            pipe.zcount(layer._group_key(group), f"({cutoff}", "+inf")
        counts = pipe.execute()
        heard.update(g for g, n in zip(members, counts, strict=True) if n > 0)
    return heard


def _text(name):
    return name.decode() if isinstance(name, bytes) else name
