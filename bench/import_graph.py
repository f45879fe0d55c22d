"""Which app imports which: the app-level import graph of the source tree, with counts.

    .venv/bin/python bench/import_graph.py            # edges, one per line: "a -> b  (n)"
    .venv/bin/python bench/import_graph.py --detail   # and every import behind each edge

An app is a top-level package of the repository that holds an `apps.py` (a Django app; `kdesk`
is the core). Every `import` counts, at module level or inside a function (a deferred import
is still a dependency), except in migrations, which name other apps' models by necessity.
tests/layering reads `edges()` from here, so the graph printed is the graph enforced.
"""

import argparse
import ast
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SKIP_DIRS = {"migrations", "__pycache__"}
# The core's wiring: where the apps are plugged in (URLs, ASGI routing, settings). The only core
# files that may name an app (tests/kdesk/test_layering.py).
WIRING = frozenset(
    {
        "kdesk/urls.py",
        "kdesk/api/urls.py",
        "kdesk/asgi.py",
        "kdesk/routing.py",
        "kdesk/settings.py",
    }
)


def app_names(root=ROOT):
    """The repository's Django apps: top-level packages with an apps.py."""
    return sorted(
        p.parent.name for p in root.glob("*/apps.py") if (p.parent / "__init__.py").exists()
    )


def source_files(app, root=ROOT):
    for path in sorted((root / app).rglob("*.py")):
        if not SKIP_DIRS.intersection(path.relative_to(root).parts):
            yield path


def imported_modules(path):
    """(line, dotted module) for every absolute import in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module


def imports(root=ROOT):
    """Every cross-app import: (from_app, to_app, "path:line", module)."""
    apps = set(app_names(root))
    for app in sorted(apps):
        for path in source_files(app, root):
            for line, module in imported_modules(path):
                target = module.split(".")[0]
                if target in apps and target != app:
                    yield app, target, f"{path.relative_to(root)}:{line}", module


def edges(root=ROOT):
    """{(from_app, to_app): [(where, module), ...]}."""
    out = defaultdict(list)
    for source, target, where, module in imports(root):
        out[(source, target)].append((where, module))
    return dict(out)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--detail", action="store_true", help="list every import of each edge")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to read")
    args = parser.parse_args(argv)
    graph = edges(args.root)
    print(f"apps: {', '.join(app_names(args.root))}")
    for (source, target), found in sorted(graph.items()):
        wiring = sum(1 for where, _ in found if where.rsplit(":", 1)[0] in WIRING)
        note = f", {wiring} in wiring" if wiring else ""
        print(f"{source} -> {target}  ({len(found)}{note})")
        if args.detail:
            for where, module in found:
                print(f"    {where}  {module}")
    print(f"{len(graph)} edges, {sum(len(f) for f in graph.values())} imports")


if __name__ == "__main__":
    sys.exit(main())
