"""A KView cannot change the data it is given: the context is shared by every card of a page,
so an attempt to mutate it fails that card's render and the next card still sees the data."""

import pytest

from klasses import kviews, services
from klasses.models import KView
from tests.customers.factories import CustomerFactory
from timeline import cards

MUTATIONS = [
    "{{ customer.pop('name') }}",
    "{{ customer.popitem() }}",
    "{{ customer.clear() }}",
    "{{ customer.update({'name': 'Mallory'}) }}",
    "{{ customer.setdefault('x', 1) }}",
    "{{ customer.custom.update({'tierStr': 'none'}) }}",
    "{{ customer.custom.pop('tierStr') }}",
    "{{ customer.emails.append('mallory@evil.test') }}",
    "{{ customer.emails.pop() }}",
    "{{ customer.emails.clear() }}",
    "{{ customer.emails.remove('grace@example.com') }}",
    "{{ customer.emails.insert(0, 'x') }}",
    "{{ customer.emails.extend(['x']) }}",
    "{{ customer.emails.reverse() }}",
    "{{ customer.tags.sort() }}",
    "{{ customer|attr('clear') }}{{ (customer|attr('clear'))() }}",
    "{% set c = customer %}{{ c.pop('name') }}",
    "{% for o in objects %}{{ o.data.clear() }}{% endfor %}",
    "{{ objects.pop() }}",
    "{{ object.data.update({'totalNum': 0}) }}",
    "{{ klass.update({'name': 'x'}) }}",
]


@pytest.fixture
def page(org):
    customer = CustomerFactory(
        org=org,
        name="Grace Hopper",
        emails=[{"type": "work", "email": "grace@example.com"}],
        tags=["vip", "beta"],
        custom={"tierStr": "gold"},
    )
    klass = services.klass_create(org=org, actor=None, data={"name": "order"})
    services.kobject_create(
        org=org,
        actor=None,
        klass=klass,
        data={"title": "Order 1", "customer": customer.pk, "data": {"totalNum": 40}},
    )
    return customer


SHOWS = (
    "<p>{{ customer.name }}|{{ customer.emails|join(',') }}|{{ customer.tags|join(',') }}|"
    "{{ customer.custom.tierStr }}|{{ objects|length }}|{{ object.data.totalNum }}|"
    "{{ klass.name }}</p>"
)
EXPECTED = "<p>Grace Hopper|grace@example.com|vip,beta|gold|1|40|order</p>"


@pytest.mark.django_db
@pytest.mark.parametrize("mutation", MUTATIONS)
def test_a_mutation_fails_its_card_and_the_next_card_sees_the_data(org, page, mutation):
    for position, template in enumerate([SHOWS, mutation, SHOWS]):
        KView.objects.create(
            org=org,
            name=f"card {position}",
            resource="kobject.order",
            context="insight-card",
            template=template,
            position=position,
        )

    before, attempt, after = cards.insight_cards(org=org, customer=page)

    assert before.ok and before.html == EXPECTED
    assert not attempt.ok, attempt.html
    assert after.ok and after.html == EXPECTED


def test_a_template_still_changes_what_it_builds_itself():
    out = kviews.render(
        "{% set seen = [] %}{% set d = {} %}{% for e in customer.emails %}"
        "{{ seen.append(e) or '' }}{{ d.update({e: 1}) or '' }}{% endfor %}"
        "{{ seen|length }}/{{ d|length }}/{{ customer.emails|length }}",
        {"customer": {"emails": ["a@x.io", "b@x.io"]}},
    )
    assert out.ok and out.html == "2/2/2", out.error


def test_the_callers_context_is_left_as_it_was():
    context = {"customer": {"name": "Grace", "emails": ["a@x.io"]}}

    out = kviews.render("{{ customer.emails.append('x') }}{{ customer.pop('name') }}", context)

    assert not out.ok
    assert context == {"customer": {"name": "Grace", "emails": ["a@x.io"]}}
    assert kviews.render("{{ customer|tojson }}", context).ok
