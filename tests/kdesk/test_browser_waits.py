"""The browser tests wait in ways the desk's Content Security Policy allows.

The pages send `script-src 'self'` (no 'unsafe-eval'): Chromium lets Playwright evaluate a string
once, but a string predicate it has to poll (`wait_for_function`, or `evaluate` called again and
again in a loop) is refused or times out on a loaded machine. The tests wait with locators and
`expect(...)` instead, which poll without evaluating strings.
"""

import ast
from pathlib import Path

BROWSER_TESTS = Path(__file__).resolve().parents[1] / "browser"
EVALUATING = {"evaluate", "evaluate_handle", "eval_on_selector", "eval_on_selector_all"}


def _refusals(tree):
    """(line, what) for each poll of a string predicate in one module."""
    found = []

    def visit(node, in_loop):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            name = node.func.attr
            if name == "wait_for_function":
                found.append((node.lineno, "wait_for_function"))
            elif name in EVALUATING and in_loop:
                found.append((node.lineno, f"{name} in a while loop"))
        # a `for` measures each of several pages once; a `while` waits for the answer to change
        loop = in_loop or isinstance(node, ast.While)
        for child in ast.iter_child_nodes(node):
            visit(child, loop)

    visit(tree, False)
    return found


def test_the_checker_finds_both_kinds_of_polling():
    source = (
        "def t(page):\n"
        "    page.wait_for_function('() => window.ready')\n"
        "    while not page.evaluate('window.ready'):\n"
        "        pass\n"
        "    page.evaluate('kdesk.sweep()')\n"
        "    for width in (320, 1024):\n"
        "        page.evaluate('document.body.scrollWidth')\n"
    )
    assert _refusals(ast.parse(source)) == [
        (2, "wait_for_function"),
        (3, "evaluate in a while loop"),
    ]


def test_browser_tests_do_not_poll_string_predicates():
    files = sorted(BROWSER_TESTS.glob("*.py"))
    assert files
    problems = [
        f"{path.name}:{line}: {what}"
        for path in files
        for line, what in _refusals(ast.parse(path.read_text(), filename=str(path)))
    ]
    assert problems == []
