"""Every settings page sits in the same frame: the sections on the left, with the page's own
section marked, so an admin never leaves the settings to reach an integration."""

import re

import pytest

pytestmark = pytest.mark.django_db

PAGES = {
    "/settings/": "Overview",
    "/settings/activity/": "Activity",
    "/settings/objects/": "Objects",
    "/settings/shortcuts/": "Shortcuts and tags",
    "/settings/api-keys/": "API keys",
    "/settings/apps/": "Apps",
    "/settings/webhooks/": "Webhooks",
    "/settings/hooks/": "Hooks",
    "/settings/workflows/": "Workflows",
    "/settings/workflows/new/": "Workflows",
    "/settings/mailboxes/": "Mailboxes",
}


def _nav(html):
    found = re.search(
        r'<nav class="settings-nav[^"]*" aria-label="Settings">(.*?)</nav>', html, re.S
    )
    assert found, "the settings navigation is missing"
    return found.group(1)


@pytest.mark.parametrize("path,section", PAGES.items())
def test_each_page_marks_its_section_in_the_settings_navigation(client, admin_user, path, section):
    client.force_login(admin_user)
    response = client.get(path)
    assert response.status_code == 200
    nav = _nav(response.content.decode())
    current = re.findall(r'<a href="([^"]+)" aria-current="page">([^<]+)</a>', nav)
    assert [name for _, name in current] == [section]
    for name in ("Apps", "Webhooks", "Hooks", "Workflows", "Mailboxes"):
        assert f">{name}</a>" in nav
