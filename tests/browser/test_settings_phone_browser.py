"""Settings on a phone (390 px) and on a 1280 px laptop, found by looking at them: on a phone
the section list is one scrolling row above the page (the current section scrolled into view),
no page is wider than the screen (a wide table scrolls inside its card, fieldsets and side
forms stack); on a laptop the People table keeps its buttons inside its card and the overview's
cards line up."""

import pytest

pytestmark = pytest.mark.django_db(transaction=True)

PHONE_PAGES = (
    "/settings/",
    "/settings/activity/",
    "/settings/objects/",
    "/settings/objects/order/",
    "/settings/attributes/order/",
    "/settings/rules/_new/",
    "/settings/kviews/",
    "/settings/people/",
    "/settings/teams/",
    "/settings/shortcuts/",
    "/settings/api-keys/",
    "/settings/webhooks/",
    "/settings/hooks/",
    "/settings/mailboxes/",
    "/settings/workflows/new/",
    "/settings/profile/",
)


def _sign_in(signed_in, user, width, height):
    page = signed_in(user, viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return page, errors


@pytest.fixture
def admin(org):
    from klasses import services
    from tests.factories import TeamFactory, UserFactory

    services.klass_create(org=org, actor=None, data={"name": "order", "displayName": "Order"})
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.order",
        data={"properties": {"totalNum": {"displayName": "Total", "min": 0}}},
    )
    admin = UserFactory(org=org, role="admin", username="wanda", display_name="Wanda Admin")
    for handle, name in (("sam", "Sam Rivera"), ("priya", "Priya Shah"), ("lee", "Lee Chen")):
        agent = UserFactory(
            org=org, role="agent", username=handle, display_name=name, email=f"{handle}@acme.test"
        )
        TeamFactory(org=org, name=f"{name} team", slug=f"{handle}-team").members.add(agent)
    return admin


def test_every_settings_page_fits_a_phone(signed_in, screenshot, admin):
    page, errors = _sign_in(signed_in, admin, 390, 844)
    for path in PHONE_PAGES:
        assert page.goto(path).status == 200, path
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{path} is {width} px wide on a 390 px phone"
        nav = page.locator(".settings-nav").bounding_box()
        main = page.locator(".settings-main").bounding_box()
        # the sections are a row above the page, not a column beside it
        assert nav["y"] + nav["height"] <= main["y"], path
        assert main["width"] >= 390 - 2 * 16, path
    screenshot(page, "settings-phone-profile")
    # the current section, far along the row, is scrolled into view
    page.goto("/settings/mailboxes/")
    current = page.locator(".settings-nav [aria-current=page]")
    box = current.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box
    screenshot(page, "settings-phone-mailboxes")
    page.goto("/settings/people/")
    screenshot(page, "settings-phone-people")
    assert not errors, errors


def test_people_and_overview_at_1280px(signed_in, screenshot, admin):
    page, errors = _sign_in(signed_in, admin, 1280, 800)
    page.goto("/settings/people/")
    card = page.locator(".people-layout > .card").first.bounding_box()
    for button in page.get_by_role("link", name="Deactivate…").all():
        box = button.bounding_box()
        assert box["x"] + box["width"] <= card["x"] + card["width"], box
    screenshot(page, "settings-1280-people")

    page.goto("/settings/")
    tops = [c.bounding_box()["y"] for c in page.locator(".settings-halves > .card").all()]
    assert len(tops) == 4
    assert tops[0] == tops[1] and tops[2] == tops[3], tops
    screenshot(page, "settings-1280-home")
    assert not errors, errors
