"""The import layering and module sizes the architecture holds to (issue 12), read from the
source with `ast` (bench/import_graph.py prints the same graph).

- Nothing under kdesk/ imports a domain app (every other Django app of the repository), except
  the wiring that mounts them (URLs, ASGI routing, settings).
- klasses (the schema engine) imports none of the apps built on it; customers does not import
  conversations; conversations does not import timeline. Apps above talk to those below through
  the resource register and events instead.
- No services, views, API or OpenAPI module is over 500 lines.
"""

import ast
import re

import pytest

from bench.import_graph import ROOT, WIRING, app_names, imports, source_files

CORE = "kdesk"
DOMAIN_APPS = tuple(app for app in app_names() if app != CORE)

# importer app -> apps it must not import
FORBIDDEN = {
    CORE: set(DOMAIN_APPS),
    "klasses": {"customers", "conversations", "timeline", "mail", "apps_directory"},
    "customers": {"conversations", "timeline", "mail", "apps_directory"},
    "conversations": {"timeline", "mail", "apps_directory"},
    # the email channel builds on conversations and customers; only apps_directory is above it
    "mail": {"timeline", "apps_directory"},
}

# Violations other helpers are removing right now (issue 12), as (file, imported app). The lead
# empties this list when their work merges; nothing may be added to it.
KNOWN_IMPORTS: set[tuple[str, str]] = set()

SIZE_LIMIT = 500
SIZE_PATTERNS = (
    re.compile(r"^services[\w]*\.py$"),
    re.compile(r"^views[\w]*\.py$"),
    re.compile(r"^api[\w]*\.py$"),
    re.compile(r"^openapi[\w]*\.py$"),
)
SIZE_PACKAGES = {"services", "views", "api", "openapi"}

# Modules over the limit that other helpers are splitting right now (issue 12); emptied at merge.
KNOWN_LARGE = set()


def _violations():
    found = {}
    for source, target, where, module in imports():
        path = where.rsplit(":", 1)[0]
        if target in FORBIDDEN.get(source, ()) and path not in WIRING:
            found.setdefault((path, target), []).append(f"{where} imports {module}")
    return found


def test_the_domain_apps_are_found():
    # The rule holds for apps added later without editing this file; make sure it sees today's.
    assert {"customers", "conversations", "klasses", "timeline", "apps_directory"} <= set(
        DOMAIN_APPS
    )
    assert CORE not in DOMAIN_APPS


def test_layering():
    found = _violations()
    new = {key: lines for key, lines in found.items() if key not in KNOWN_IMPORTS}
    assert not new, "Imports across the layering:\n" + "\n".join(
        line for lines in new.values() for line in lines
    )


def test_known_violations_are_still_there():
    # An entry fixed (or its file moved) must leave the allowlist, so the list only ever shrinks.
    gone = KNOWN_IMPORTS - set(_violations())
    assert not gone, f"Fixed: remove from KNOWN_IMPORTS: {sorted(gone)}"


def _dotted_app_paths(path):
    """String constants that are a whole dotted path into a domain app ("customers.Customer",
    "timeline.live.origin_tab"): app names by string (apps.get_model, import_module, settings
    keys) are imports too."""
    pattern = re.compile(rf"^({'|'.join(DOMAIN_APPS)})(\.[A-Za-z_]\w*)+$")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            if pattern.match(node.value):
                yield node.lineno, node.value


def test_the_core_names_no_app_by_string_either():
    found = []
    for path in source_files(CORE):
        relative = str(path.relative_to(ROOT))
        if relative in WIRING:
            continue
        found += [f"{relative}:{line} {value!r}" for line, value in _dotted_app_paths(path)]
    assert not found, "The core names domain apps:\n" + "\n".join(found)


def _sized_modules():
    for app in app_names():
        for path in source_files(app):
            parent = path.parent.name
            if any(p.match(path.name) for p in SIZE_PATTERNS) or (
                parent in SIZE_PACKAGES and path.parent != ROOT / app
            ):
                yield path


def test_sized_modules_are_found():
    names = {str(p.relative_to(ROOT)) for p in _sized_modules()}
    assert {"kdesk/services.py", "kdesk/views.py", "kdesk/api/views.py"} <= names
    assert {"workflows/openapi.py", "klasses/openapi/bodies.py"} <= names


def test_no_services_views_api_or_openapi_module_over_500_lines():
    over = {}
    for path in _sized_modules():
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > SIZE_LIMIT:
            over[str(path.relative_to(ROOT))] = lines
    new = {path: n for path, n in over.items() if path not in KNOWN_LARGE}
    assert not new, f"Over {SIZE_LIMIT} lines (split them by topic): {new}"
    gone = {path for path in KNOWN_LARGE if path not in over}
    assert not gone, f"Now small enough: remove from KNOWN_LARGE: {sorted(gone)}"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import customers.models\n", ["customers.models"]),
        ("from conversations import services\n", ["conversations"]),
        ("def f():\n    from timeline.live import push\n", ["timeline.live"]),
        ("from . import models\n", []),  # relative: inside the app itself
    ],
)
def test_the_reader_sees_every_kind_of_import(tmp_path, source, expected):
    from bench.import_graph import imported_modules

    path = tmp_path / "m.py"
    path.write_text(source)
    assert [module for _, module in imported_modules(path)] == expected
