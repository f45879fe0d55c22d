"""App manifests: one TOML file per app version, `manifests/<app>/<version>.toml`.

```toml
app = "orders"            # the app's id, fixed for all its versions
version = "1.0.0"         # major.minor.patch; a higher one is an upgrade
title = "Orders"
summary = "One line for the directory."
notes = "What this version changes."

[[klasses]]               # each section lists features of one kind (kinds.py), keyed within
name = "order"            # the app so that an upgrade finds what the earlier version created
...
```

Every file is checked when the catalog is first read; a bad one stops the catalog loading with
every problem of every file (a shipped manifest is code: tests/apps_directory prove they load
and install).
"""

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from apps_directory.catalog import kinds

ROOT = Path(__file__).parent / "manifests"
APP_RE = re.compile(r"[a-z][a-z0-9-]{1,39}\Z")
VERSION_RE = re.compile(r"(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\.(0|[1-9]\d{0,5})\Z")
KEY_RE = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,63}\Z")
TOP = {"app", "version", "title", "summary", "notes"}
TITLE_LENGTH = 64  # a Klass keeps the title of the app that made it (Klass.app)


class ManifestError(Exception):
    def __init__(self, problems):
        super().__init__("Invalid app manifests:\n" + "\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Feature:
    kind: str
    key: str
    label: str  # its display name
    spec: dict


@dataclass(frozen=True)
class Manifest:
    app: str
    version: str
    title: str
    summary: str
    notes: str
    features: tuple  # of Feature, in install order

    @property
    def sort_key(self):
        return version_key(self.version)


def version_key(version):
    return tuple(int(part) for part in version.split("."))


def _label(spec):
    return str(spec.get("displayName") or spec.get("name") or "")


def parse(data, *, where, app=None, version=None):
    """A Manifest from one file's parsed TOML; ManifestError with every problem."""
    problems = [
        f"{where}: unknown key '{k}'." for k in data if k not in TOP | set(kinds.by_section())
    ]
    for name, pattern in (("app", APP_RE), ("version", VERSION_RE)):
        value = data.get(name)
        if not isinstance(value, str) or not pattern.match(value):
            problems.append(f"{where}: '{name}' is missing or malformed.")
    if app is not None and data.get("app") != app:
        problems.append(f"{where}: app '{data.get('app')}' differs from its folder '{app}'.")
    if version is not None and data.get("version") != version:
        problems.append(f"{where}: version '{data.get('version')}' differs from its file name.")
    for name in ("title", "summary"):
        if not isinstance(data.get(name), str) or not data[name].strip():
            problems.append(f"{where}: '{name}' is required text.")
    if isinstance(data.get("title"), str) and len(data["title"].strip()) > TITLE_LENGTH:
        problems.append(f"{where}: 'title' is at most {TITLE_LENGTH} characters.")
    if "notes" in data and not isinstance(data["notes"], str):
        problems.append(f"{where}: 'notes' is text.")
    features = []
    sections = {s: data.get(s, []) for s in kinds.by_section()}
    for section, kind in kinds.by_section().items():
        specs = sections[section]
        if not isinstance(specs, list) or not all(isinstance(s, dict) for s in specs):
            problems.append(f"{where}: '{section}' is a list of tables ([[{section}]]).")
            continue
        seen = set()
        for index, spec in enumerate(specs):
            at = f"{where}: {section}[{index}]"
            key = spec.get(kind.keyed_by)
            if not isinstance(key, str) or not KEY_RE.match(key):
                problems.append(
                    f"{at}: '{kind.keyed_by}' names it within the app (letters, digits)."
                )
            elif key.lower() in seen:
                problems.append(f"{at}: '{kind.keyed_by}' '{key}' is used twice.")
            else:
                seen.add(key.lower())
            problems += [f"{at}: {p}" for p in kind.check(spec, sections)]
            if not _label(spec):
                problems.append(f"{at}: it needs a name people read.")
            features.append(Feature(kind.name, str(key), _label(spec), spec))
    if problems:
        raise ManifestError(problems)
    return Manifest(
        app=data["app"],
        version=data["version"],
        title=data["title"].strip(),
        summary=data["summary"].strip(),
        notes=str(data.get("notes", "")).strip(),
        features=tuple(features),
    )


def load(root=ROOT):
    """{app: [Manifest, …] oldest version first} of every manifest under `root`."""
    catalog, problems = {}, []
    for path in sorted(root.glob("*/*.toml")):
        where = str(path.relative_to(root))
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
            manifest = parse(data, where=where, app=path.parent.name, version=path.stem)
        except tomllib.TOMLDecodeError as exc:
            problems.append(f"{where}: not TOML: {exc}")
        except ManifestError as exc:
            problems += exc.problems
        else:
            catalog.setdefault(manifest.app, []).append(manifest)
    # a Klass records the app that made it by title: one title per app, no two apps alike
    owners = {}
    for versions in catalog.values():
        versions.sort(key=lambda m: m.sort_key)
        titles = {m.title for m in versions}
        if len(titles) > 1:
            problems.append(f"{versions[0].app}: every version has the same title ({titles}).")
        for title in titles:
            owners.setdefault(title.lower(), []).append(versions[0].app)
    problems += [
        f"{', '.join(apps)}: two apps have the title '{title}'."
        for title, apps in owners.items()
        if len(apps) > 1
    ]
    if problems:
        raise ManifestError(problems)
    return catalog


class Catalog:
    """The shipped manifests, read once per process (tests swap in their own with `use`)."""

    def __init__(self):
        self._apps = None

    def use(self, apps):
        self._apps = apps

    @property
    def apps(self):
        if self._apps is None:
            self._apps = load()
        return self._apps

    def all(self):
        """The latest version of every app, by title."""
        return sorted((v[-1] for v in self.apps.values()), key=lambda m: m.title.lower())

    def versions(self, app):
        return self.apps.get(app, [])

    def latest(self, app):
        versions = self.versions(app)
        return versions[-1] if versions else None

    def get(self, app, version):
        for manifest in self.versions(app):
            if manifest.version == version:
                return manifest
        return None


catalog = Catalog()
