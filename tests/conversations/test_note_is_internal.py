"""Kustomer clients send `isInternal: true` on notes: accepted (a note is always internal);
`false` is a 400 that points the client at messages instead."""

import pytest

from conversations.models import Note
from tests.conversations.factories import ConversationCustomerFactory, ConversationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def conv(org):
    customer = ConversationCustomerFactory(org=org, name="Jane Doe")
    return ConversationFactory(org=org, customer=customer, name="Late parcel")


def test_is_internal_true_is_accepted_and_read_back(api, conv):
    r = api.post(f"/v1/conversations/{conv.pk}/notes", {"body": "Checked", "isInternal": True})
    assert r.status_code == 201, r.json()
    note = r.json()["data"]
    assert note["attributes"]["isInternal"] is True
    again = api.get(note["links"]["self"]).json()["data"]
    assert again["attributes"]["isInternal"] is True and again["attributes"]["body"] == "Checked"


def test_is_internal_false_says_to_send_a_message(api, conv):
    r = api.post(f"/v1/conversations/{conv.pk}/notes/", {"body": "Hi", "isInternal": False})
    assert r.status_code == 400
    (error,) = r.json()["errors"]
    assert error["source"]["pointer"] == "/isInternal"
    assert "/v1/conversations/{id}/messages" in error["detail"]
    r = api.post(f"/v1/conversations/{conv.pk}/notes", {"body": "", "isInternal": "yes"})
    assert {e["source"]["pointer"] for e in r.json()["errors"]} == {"/isInternal", "/body"}
    assert not Note.objects.exists()
