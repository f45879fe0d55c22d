"""What fits where on the desk, found by looking at it: the inbox's meta column keeps its
channel icons whole and gives way on the assignee's name; tag chips stay inside that column on a
phone; a very long customer name and external id wrap inside the customer header; the
conversation card's buttons stay inside the card on a phone; timeline headers wrap whole items
instead of squeezing the sender's name into a column a word wide; the customer list fits a phone
(name and email only); the merge preview's facts line up in one column of values."""

import pytest

from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db(transaction=True)

LONG_NAME = (
    "Maximiliana Wolfeschlegelsteinhausenbergerdorff-Featherstonehaugh-Cholmondeley "
    "de la Vega y Montenegro"
)


@pytest.fixture
def desk(db):
    from conversations import services as conv
    from customers.services import customer_create
    from tests.factories import OrganizationFactory

    org = OrganizationFactory(slug="fit-e2e", name="Fit E2E")
    who = people(org)
    customer, conversation = build(org, who, orders=False)
    # one conversation with everything the meta column shows: lowest priority (a long label),
    # three channels, an assignee and two tags
    for channel in ("chat", "sms"):
        conv.message_create(
            org=org,
            actor=None,
            conversation=conversation,
            data={"direction": "in", "channel": channel, "body": f"Also by {channel}."},
        )
    conv.conversation_update(
        org=org,
        actor=who["ada"],
        conversation=conversation,
        data={"priority": 1, "assignedUser": who["lee"].pk, "tags": ["billing", "shipping"]},
    )
    long_one = customer_create(
        org=org,
        actor=who["ada"],
        data={
            "name": LONG_NAME,
            "externalId": "cus-" + "X" * 60,
            "emails": [{"email": "maximiliana.wolfeschlegelsteinhausenbergerdorff@example.com"}],
        },
    )
    conv.message_create(
        org=org,
        actor=None,
        customer=long_one,
        data={"direction": "in", "channel": "email", "subject": "Hello", "body": "Hi there."},
    )
    return org, who, customer, long_one


def _meta_fit(page):
    return page.evaluate(
        """() => [...document.querySelectorAll('.inbox-row')].map(row => {
            const meta = row.querySelector('.meta').getBoundingClientRect();
            const inside = el => {
                const r = el.getBoundingClientRect();
                return r.width === 0 || (r.left >= meta.left - 0.5 && r.right <= meta.right + 0.5);
            };
            return {
                icons: [...row.querySelectorAll('.channels .channel .icon')]
                    .map(i => Math.round(i.getBoundingClientRect().width)),
                inside: [...row.querySelectorAll('.channels > *, .row-tags > *')].every(inside),
            };
        })"""
    )


def test_the_inbox_meta_column_keeps_icons_whole_and_everything_inside(desk, signed_in):
    org, who, customer, _ = desk
    page = signed_in(who["sam"])
    for width in (1280, 1024, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/inbox/?scope=all")
        page.locator("[data-inbox-row]").first.wait_for()
        rows = _meta_fit(page)
        assert rows and all(r["inside"] for r in rows), (width, rows)
        if width > 640:
            icons = [w for r in rows for w in r["icons"]]
            assert icons and set(icons) == {14}, (width, rows)
        else:  # a phone shows priority and assignee, not the channel icons
            assert all(r["icons"] == [0] * len(r["icons"]) for r in rows), rows
    row = page.locator(".inbox-item", has_text="Grace Hopper")
    assert row.locator(".assignee").inner_text() == "Lee Chen"


def test_a_short_assignee_name_is_whole_beside_priority_and_three_channels(desk, signed_in):
    """At 1280 and 1024 px "Lee Chen" beside "Lowest" and three channel icons is not cut to
    "Lee C…" (the meta column had room for the icons and a few letters)."""
    org, who, customer, _ = desk
    page = signed_in(who["sam"])
    for width in (1280, 1024):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/inbox/?scope=all")
        assignee = page.locator(".inbox-item", has_text="Grace Hopper").locator(".assignee")
        assignee.wait_for()
        cut = assignee.evaluate("el => el.scrollWidth > el.clientWidth")
        assert not cut, width


def test_a_long_customer_and_the_conversation_card_fit_a_phone(desk, signed_in):
    org, who, customer, long_one = desk
    page = signed_in(who["sam"])
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"/customers/{long_one.pk}/")
    page.locator("#conversation-card .conv-actions").wait_for()
    fit = page.evaluate(
        """() => {
            const head = document.querySelector('.customer-head').getBoundingClientRect();
            const body = document.querySelector('#conversation-card .conv-fields');
            const pad = parseFloat(getComputedStyle(body).paddingLeft);
            const box = body.getBoundingClientRect();
            const within = (sel, outer) => {
                const r = document.querySelector(sel).getBoundingClientRect();
                return r.left >= outer.left - 0.5 && r.right <= outer.right + 0.5;
            };
            return {
                name: within('#customer-name', head),
                sub: within('#customer-sub', head),
                actions: document.querySelector('.conv-actions').getBoundingClientRect().width,
                content: box.width - 2 * pad,
                done: within('#done-next', {left: box.left + pad, right: box.right - pad}),
            };
        }"""
    )
    assert fit["name"] and fit["sub"] and fit["done"], fit
    assert abs(fit["actions"] - fit["content"]) < 1, fit


