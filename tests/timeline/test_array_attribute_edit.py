"""Array and multi attributes edit inline: one value per line, or checkboxes when the values
come from an enum or a tree; the form's value reaches the engine as a list, and its errors are
shown beside the field, one per failing item."""

import html as htmllib
import re

import pytest

from customers.services import customer_update
from klasses.services import metadata_update
from tests.events import assert_events
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db

PROPERTIES = {
    "tagsStr": {"displayName": "Tags", "array": True, "maxLength": 10},
    "sizesStr": {
        "displayName": "Sizes",
        "multi": True,
        "enum": ["S", "M", "L"],
        "enumLabels": {"S": "Small", "M": "Medium", "L": "Large"},
    },
    "scoresNum": {"displayName": "Scores", "array": True},
    "datesAt": {"displayName": "Dates", "array": True},
    "plansTree": {
        "displayName": "Plans",
        "array": True,
        "tree": {
            "nodes": [
                {
                    "id": "pro",
                    "displayName": "Pro",
                    "children": [{"id": "y", "displayName": "Yearly"}],
                }
            ]
        },
    },
}


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def customer(org, who):
    customer, _ = build(org, who, orders=False)
    metadata_update(
        org=org, actor=None, resource="customer", force=True, data={"properties": PROPERTIES}
    )
    return customer


@pytest.fixture
def sam(client, who):
    client.force_login(who["sam"])
    return client


def url(customer, name):
    return f"/customers/{customer.pk}/attributes/{name}/"


def textarea(html, name):
    found = re.search(rf'<textarea id="attr-input-{name}"[^>]*>(.*?)</textarea>', html, re.S)
    return htmllib.unescape(found.group(1))


def test_free_values_edit_one_per_line(sam, customer):
    form = sam.get(url(customer, "tagsStr") + "?edit=1").content.decode()
    assert textarea(form, "tagsStr") == ""
    assert "One per line." in form
    response = sam.post(url(customer, "tagsStr"), {"value": "vip\n\n  wholesale \r\n"})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.custom["tagsStr"] == ["vip", "wholesale"]
    assert "vip, wholesale" in response.content.decode()


@pytest.mark.parametrize(
    "name, value",
    [
        ("tagsStr", ["vip", "wholesale"]),
        ("scoresNum", [1, 2.5, 1000000, 0.0025]),
        ("datesAt", ["2030-01-15T04:00:00.000Z", "2030-07-15T04:00:30.250Z"]),
        ("tagsStr", ["[draft]", "x"]),
    ],
)
def test_a_form_saved_untouched_keeps_the_value(sam, org, customer, name, value):
    customer_update(org=org, actor=None, customer=customer, data={"custom": {name: value}})
    customer.refresh_from_db()
    stored = customer.custom[name]
    rev = customer.rev
    text = textarea(sam.get(url(customer, name) + "?edit=1").content.decode(), name)
    with assert_events([]):  # nothing changed: nothing written, no event
        assert sam.post(url(customer, name), {"value": text}).status_code == 200
    customer.refresh_from_db()
    assert customer.custom[name] == stored and customer.rev == rev


def test_enum_values_are_checkboxes(sam, org, customer):
    customer_update(org=org, actor=None, customer=customer, data={"custom": {"sizesStr": ["M"]}})
    form = sam.get(url(customer, "sizesStr") + "?edit=1").content.decode()
    assert '<input type="checkbox" name="value" value="M" checked> Medium' in form
    assert '<input type="checkbox" name="value" value="S" autofocus> Small' in form
    response = sam.post(url(customer, "sizesStr"), {"value": ["", "S", "L"]})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.custom["sizesStr"] == ["S", "L"]
    assert '<span class="enum">Small</span>, <span class="enum">Large</span>' in (
        response.content.decode()
    )
    # none ticked: only the hidden input arrives, and the value is cleared
    assert sam.post(url(customer, "sizesStr"), {"value": [""]}).status_code == 200
    customer.refresh_from_db()
    assert not customer.custom.get("sizesStr")


