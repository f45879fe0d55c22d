"""An upgrade keeps what an admin changed in what an app made, field by field.

Each field an app sets has three values: what the app wrote when it last wrote it (recorded on
its InstalledFeature, read back as the owner's service stored it), what the field holds now,
and what the new version sets. The rule, per field:

- it holds what the app last wrote (nobody touched it): the new version's value;
- it holds the new version's value already: nothing to do;
- an admin changed it: the admin's value stays, and the upgrade says so by display name.

A field the new version sets and the app never did before counts as the admin's when it holds a
value (the admin defined it), and is simply set when empty. A feature an admin deleted is made
again from the new version, as before.

What a kind's fields are, how they read and what people call them is registered here per kind
(`register`, beside the kind itself: builtin_fields.py, workflows/app_fields.py); a kind without
them is written from the manifest as it stands.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from apps_directory.catalog import kinds

ABSENT = object()  # a field with no value (never set, or its attribute is not defined)


def _put(spec, path, value):
    """A copy of `spec` with the value at `path` (keys joined by '/') replaced."""
    head, *rest = path.split("/", 1)
    copy = dict(spec)
    copy[head] = _put(dict(spec.get(head) or {}), rest[0], value) if rest else value
    return copy


def put_values(spec, ctx, values):
    """The spec an update writes, with the admin's values where they are kept."""
    for path, value in values.items():
        spec = _put(spec, path, value)
    return spec, ctx


@dataclass(frozen=True)
class Fields:
    kind: str  # the kind's name (kinds.Kind.name)
    # sets(spec, ctx) -> {path: value}: the fields a manifest's spec sets, as the service
    # stores them (a best reading: an upgrade compares the stored values it read back)
    sets: Callable
    # read(org, object_id) -> {path: value} as stored (every path `sets` may name, those
    # without a value left out), or None when the object is gone; it locks the rows it reads
    # (select_for_update) until the upgrade commits, so that an admin's edit cannot land
    # between this read and the write that decides by it
    read: Callable
    # describe(path, spec) -> what people call the field: "Order's 'Status' label"
    describe: Callable
    # keep(spec, ctx, {path: stored value}) -> (spec, ctx) the update writes with
    keep: Callable = put_values


_fields: dict[str, Fields] = {}


def register(fields):
    current = _fields.get(fields.kind)
    if current is not None and current != fields:
        raise ValueError(f"The fields of {fields.kind!r} are registered already.")
    _fields[fields.kind] = fields


def get(kind):
    return _fields.get(kind)


def decide(*, written, current, new):
    """The paths of `new` whose current value is an admin's, to keep (in `new`'s order).

    `written`: {path: value} the app last wrote, None when that is not known (then the new
    version's values are taken, as upgrades did before anything was recorded)."""
    if written is None:
        return []
    kept = []
    for path, value in new.items():
        now = current.get(path, ABSENT)
        if now is ABSENT or now == value or now == written.get(path, ABSENT):
            continue
        kept.append(path)
    return kept


def bases(installation, rows, ctx):
    """{(kind, key): what the app last wrote} for this installation's features, before an
    upgrade writes anything. A feature installed before these were recorded is read from its
    installed version's manifest; None when that version is gone from the directory."""
    from apps_directory.catalog.manifest import catalog

    installed = catalog.get(installation.app, installation.version)
    specs = {(f.kind, f.key): f.spec for f in installed.features} if installed else {}
    out = {}
    for key, row in rows.items():
        fields = get(row.kind)
        if row.written is not None or fields is None:
            out[key] = row.written
        elif key in specs:
            out[key] = fields.sets(specs[key], ctx)
        else:
            out[key] = None
    return out


@dataclass
class Upgrade:
    """One feature's part in an install or upgrade: the spec to write, the admin's fields kept,
    and (after the write) what to record on its InstalledFeature."""

    feature: object  # manifest.Feature
    fields: Fields | None
    new: dict = field(default_factory=dict)
    base: dict | None = None
    kept: list = field(default_factory=list)
    before: dict | None = None

    @classmethod
    def start(cls, org, feature, row, ctx, base):
        fields = get(feature.kind)
        if fields is None:
            return cls(feature, None)
        new = fields.sets(feature.spec, ctx)
        before = fields.read(org, row.object_id) if row is not None else None
        kept = decide(written=base, current=before, new=new) if before is not None else []
        return cls(feature, fields, new, base, kept, before)

    def write_with(self, ctx):
        """(spec, ctx) for the kind's update."""
        if not self.kept:
            return self.feature.spec, ctx
        return self.fields.keep(self.feature.spec, ctx, {p: self.before[p] for p in self.kept})

    def made_anew(self):
        """The admin deleted it meanwhile: created from the new version, nothing to keep."""
        self.kept = []

    def record(self, org, object_id):
        """The InstalledFeature fields: what the app wrote now, read back as stored, and the
        fields kept. A kept field keeps what the app wrote before (it wrote nothing to it), so
        the next upgrade still sees the admin's edit."""
        if self.fields is None:
            return {"written": None, "kept": []}
        stored = self.fields.read(org, object_id) or {}
        written = {p: stored[p] for p in self.new if p in stored and p not in self.kept}
        for path in self.kept:
            if path in (self.base or {}):
                written[path] = self.base[path]
        kept = [
            {"field": p, "label": self.fields.describe(p, self.feature.spec)} for p in self.kept
        ]
        return {"written": written, "kept": kept}


def alias_context(ctx, kind, object_id):
    """(a key the manifest cannot use, a Context where it names `object_id`): so a kept value
    that names another record by id (a workflow's trigger hook an admin chose) goes through
    the kind's update, which reads the manifest's keys, unchanged."""
    alias = f"id:{object_id}"  # manifest keys are letters, digits, '_' and '-' only
    return alias, kinds.Context(ctx.title, {**ctx.ids, (kind, alias): object_id})
