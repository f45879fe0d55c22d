"""An admin who knows nothing of machine names creates an object type in the browser: the name
follows the display name and is checked as it is typed, errors come back beside fields, and
deleting asks first, naming how many objects go."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_admin_creates_disables_and_deletes_an_object_type(signed_in, screenshot, org):
    from klasses import services
    from klasses.models import Klass
    from tests.factories import UserFactory

    services.klass_create(org=org, actor=None, data={"name": "order", "displayName": "Order"})
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    page = signed_in(admin)
    page.goto("/settings/")
    screenshot(page, "settings-home")
    page.get_by_role("navigation", name="Settings").get_by_role("link", name="Objects").click()
    page.wait_for_url("**/settings/objects/")
    screenshot(page, "settings-objects")
    page.get_by_role("link", name="New object type").first.click()
    page.wait_for_url("**/settings/objects/_new/")
    page.wait_for_load_state()  # the name follows the display name once the page has loaded

    page.get_by_label("Display name").fill("Order")
    name = page.get_by_label("Machine name")
    assert name.input_value() == "order"
    check = page.locator("#id_name_check")
    check.get_by_text("Taken").wait_for()
    page.get_by_label("Display name").fill("Return request")
    assert name.input_value() == "return_request"
    check.get_by_text("“return_request” is free.").wait_for()
    page.get_by_label("Colour", exact=True).fill("blue")
    screenshot(page, "settings-object-new")
    page.get_by_role("button", name="Create object type").click()
    page.wait_for_load_state()
    assert page.locator("#id_color_error").get_by_text("six hex digits").is_visible()
    assert page.get_by_label("Display name").input_value() == "Return request"
    page.get_by_label("Colour", exact=True).fill("#c2410c")
    page.keyboard.press("Enter")  # the keyboard sends the form
    page.wait_for_url("**/settings/objects/return_request/")
    assert page.get_by_text("“Return request” created").is_visible()
    screenshot(page, "settings-object-edit")
    assert Klass.objects.get(name="return_request").color == "#c2410c"

    page.get_by_role("button", name="Disable").click()
    page.get_by_text("is disabled").wait_for()
    assert Klass.objects.get(name="return_request").status == "disabled"
    page.get_by_role("button", name="Enable").click()
    page.get_by_text("is enabled").wait_for()

    klass = Klass.objects.get(name="return_request")
    for n in range(2):
        services.kobject_create(org=org, actor=None, klass=klass, data={"title": f"R{n}"})
    page.get_by_role("link", name="Delete…").click()
    assert page.get_by_text("2 Return request objects").is_visible()
    screenshot(page, "settings-object-delete")
    page.get_by_role("button", name="Delete 2 objects and the type").click()
    page.wait_for_url("**/settings/objects/")
    assert page.get_by_text("deleted with 2 objects").is_visible()
    assert not Klass.objects.filter(name="return_request").exists()
