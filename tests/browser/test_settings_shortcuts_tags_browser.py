"""Shortcuts and tags: an admin adds a tag with a colour, fixes a name refused beside the field,
changes a colleague's shared shortcut and deletes a tag after confirming; an agent who opens
/settings/ finds only their profile and their own shortcuts."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_manages_tags_and_a_colleagues_shortcut(signed_in, screenshot, org):
    from conversations.models import Shortcut, Tag
    from tests.conversations.factories import ShortcutFactory, TagFactory
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    agent = UserFactory(org=org, role="agent", username="sam", display_name="Sam Rivera")
    TagFactory(org=org, name="billing", color="#2f6fed")
    ShortcutFactory(owner=agent, name="thanks", payload="Thanks for writing in!")
    page = signed_in(admin)
    page.goto("/settings/")
    page.get_by_role("navigation", name="Settings").get_by_role(
        "link", name="Shortcuts and tags"
    ).click()
    page.wait_for_url("**/settings/shortcuts/")
    expect(page.get_by_role("row", name="#thanks")).to_contain_text("Sam Rivera")

    # a name that exists in other letters is refused beside the name field
    page.get_by_label("Name", exact=True).fill("Billing")
    page.get_by_role("button", name="Add tag").click()
    expect(page.locator("#id_name_error")).to_contain_text("A tag named 'Billing' exists.")
    page.get_by_label("Name", exact=True).fill("refund")
    page.get_by_label("Colour").fill("#c62828")
    page.get_by_role("button", name="Add tag").click()
    expect(page.get_by_role("status")).to_contain_text("Tag “refund” added.")
    expect(page.locator("#tags-title")).to_be_visible()
    row = page.get_by_role("row", name="refund")
    expect(row).to_contain_text("#c62828")
    expect(row).to_contain_text("You")
    screenshot(page, "settings-shortcuts-tags")

    # an admin may change a colleague's shared shortcut; it stays theirs
    page.get_by_role("link", name="Edit #thanks").click()
    expect(page.get_by_text("Sam Rivera’s shortcut; you change it as an admin.")).to_be_visible()
    page.get_by_label("Reply text").fill("Thank you for writing in!")
    page.get_by_role("button", name="Save shortcut").click()
    expect(page.get_by_role("status")).to_contain_text("Shortcut #thanks saved.")
    shortcut = Shortcut.objects.get()
    assert shortcut.payload == "Thank you for writing in!" and shortcut.owner_id == agent.pk

    page.get_by_role("link", name="Delete the tag billing…").click()
    expect(page.get_by_role("heading", name="Delete the tag “billing”?")).to_be_visible()
    screenshot(page, "settings-tag-delete")
    page.get_by_role("button", name="Delete tag").click()
    expect(page.get_by_role("status")).to_contain_text("Tag “billing” deleted.")
    assert list(Tag.objects.values_list("name", flat=True)) == ["refund"]


def test_an_agent_finds_only_their_profile_and_shortcuts(signed_in, screenshot, org):
    from tests.conversations.factories import ShortcutFactory, TagFactory
    from tests.factories import UserFactory

    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    agent = UserFactory(org=org, role="agent", username="sam", display_name="Sam Rivera")
    TagFactory(org=org, name="billing")
    ShortcutFactory(owner=agent, name="mine", payload="My reply")
    ShortcutFactory(owner=admin, name="wandas", payload="Wanda's reply")
    page = signed_in(agent)
    page.goto("/settings/")
    page.wait_for_url("**/settings/profile/")
    nav = page.get_by_role("navigation", name="Settings")
    expect(nav.get_by_role("link")).to_have_count(2)
    nav.get_by_role("link", name="Your shortcuts").click()
    page.wait_for_url("**/settings/shortcuts/")
    expect(page.get_by_role("heading", name="Your shortcuts", level=1)).to_be_visible()
    expect(page.get_by_role("row", name="#mine")).to_be_visible()
    expect(page.get_by_text("#wandas")).to_have_count(0)
    expect(page.get_by_text("billing")).to_have_count(0)
    screenshot(page, "settings-agent-shortcuts")
