"""An edited or deleted message or note shows its latest state on its own entry, where it
happened in time (page, API and live push); the page costs the same number of queries."""

import pytest

from conversations import services
from conversations.models import Message, Note
from kdesk.models import Event
from tests.timeline.desk_data import build, people
from timeline import fragments
from timeline.selectors import timeline_page

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def desk(org, who):
    customer, conversation = build(org, who, orders=False)
    note = services.note_create(
        org=org, actor=who["sam"], conversation=conversation, data={"body": "First draft"}
    )
    message = Message.objects.filter(conversation=conversation).order_by("id").first()
    return customer, conversation, note, message


def rows_by_type(org, customer):
    rows, _ = timeline_page(org=org, customer_id=customer.pk, limit=100)
    return rows


def test_the_page_folds_edits_and_deletes_into_their_entries(
    org, who, desk, django_assert_num_queries
):
    customer, conversation, note, message = desk
    before = len(rows_by_type(org, customer))
    services.note_update(org=org, actor=who["sam"], note=note, data={"body": "Final @lee"})
    services.message_delete(org=org, actor=who["ada"], message=message)
    with django_assert_num_queries(1):
        rows = rows_by_type(org, customer)
    assert len(rows) == before  # no entries of their own
    assert not {r["type"] for r in rows} & {
        "conversation.note.update",
        "conversation.message.delete",
    }
    note_row = next(r for r in rows if r["resource"] == "note" and r["resource_id"] == str(note.pk))
    assert note_row["edited"] and note_row["data"]["attributes"]["body"] == "Final @lee"
    gone = next(
        r for r in rows if r["resource"] == "message" and r["resource_id"] == str(message.pk)
    )
    assert gone["deleted"] and not gone.get("edited")
    untouched = [r for r in rows if r["resource"] == "message" and r is not gone]
    assert untouched and not any(r.get("edited") or r.get("deleted") for r in untouched)


def test_the_desk_and_the_api_show_the_latest_state(client, api, org, who, desk):
    customer, conversation, note, message = desk
    services.note_update(org=org, actor=who["sam"], note=note, data={"body": "Final text"})
    services.message_delete(org=org, actor=who["ada"], message=message)
    client.force_login(who["sam"])
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "Final text" in html and "First draft" not in html and "(edited)" in html
    assert "This message was deleted." in html
    assert "my parcel has not arrived" not in html
    entries = api.get(f"/v1/customers/{customer.pk}/timeline?limit=100").json()["data"]
    by_resource = {(e["attributes"]["resource"], e["attributes"]["resourceId"]): e for e in entries}
    edited = by_resource[("note", str(note.pk))]["attributes"]
    assert edited["edited"] is True and edited["data"]["attributes"]["body"] == "Final text"
    assert by_resource[("message", str(message.pk))]["attributes"]["deleted"] is True


def test_a_live_edit_replaces_the_entry_in_place(org, who, desk):
    customer, conversation, note, _ = desk
    created = Event.objects.get(type="conversation.note.create", resource_id=str(note.pk))
    services.note_update(org=org, actor=who["sam"], note=note, data={"body": "Changed"})
    update = Event.objects.get(type="conversation.note.update")
    ops = fragments.ops_for(update, f"customer.{customer.pk}")
    assert ops[0]["op"] == "replace" and ops[0]["target"] == f"#entry-{created.pk}"
    assert f'id="entry-{created.pk}"' in ops[0]["html"] and "Changed" in ops[0]["html"]
    assert "(edited)" in ops[0]["html"]
    services.note_delete(org=org, actor=who["sam"], note=note)
    delete = Event.objects.get(type="conversation.note.delete")
    (replace, refresh) = fragments.ops_for(delete, f"customer.{customer.pk}")
    assert "This note was deleted." in replace["html"] and "Changed" not in replace["html"]
    assert refresh == {"op": "refresh", "topic": f"customer.{customer.pk}", "part": "conversation"}
    assert not Note.objects.filter(pk=note.pk).exists()


def test_a_deleted_conversation_says_so(client, org, who, desk):
    customer, conversation, _, _ = desk
    services.conversation_delete(org=org, actor=who["ada"], conversation=conversation)
    client.force_login(who["sam"])
    html = client.get(f"/customers/{customer.pk}/").content.decode()
    assert "deleted the conversation" in html
    assert "This message was deleted." in html and "This note was deleted." in html
