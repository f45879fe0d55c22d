"""The inbox, a customer page and the notifications at phone, laptop and desktop widths: no
sideways scroll, inbox rows of one height with previews clamped to two lines, and screenshots
in tests/artifacts/ to look at."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

WIDTHS = (390, 1024, 1280, 1920)
LONG = (
    "Hello, I ordered the large walnut desk in October and it still has not arrived; the "
    "tracking page says it left the warehouse three weeks ago and nothing since. Could you "
    "please check with the carrier, and if it is lost send a replacement or refund me? "
    "My address: averyveryveryverylongwordwithoutanybreakopportunityatall@example.com"
)


@pytest.fixture
def desk(db):
    from conversations import services as conv
    from customers.services import customer_create
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="layout-e2e", name="Layout E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=True)
    for i in range(6):
        other = customer_create(
            org=org,
            actor=who["ada"],
            data={
                "name": f"María Fernández-Castellanos de la Vega {i}",
                "emails": [{"email": f"maria.fernandez.castellanos{i}@mail.example.com"}],
            },
        )
        conv.message_create(
            org=org,
            actor=None,
            customer=other,
            data={
                "direction": "in",
                "channel": ["email", "chat", "sms"][i % 3],
                "subject": "A subject that is much too long to fit in the row at all " * 2,
                "body": LONG if i % 2 == 0 else "Short one",
            },
        )
    return org, who, customer, conversation


def _no_sideways_scroll(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def test_desk_pages_hold_at_every_width(desk, signed_in):
    from tests.browser.conftest import ARTIFACTS

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    org, who, customer, _ = desk
    page = signed_in(who["lee"])
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        for name, url in (
            ("inbox", "/inbox/"),
            ("customer", f"/customers/{customer.pk}/"),
            ("notifications", "/notifications/"),
        ):
            page.goto(url)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"))
            if not _no_sideways_scroll(page):
                problems.append(f"{name} scrolls sideways at {width}px")
            if name == "inbox":
                rows = page.locator("[data-inbox-row]")
                heights = {round(rows.nth(i).bounding_box()["height"]) for i in range(rows.count())}
                if len(heights) != 1:
                    problems.append(f"inbox rows of different heights at {width}px: {heights}")
                clamp = page.evaluate(
                    """() => [...document.querySelectorAll('.inbox-row .preview')].every(p => {
                        const lh = parseFloat(getComputedStyle(p).lineHeight);
                        return p.getBoundingClientRect().height <= 2 * lh + 1;
                    })"""
                )
                if not clamp:
                    problems.append(f"a preview runs past two lines at {width}px")
                overlap = page.evaluate(
                    """() => [...document.querySelectorAll('.inbox-row')].every(r => {
                        const text = r.querySelector('.grow').getBoundingClientRect();
                        const meta = r.querySelector('.meta').getBoundingClientRect();
                        return text.right <= meta.left + 0.5 || text.bottom <= meta.top;
                    })"""
                )
                if not overlap:
                    problems.append(f"row text runs under the icons at {width}px")
    assert not problems, problems
