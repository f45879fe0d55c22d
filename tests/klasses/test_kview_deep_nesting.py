"""Templates nested past what Jinja's parser and Python's compiler can take (66+ parentheses,
deep `[`, nested {% if %}/{% for %}, long runs of `not` or `-`, long chains) are a 400 naming
`template` / `urlTemplate` when saved; one stored before that check fails its card, never the
page."""

import pytest

from klasses.kviews import engine as kviews
from klasses.models import KView
from tests.customers.factories import CustomerFactory
from tests.klasses.factories import KViewFactory
from timeline import cards

pytestmark = pytest.mark.django_db

DEEP = {
    "parentheses": "{{ " + "(" * 70 + "1" + ")" * 70 + " }}",
    "brackets": "{{ " + "[" * 300 + "1" + "]" * 300 + " }}",
    "braces": "{{ " + "{'a': " * 100 + "1" + "}" * 100 + " }}",
    "nested ifs": "{% if 1 %}" * 80 + "x" + "{% endif %}" * 80,
    "nested fors": "{% for a in [1] %}" * 30 + "x" + "{% endfor %}" * 30,
    "set blocks": "{% set x %}" * 40 + "{% endset %}" * 40,
    "run of not": "{{ " + "not " * 2000 + "1 }}",
    "run of minus": "{{ " + "-" * 2000 + "1 }}",
    "chain of +": "{{ " + " + ".join(["1"] * 1000) + " }}",
    "chain of filters": "{{ 1" + "|abs" * 1000 + " }}",
    "chain of lookups": "{{ customer" + ".a" * 1000 + " }}",
    "chain of and": "{{ " + " and ".join(["1"] * 1000) + " }}",
}


def _kview(template=None, url=None):
    body = {"name": "Deep", "resource": "customer", "context": "insight-card"}
    if url is not None:
        body.update(kind="iframe", urlTemplate=url)
    else:
        body["template"] = template
    return body


def _error(response):
    assert response.status_code == 400, response.content
    errors = response.json()["errors"]
    assert len(errors) == 1, errors
    return errors[0]


@pytest.mark.parametrize("name", DEEP)
def test_a_deep_template_is_a_400_naming_it(api, name):
    error = _error(api.post("/v1/kviews", _kview(DEEP[name])))

    assert error["source"]["pointer"] == "/template"
    assert "line 1" in error["detail"] and ("nest" in error["detail"] or "row" in error["detail"])
    assert "Recursion" not in error["detail"]
    assert not KView.objects.exists()


@pytest.mark.parametrize(
    "deep",
    [
        DEEP["parentheses"],
        "{{ " + "not " * 300 + "1 }}",
        "{{ 1" + "|abs" * 300 + " }}",
        "{% if 1 %}" * 20 + "{% endif %}" * 20,
    ],
)
def test_a_deep_url_template_is_a_400_naming_it(api, deep):
    url = "https://cards.example.com/?q=" + deep

    error = _error(api.post("/v1/kviews", _kview(url=url)))

    assert error["source"]["pointer"] == "/urlTemplate"


def test_a_put_with_a_deep_template_changes_nothing(api):
    created = api.post("/v1/kviews", _kview("<p>{{ customer.name }}</p>")).json()["data"]

    error = _error(api.put(f"/v1/kviews/{created['id']}", {"template": DEEP["parentheses"]}))

    assert error["source"]["pointer"] == "/template"
    assert KView.objects.get().template == "<p>{{ customer.name }}</p>"


def test_nesting_a_card_needs_is_fine(api):
    template = (
        "{% for e in customer.emails %}{% if e %}{% if (((e|length) > 1) and not not e) %}"
        "<p>{{ [[[e]]][0][0][0]|upper|lower|trim }}</p>{% endif %}{% endif %}{% endfor %}"
    )
    assert api.post("/v1/kviews", _kview(template)).status_code == 201


@pytest.mark.parametrize("name", DEEP)
def test_a_stored_deep_template_fails_its_card_not_the_page(org, admin_user, client, name):
    customer = CustomerFactory(org=org, name="Grace Hopper")
    KViewFactory(
        org=org, name="Deep", resource="customer", context="insight-card", template=DEEP[name]
    )
    KViewFactory(
        org=org,
        name="Name",
        resource="customer",
        context="insight-card",
        template="<p>{{ customer.name }}</p>",
        position=1,
    )
    kviews._compile.cache_clear()
    kviews._check_nesting.cache_clear()

    deep, fine = cards.insight_cards(org=org, customer=customer)

    assert not deep.ok and "Recursion" not in deep.error
    assert fine.ok and fine.html == "<p>Grace Hopper</p>"
    client.force_login(admin_user)
    assert client.get(f"/customers/{customer.pk}/").status_code == 200
