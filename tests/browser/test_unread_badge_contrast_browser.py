"""The unread count on the bell is readable: white on a red dark enough for its 11 px bold
figures (WCAG AA, 4.5:1). axe-core leaves a badge over the dark top bar as "needs review", so
the ratio is computed here from the colours the browser paints."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_unread_badge_has_enough_contrast(db, signed_in, screenshot):
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="badge-e2e", name="Badge E2E")
    who = people(org)
    build(org, who, orders=False)  # Sam's note mentions @lee: Lee has one unread
    page = signed_in(who["lee"], viewport={"width": 1280, "height": 800})
    badge = page.locator("#notif-count")
    assert badge.is_visible() and badge.inner_text() == "1"
    ratio = page.evaluate(
        """() => {
          const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
          const lum = (c) => {
            const [r, g, b] = rgb(c).map((v) => {
              v /= 255;
              return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
          };
          const style = getComputedStyle(document.getElementById("notif-count"));
          const fg = lum(style.color), bg = lum(style.backgroundColor);
          return (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
        }"""
    )
    assert ratio >= 4.5, ratio
    screenshot(page, "unread-badge")
