"""The kinds of feature an app manifest may declare, each written through its owner's services.

A kind is registered once: the ones apps_directory and the apps below it own are registered
here; workflows registers its own from its AppConfig (workflows imports apps_directory, so
apps_directory may not import it back). The install code reads only this register.
"""

from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Context:
    """What one install or upgrade has made so far: the ids of the app's features by (kind,
    key), so a workflow can name the hook of the same app; and the app's title (a Klass shows
    which app created it)."""

    title: str
    ids: dict = field(default_factory=dict)

    def id_of(self, kind, key):
        return self.ids.get((kind, key))


@dataclass(frozen=True)
class Kind:
    name: str  # "hook": what InstalledFeature.kind holds
    section: str  # "hooks": the manifest's table of them
    label: str  # "Hook": what people read
    keyed_by: str  # the spec's key that names one within the app ("key", or "name")
    # load time: spec, manifest sections -> problems (strings), without a database
    check: Callable
    # create(org, actor, spec, ctx) -> (object id, display name)
    create: Callable
    # update(org, actor, object_id, spec, ctx) -> display name, None when the object is gone
    update: Callable
    # remove(org, actor, object_id) -> "deleted" | "kept" (what stays is described on the kind)
    remove: Callable
    # turn_off(org, actor, object_id) -> whether it was on; turn_on(org, actor, object_id).
    # None: deactivating the app leaves this kind as it is (a Klass and its data).
    turn_off: Callable | None = None
    turn_on: Callable | None = None
    # taken(org, specs, title) -> problems an install would hit (names already used), all at once
    taken: Callable | None = None
    # link(object_id) -> the settings page of one, for the apps page's feature list
    link: Callable | None = None
    order: int = 0  # install order (a workflow names a hook and a Klass, so it comes after)


_kinds: dict[str, Kind] = {}


def register(kind):
    current = _kinds.get(kind.name)
    if current is not None and current != kind:
        raise ValueError(f"A feature kind named {kind.name!r} is registered already.")
    _kinds[kind.name] = kind


def get(name):
    return _kinds[name]


def by_section():
    return {k.section: k for k in sorted(_kinds.values(), key=lambda k: k.order)}


def all_kinds():
    return sorted(_kinds.values(), key=lambda k: k.order)
