"""Browser tests: a real daphne process serving the test database, driven by Playwright on
Debian's Chromium. Screenshots land in tests/artifacts/ (gitignored)."""

import os
from pathlib import Path

import pytest

# Playwright's sync API keeps an event loop in this thread; the ORM calls made by the tests
# themselves are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def server(django_db_setup, django_db_blocker):
    """Daphne on a free port, pointed at the test database (committed data only)."""
    from tests.servers import start_daphne, stop

    with open(ARTIFACTS.parent / ".browser-server.log", "w") as log:
        proc, base = start_daphne(log=log)
        yield base
        stop(proc)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"Chromium is not installed at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    # expect() waits as long as the page's own waits (30 s) instead of its 5 s default: on a
    # loaded machine a live push can take longer than 5 s to land.
    expect.set_options(timeout=30_000)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name):
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def signed_in(browser, server):
    """A page of a new browser context signed in as `user` (password 'correct horse battery'),
    at 1366x900 unless `viewport` says otherwise (a phone: {"width": 390, "height": 844})."""
    contexts = []

    def sign_in(user, password="correct horse battery", viewport=None):
        viewport = viewport or {"width": 1366, "height": 900}
        context = browser.new_context(viewport=viewport, base_url=server)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Email").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/inbox/**")
        return page

    yield sign_in
    for context in contexts:
        context.close()