def test_timeline_headers_wrap_whole_items_on_a_phone(desk, signed_in):
    org, who, customer, _ = desk
    page = signed_in(who["sam"])
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(f"/customers/{customer.pk}/")
    page.locator("#timeline-entries .tl-entry header").first.wait_for()
    heads = page.evaluate(
        """() => [...document.querySelectorAll('#timeline-entries .tl-entry header')].map(h => {
            const line = parseFloat(getComputedStyle(h).lineHeight) || 20;
            const tall = [...h.querySelectorAll(':scope > .tl-kind, :scope > .muted, :scope > time')]
                .filter(el => el.getBoundingClientRect().height > 1.5 * line).length;
            const sys = h.querySelector('.tl-sys'), time = h.querySelector('time');
            const overlap = sys && time && (() => {
                const a = sys.getBoundingClientRect(), b = time.getBoundingClientRect();
                return a.right > b.left + 0.5 && a.bottom > b.top + 0.5 && b.bottom > a.top + 0.5;
            })();
            return {tall, overlap: !!overlap, text: h.innerText.slice(0, 60)};
        })"""
    )
    assert heads, "no timeline entries"
    assert not [h for h in heads if h["tall"] or h["overlap"]], heads


def test_the_customer_list_fits_a_phone(desk, signed_in):
    org, who, customer, long_one = desk
    page = signed_in(who["sam"])
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto("/customers/")
    page.locator("#customer-rows a", has_text="Grace Hopper").wait_for()
    fit = page.evaluate(
        """() => {
            const table = document.querySelector('.customers-table').getBoundingClientRect();
            const card = document.querySelector('.customers-table').parentElement
                .getBoundingClientRect();
            const shown = [...document.querySelectorAll('.customers-table thead th')]
                .filter(th => th.getBoundingClientRect().width > 0).map(th => th.innerText);
            return {fits: table.right <= card.right + 0.5, shown};
        }"""
    )
    assert fit["fits"], fit
    assert [h.lower() for h in fit["shown"]] == ["name", "email"], fit


def test_the_merge_preview_lines_up_its_values(desk, signed_in):
    org, who, customer, long_one = desk
    page = signed_in(who["sam"])
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/customers/{customer.pk}/merge/?other={long_one.pk}")
        page.locator(".merge-facts dd").first.wait_for()
        lefts = page.evaluate(
            """() => [...document.querySelectorAll('.merge-facts')].map(dl =>
                [...new Set([...dl.querySelectorAll('dd')]
                    .map(dd => Math.round(dd.getBoundingClientRect().left)))])"""
        )
        assert len(lefts) == 2 and all(len(x) == 1 for x in lefts), (width, lefts)


def test_a_phones_top_bar_is_two_lines(desk, signed_in):
    """On a phone the top bar wraps to two lines, the search with "Sign out" beside it (it had
    a line of its own, a third, above the search)."""
    org, who, customer, _ = desk
    page = signed_in(who["sam"])
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/inbox/")
    search = page.locator(".topbar .search").bounding_box()
    sign_out = page.get_by_role("button", name="Sign out").bounding_box()
    inbox = page.locator(".topbar .nav").get_by_role("link", name="Inbox").bounding_box()
    assert sign_out["y"] > inbox["y"] + inbox["height"]  # on the second line…
    assert search["y"] <= sign_out["y"] <= search["y"] + search["height"]  # …beside the search
    assert sign_out["x"] + sign_out["width"] <= 390
    assert page.locator(".topbar").bounding_box()["height"] < 100
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_the_quick_find_hint_is_whole(desk, signed_in):
    """The inbox's quick find says what it takes in words that fit its box at 1280 px (it read
    "Name, email, phone, exte"); the rest is in its title."""
    org, who, customer, _ = desk
    page = signed_in(who["sam"])
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto("/inbox/")
    box = page.locator("#quick-find")
    text, room = box.evaluate(
        """el => {
            const s = getComputedStyle(el);
            const ctx = document.createElement('canvas').getContext('2d');
            ctx.font = s.font;
            const room = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
            return [ctx.measureText(el.placeholder).width, room];
        }"""
    )
    assert text <= room, (text, room)
    assert "order number" in box.get_attribute("title")
