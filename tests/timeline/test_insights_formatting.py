"""The insights panel formats values by type: Tree as a path, Bool as a check, At in the agent's
time zone (with the year only when it is not this year), Url as a link opened in a new tab with
rel=noopener, Num with separators and without rounding small decimals away."""

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from customers.services import customer_update
from klasses.services import metadata_update
from tests.timeline.desk_data import build, people
from timeline.insights import format_value

pytestmark = pytest.mark.django_db

TREE = {
    "nodes": [
        {
            "id": "pro",
            "displayName": "Pro",
            "children": [{"id": "yearly", "displayName": "Yearly"}],
        },
        {
            "id": "basic",
            "displayName": "Basic",
            "children": [{"id": "m", "displayName": "Monthly"}],
        },
    ]
}


@pytest.fixture
def who(org, agent, admin_user):
    agent.time_zone = "America/New_York"
    agent.save(update_fields=["time_zone"])
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def panel(client, org, who):
    customer, _ = build(org, who, orders=False)
    metadata_update(
        org=org,
        actor=None,
        resource="customer",
        force=True,
        data={
            "properties": {
                "planTree": {"displayName": "Plan", "tree": TREE},
                "pastPlansTree": {"displayName": "Past plans", "array": True, "tree": TREE},
                "renewsAt": {"displayName": "Renews"},
                "seenAt": {"displayName": "Seen"},
                "homepageUrl": {"displayName": "Homepage"},
                "rateNum": {"displayName": "Rate"},
                "spentNum": {"displayName": "Spent"},
            }
        },
    )
    client.force_login(who["sam"])

    def show(custom):
        customer_update(org=org, actor=None, customer=customer, data={"custom": custom})
        return client.get(f"/customers/{customer.pk}/insights/").content.decode()

    return show


def attr(html, name):
    return re.search(rf'<div class="attr" id="attr-{name}"[^>]*>.*?</dd>', html, re.S).group(0)


def test_tree_values_are_paths_of_display_names(panel):
    html = panel({"planTree": "pro.yearly", "pastPlansTree": ["basic.m", "pro.yearly"]})
    assert "Pro › Yearly" in attr(html, "planTree")
    assert (
        '<span class="tree-path">Basic › Monthly</span>, <span class="tree-path">Pro › Yearly</span>'
        in attr(html, "pastPlansTree")
    )


def test_bools_are_a_check_or_a_cross(panel):
    assert '<span class="check" aria-label="Yes">✓ Yes</span>' in attr(
        panel({"vipBool": True}), "vipBool"
    )
    assert '<span class="cross" aria-label="No">✗ No</span>' in attr(
        panel({"vipBool": False}), "vipBool"
    )


def test_times_are_in_the_agents_zone_with_the_year_only_when_not_this_year(panel):
    now = timezone.now().replace(microsecond=0)
    old = now - timedelta(days=800)
    html = panel({"seenAt": now.isoformat(), "renewsAt": "2031-07-04T16:05:00Z"})
    local = now.astimezone(ZoneInfo("America/New_York"))
    seen = attr(html, "seenAt")
    assert f">{local:%b} {local.day}, {local:%H:%M}</span>" in seen
    assert "<time" not in seen  # a <time datetime> would be rewritten in the browser's zone
    renews = attr(html, "renewsAt")
    assert ">Jul 4, 2031, 12:05</span>" in renews  # EDT, UTC-4
    assert 'title="Fri Jul 4, 2031, 12:05:00 EDT"' in renews
    html = panel({"seenAt": old.isoformat()})
    local = old.astimezone(ZoneInfo("America/New_York"))
    assert f">{local:%b} {local.day}, {local.year}, {local:%H:%M}</span>" in attr(html, "seenAt")


def test_urls_open_in_a_new_tab_without_opener(panel):
    html = attr(panel({"homepageUrl": "https://grace.example.com/docs?a=1&b=2"}), "homepageUrl")
    link = re.search(r"<a [^>]*>", html).group(0)
    assert 'href="https://grace.example.com/docs?a=1&amp;b=2"' in link
    assert 'target="_blank"' in link and re.search(r'rel="[^"]*\bnoopener\b', link)
    assert "<a " not in format_value("javascript:alert(1)", "Url", {}, "UTC")


@pytest.mark.parametrize(
    "value, text",
    [(1234567, "1,234,567"), (1234.5, "1,234.5"), (0.0025, "0.0025"), (2.0, "2"), (-0.5, "-0.5")],
)
def test_numbers_have_separators_and_keep_their_decimals(panel, value, text):
    assert f'<span class="num">{text}</span>' in attr(panel({"rateNum": value}), "rateNum")


def test_pushed_fragments_still_leave_times_to_the_browser():
    html = format_value("2031-07-04T16:05:00.000Z", "At", {})
    assert html.startswith('<time datetime="2031-07-04T16:05:00+00:00" data-absolute>')
