"""An admin writes a timeline KView for returns in the code editor: the preview renders a real
return of theirs as they type, an unknown filter is shown with its line and refused on save."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_writes_a_timeline_kview_with_a_live_preview(signed_in, screenshot, org):
    from customers.services import customer_create
    from klasses import services
    from klasses.models import KView
    from tests.factories import UserFactory

    ret = services.klass_create(
        org=org, actor=None, data={"name": "return", "displayName": "Return"}
    )
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.return",
        data={"properties": {"refundAmountNum": {"displayName": "Refund amount"}}},
    )
    ada = customer_create(org=org, actor=None, data={"name": "Ada Lovelace"})
    services.kobject_create(
        org=org,
        actor=None,
        klass=ret,
        data={"title": "RMA-1042", "customer": ada.pk, "data": {"refundAmountNum": 49.5}},
    )
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/settings/kviews/")
    page.get_by_text("No KViews yet").wait_for()
    page.get_by_role("link", name="New KView").first.click()
    page.wait_for_url("**/settings/kviews/_new/")
    page.wait_for_load_state()  # the editor and htmx start once the page has loaded
    page.get_by_label("Name", exact=True).fill("Return line")
    page.get_by_label("Shown for").select_option(label="Return")
    page.get_by_label("Preview with").locator("option", has_text="RMA-1042").wait_for(
        state="attached"
    )
    page.get_by_label("Timeline entry").check()
    # the side panel offers the object's attributes by display name
    assert page.get_by_role("button", name="object.title").count() == 1
    editor = page.locator(".cm-content")
    editor.wait_for()
    editor.click()
    page.keyboard.type("Return {{ object.title }} for {{ customer.name }}: ")
    page.get_by_role("button", name="object.data.refundAmountNum").click()
    preview = page.locator("#kview-preview")
    preview.get_by_text("Return RMA-1042 for Ada Lovelace: 49.5").wait_for()
    screenshot(page, "settings-kview-preview")

    page.keyboard.type("\n{{ object.title|shout }}")
    error = page.locator("#kview-error")
    error.get_by_text("Line 2: there is no filter named 'shout'").wait_for()
    assert page.locator(".cm-lint-marker-error").count() == 1
    screenshot(page, "settings-kview-error")
    page.get_by_role("button", name="Save KView").click()
    page.wait_for_load_state()
    assert page.locator("#id_template_error").get_by_text("no filter named 'shout'").is_visible()
    assert not KView.objects.exists()

    # fix it: remove the bad line
    page.locator(".cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Shift+Home")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    preview.get_by_text("Return RMA-1042 for Ada Lovelace").wait_for()
    assert error.is_hidden()
    page.get_by_role("button", name="Save KView").click()
    page.wait_for_url("**/settings/kviews/*/")
    kview = KView.objects.get()
    assert (kview.resource, kview.context, kview.template.count("{{")) == (
        "kobject.return",
        "timeline",
        3,
    )
    assert not errors, errors