def test_tree_values_are_checkboxes_of_paths(sam, customer):
    form = sam.get(url(customer, "plansTree") + "?edit=1").content.decode()
    assert 'value="pro.y"> Pro › Yearly' in form
    response = sam.post(url(customer, "plansTree"), {"value": ["", "pro.y", "pro"]})
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.custom["plansTree"] == ["pro.y", "pro"]
    assert "Pro › Yearly" in response.content.decode()


def test_engine_errors_are_shown_per_item(sam, customer):
    response = sam.post(url(customer, "tagsStr"), {"value": "ok\nmuch too long\nfine"})
    assert response.status_code == 422
    html = response.content.decode()
    error = re.search(r'<div class="field-error" id="attr-error-tagsStr"[^>]*>(.*?)</div>', html)
    assert "Item 2 (“much too long”): must be at most 10 characters." in htmllib.unescape(
        error.group(1)
    )
    assert textarea(html, "tagsStr") == "ok\nmuch too long\nfine"  # shown back as typed
    response = sam.post(url(customer, "scoresNum"), {"value": "1\nlots\n3\nmany"})
    text = htmllib.unescape(response.content.decode())
    assert response.status_code == 422
    assert text.index("Item 2 (“lots”)") < text.index("Item 4 (“many”)")
    response = sam.post(url(customer, "sizesStr"), {"value": ["", "S", "XL"]})
    assert response.status_code == 422
    html = htmllib.unescape(response.content.decode())
    assert "Item 2 (“XL”): must be one of: S, M, L." in html
    assert '<input type="checkbox" name="value" value="S" checked autofocus> Small' in html
    customer.refresh_from_db()
    assert "tagsStr" not in customer.custom and "sizesStr" not in customer.custom


def test_the_conversation_card_edits_array_attributes(sam, org, customer, who):
    from conversations.models import Conversation

    metadata_update(
        org=org,
        actor=None,
        resource="conversation",
        force=True,
        data={
            "properties": {"labelsStr": PROPERTIES["sizesStr"], "refsStr": PROPERTIES["tagsStr"]}
        },
    )
    conversation = Conversation.objects.get(customer=customer)
    card = sam.get(f"/customers/{customer.pk}/conversation/").content.decode()
    assert '<input type="checkbox" name="custom.labelsStr" value="S">' in card
    assert '<textarea id="conv-custom-refsStr" name="custom.refsStr"' in card
    response = sam.post(
        f"/customers/{customer.pk}/conversation/",
        {
            "conversation": conversation.pk,
            "status": "open",
            "custom.labelsStr": ["", "M", "L"],
            "custom.refsStr": "A-1\nA-2",
        },
    )
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.custom["labelsStr"] == ["M", "L"]
    assert conversation.custom["refsStr"] == ["A-1", "A-2"]
    response = sam.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "status": "open", "custom.refsStr": "A-1\nfar too long"},
    )
    assert response.status_code == 422
    html = htmllib.unescape(response.content.decode())
    assert (
        '<div class="field-error" id="conv-error-refsStr">'
        "Item 2: must be at most 10 characters.</div>" in html
    )


def test_a_value_no_longer_offered_stays_ticked(sam, org, customer):
    customer_update(org=org, actor=None, customer=customer, data={"custom": {"sizesStr": ["L"]}})
    narrowed = {**PROPERTIES["sizesStr"], "enum": ["S", "M"], "enumLabels": {}}
    metadata_update(
        org=org,
        actor=None,
        resource="customer",
        force=True,
        data={"properties": {**PROPERTIES, "sizesStr": narrowed}},
    )
    form = sam.get(url(customer, "sizesStr") + "?edit=1").content.decode()
    assert '<input type="checkbox" name="value" value="L" checked> L (not an option)' in form
