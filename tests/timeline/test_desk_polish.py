"""Small things agents notice: a favicon, a skip link that shows when focused, icons drawn as
SVG (no font glyphs that render as boxes), email addresses that wrap at their seams, money
attributes with their currency, the product's 404 page under DEBUG, demo activity never in
the future."""

import re

import pytest
from django.test import override_settings
from django.utils import timezone

from klasses.schema.definitions import normalize_definition
from tests.timeline.desk_data import build, people
from timeline.insights import format_value, money
from timeline.templatetags.desk import email_breaks

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(org, agent, admin_user):
    who = people(org, agent=agent, admin=admin_user)
    customer, _ = build(org, who, orders=False)
    return who, customer


def test_pages_link_a_favicon_and_the_old_path_finds_it(client, desk):
    who, customer = desk
    client.force_login(who["sam"])
    html = client.get("/inbox/").content.decode()
    assert re.search(r'<link rel="icon" href="/static/img/favicon[^"]*\.svg"', html)
    response = client.get("/favicon.ico")
    assert response.status_code == 302 and response["Location"].endswith("img/favicon.svg")


def test_the_skip_link_is_a_visible_on_focus_link(client, desk):
    who, _ = desk
    client.force_login(who["sam"])
    html = client.get("/inbox/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    from pathlib import Path

    css = (Path(__file__).resolve().parents[2] / "static/css/kdesk.css").read_text()
    assert ".skip-link:focus" in css


def test_the_customer_panel_draws_icons_not_glyphs(client, desk):
    who, customer = desk
    client.force_login(who["sam"])
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    for glyph in "⌗◷☎✉◍⌖▣⌥":
        assert glyph not in html
    assert 'class="icon icon-clock"' in html and 'class="icon icon-email"' in html


def test_emails_wrap_at_their_seams():
    assert str(email_breaks("ken.tanaka@mail.example.com")) == (
        '<span class="email">ken<wbr>.tanaka@<wbr>mail<wbr>.example<wbr>.com</span>'
    )
    assert str(email_breaks("<b>@x")) == '<span class="email">&lt;b&gt;@<wbr>x</span>'


@pytest.mark.parametrize(
    "value,code,expected",
    [
        (1234.5, "USD", "$1,234.50"),
        (0.999, "EUR", "€1.00"),
        (-12, "GBP", "-£12.00"),
        (1200.4, "JPY", "¥1,200"),
        (99, "CHF", "99.00 CHF"),
    ],
)
def test_money_attributes_read_with_their_currency(value, code, expected):
    assert money(value, {"currency": code}) == expected
    html = str(format_value(value, "Num", {"currency": code}))
    assert expected in html and "money" in html


def test_currency_is_checked_in_the_definition():
    definition, errors = _normalize("totalNum", {"currency": "EUR"})
    assert not errors and definition["currency"] == "EUR"
    _, errors = _normalize("totalNum", {"currency": "euro"})
    assert errors and "ISO 4217" in errors[0].detail
    _, errors = _normalize("nameStr", {"currency": "EUR"})
    assert errors and "Num attributes only" in errors[0].detail


def _normalize(name, raw):
    return normalize_definition(name, raw)


@override_settings(DEBUG=True)
def test_a_404_under_debug_is_the_products_page(client, desk):
    who, _ = desk
    client.force_login(who["sam"])
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "URLconf" not in html and "Using the URLconf" not in html
    assert 'class="topbar"' in html  # our page, in our layout
    api = client.get("/v1/no-such-thing")
    assert api.status_code == 404 and api["Content-Type"].startswith("application/")


def test_demo_customers_are_never_active_in_the_future(org, admin_user):
    from customers import demo
    from customers.models import Customer

    demo.seed(org, {"ada": admin_user})
    assert Customer.objects.filter(org=org).exists()
    assert not Customer.objects.filter(org=org, last_activity_at__gt=timezone.now()).exists()
