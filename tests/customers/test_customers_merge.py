"""Merging two customers: everything of the source moves to the target, one event."""

import pytest
from django.apps import apps
from django.utils import timezone

from customers import services
from customers.models import Customer, Identity
from kdesk.errors import NotFound, ValidationFailed
from kdesk.models import Event
from tests.events import assert_events

pytestmark = pytest.mark.django_db


def create(org, **data):
    return services.customer_create(org=org, actor=None, data=data)


@pytest.fixture
def pair(org):
    target = create(
        org,
        name="Grace Hopper",
        emails=[{"email": "grace@x.io"}],
        tags=["navy"],
        custom={"tierStr": "gold"},
    )
    source = create(
        org,
        name="G. Hopper",
        externalId="gh-1",
        emails=[{"email": "gh@x.io"}, {"email": "gh2@x.io"}],
        phones=[{"phone": "+14155552671"}],
        socials=[{"type": "twitter", "username": "gh"}],
        tags=["vip", "navy"],
        locale="en-US",
        custom={"tierStr": "silver", "vipBool": True},
    )
    return source, target


def _rows(org, source, target):
    """One conversation, message, note, notification and KObject on the source, if installed."""
    made = {}
    try:
        conversation_model = apps.get_model("conversations", "Conversation")
    except LookupError:
        conversation_model = None
    if conversation_model is not None:
        conv = conversation_model.objects.create(org=org, customer=source, name="Hi")
        made["Conversation"] = conv.pk
        message_model = apps.get_model("conversations", "Message")
        made["Message"] = message_model.objects.create(
            org=org, conversation=conv, customer=source, direction="in", channel="email", body="x"
        ).pk
        note_model = apps.get_model("conversations", "Note")
        made["Note"] = note_model.objects.create(
            org=org, conversation=conv, customer=source, body="note"
        ).pk
    from klasses.models import Klass, KObject

    klass = Klass.objects.create(org=org, name="order", display_name="Order")
    made["KObject"] = KObject.objects.create(
        org=org, klass=klass, customer=source, title="Order 1"
    ).pk
    return made


def test_merge_moves_everything_each_owner_recording_its_events(org, admin_user, pair):
    source, target = pair
    made = _rows(org, source, target)
    history = Event.objects.filter(customer_id=source.pk).count()
    assert history == 1
    started = timezone.now()

    # The apps that own the moved rows record their updates; the merge itself one event, last.
    with assert_events(fields=("type", "resource_id", "customer_id")) as emitted:
        merged = services.customer_merge(org=org, actor=admin_user, source=source, target=target)

    assert merged.pk == target.pk and merged.rev == 2
    assert not Customer.objects.filter(pk=source.pk).exists()
    assert [e["email"] for e in merged.emails] == ["grace@x.io", "gh@x.io", "gh2@x.io"]
    assert merged.phones == [{"type": "other", "phone": "+14155552671"}]
    assert merged.tags == ["navy", "vip"]
    assert merged.custom == {"tierStr": "gold", "vipBool": True}  # target wins
    assert merged.external_id == "gh-1" and merged.locale == "en-US"
    assert merged.name == "Grace Hopper"
    assert Identity.objects.filter(customer=target).count() == 5
    assert not Identity.objects.filter(customer_id=source.pk).exists()
    for name, pk in made.items():
        app = "klasses" if name == "KObject" else "conversations"
        model = apps.get_model(app, name)
        row = model.objects.get(pk=pk)
        assert row.customer_id == target.pk, name
        if hasattr(row, "rev"):  # a sync by updated_at must see the moved row
            assert row.rev == 2 and row.updated_at >= started, name
    assert not Event.objects.filter(customer_id=source.pk).exists()
    assert emitted == [
        ("conversation.update", str(made["Conversation"]), target.pk),
        ("conversation.message.update", str(made["Message"]), target.pk),
        ("conversation.note.update", str(made["Note"]), target.pk),
        ("kobject.order.update", str(made["KObject"]), target.pk),
        ("customer.merge", str(target.pk), target.pk),
    ]
    moved = Event.objects.get(type="conversation.update", resource_id=str(made["Conversation"]))
    assert moved.rev == 2
    assert moved.changes == {"customer": {"before": str(source.pk), "after": str(target.pk)}}
    event = Event.objects.latest("id")
    assert event.type == "customer.merge" and event.customer_id == target.pk
    assert event.data["merged"] == {"sourceId": str(source.pk)}
    assert event.data["id"] == str(target.pk)
    assert event.data["attributes"]["custom"] == {"tierStr": "gold", "vipBool": True}
    assert event.changes["custom.vipBool"] == {"before": None, "after": True}
    assert event.changes["externalId"] == {"before": None, "after": "gh-1"}
    # The identities of the source now find the target.
    from customers.selectors import customer_by_email, customer_by_external_id

    assert customer_by_email(org=org, email="gh2@x.io")["id"] == target.pk
    assert customer_by_external_id(org=org, external_id="gh-1")["id"] == target.pk


def test_merge_moves_relationship_links(org, pair):
    from klasses.models import Link, Relationship

    source, target = pair
    rel = Relationship.objects.create(
        org=org, name="friends", from_resource="customer", to_resource="customer",
        cardinality="many_to_many",
    )  # fmt: skip
    other = create(org, name="Other")
    kept = Link.objects.create(org=org, relationship=rel, from_id=str(source.pk), to_id="77")
    dup = Link.objects.create(org=org, relationship=rel, from_id=str(source.pk), to_id="88")
    Link.objects.create(org=org, relationship=rel, from_id=str(target.pk), to_id="88")
    back = Link.objects.create(
        org=org, relationship=rel, from_id=str(other.pk), to_id=str(source.pk)
    )
    services.customer_merge(org=org, actor=None, source=source.pk, target=target.pk)
    kept.refresh_from_db()
    back.refresh_from_db()
    assert kept.from_id == str(target.pk) and back.to_id == str(target.pk)
    assert not Link.objects.filter(pk=dup.pk).exists()


def test_merge_refuses_bad_input_and_changes_nothing(org, other_org, pair):
    source, target = pair
    foreign = create(other_org, name="Foreign")
    with pytest.raises(NotFound) as exc:
        services.customer_merge(org=org, actor=None, source=foreign.pk, target=target.pk)
    assert [e.pointer for e in exc.value.errors] == ["/source"]
    with pytest.raises(NotFound) as exc:
        services.customer_merge(org=org, actor=None, source=source.pk, target=foreign.pk)
    assert [e.pointer for e in exc.value.errors] == ["/target"]
    with pytest.raises(ValidationFailed) as exc:
        services.customer_merge(org=org, actor=None, source=source.pk, target=source.pk)
    assert [e.pointer for e in exc.value.errors] == ["/source"]
    with pytest.raises(ValidationFailed) as exc:
        services.customer_merge(org=org, actor=None, source=None, target="x")
    assert {e.pointer for e in exc.value.errors} == {"/source", "/target"}
    assert Customer.objects.filter(org=org).count() == 2
    assert not Event.objects.filter(type="customer.merge").exists()
    foreign.refresh_from_db()
    assert foreign.rev == 1
