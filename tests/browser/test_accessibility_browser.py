"""Every desk page passes an automated accessibility check: axe-core (vendored, pinned, its
checksum verified) runs in Chromium over each page and finds no serious or critical
violation of WCAG 2 A/AA."""

import hashlib
import json
from pathlib import Path

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
AXE_SHA256 = "880970c081707360e64f34cea25ff91892f5bc95675b0776925b9709dd8a68bb"
SERIOUS = ("serious", "critical")


def axe_source():
    source = AXE.read_bytes()
    assert hashlib.sha256(source).hexdigest() == AXE_SHA256, "axe.min.js is not the pinned file"
    return source.decode()


def violations(page, source):
    # The page's CSP forbids eval; the context bypasses it for the injected checker only.
    page.add_script_tag(content=source)
    result = page.evaluate(
        "() => axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]


def test_desk_pages_have_no_serious_accessibility_violations(db, browser, server, screenshot):
    from conversations import services as conv
    from customers.services import customer_create
    from tests.factories import OrganizationFactory
    from timeline.services import saved_view_create

    org = OrganizationFactory(slug="a11y-e2e", name="A11y E2E")
    who = people(org)
    grace, conversation = build(org, who, orders=True)
    dupe = customer_create(org=org, actor=None, data={"name": "G. Hopper"})
    conv.message_create(
        org=org,
        actor=None,
        customer=dupe,
        data={"direction": "in", "channel": "chat", "body": "a second account"},
    )
    view = saved_view_create(
        org=org, actor=who["sam"], name="Open", team_id=None, filters={"status": "open"}
    )
    pages = [
        "/inbox/",
        f"/inbox/?view={view.pk}",
        "/inbox/views/new/",
        "/customers/",
        "/customers/new/",
        f"/customers/{grace.pk}/",
        f"/customers/{grace.pk}/?conversation={conversation.pk}",
        f"/customers/{grace.pk}/objects/new/?klass=order",
        f"/customers/{grace.pk}/merge/?q=Hopper",
        f"/customers/{grace.pk}/merge/?other={dupe.pk}",
        "/notifications/",
        "/shortcuts/",
    ]
    source = axe_source()
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=server, bypass_csp=True
    )
    try:
        page = context.new_page()
        page.goto("/login/")
        page.get_by_label("Email").fill(who["sam"].email)
        page.get_by_label("Password").fill("correct horse battery")
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url("**/inbox/**")
        found = {}
        for url in pages:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            problems = violations(page, source)
            if problems:
                found[url] = problems
                screenshot(page, "a11y-" + url.strip("/").replace("/", "-").replace("?", "-"))
        report = Path(__file__).parents[1] / "artifacts" / "a11y-violations.json"
        report.write_text(json.dumps(found, indent=1))
        assert not found, json.dumps(found, indent=1)
    finally:
        context.close()
