"""Customer and company services: validation with pointers, normalisation, identities, rev,
events with changes."""

import pytest

from customers import selectors, services
from customers.models import Company, Customer, Identity
from kdesk.errors import Conflict, NotFound, ValidationFailed
from kdesk.models import Event
from tests.customers.factories import CompanyFactory
from tests.events import emitted_since

pytestmark = pytest.mark.django_db


def pointers(exc):
    return {e.pointer for e in exc.value.errors}


def create(org, **data):
    return services.customer_create(org=org, actor=None, data=data)


def test_it_creates_with_normalised_values(org, admin_user):
    company = CompanyFactory(org=org)
    c = services.customer_create(
        org=org,
        actor=admin_user,
        data={
            "name": "  Grace Hopper ",
            "externalId": "g-1",
            "emails": [{"type": "work", "email": "Grace@Navy.MIL"}, {"email": "g@x.io"}],
            "phones": [
                {"type": "mobile", "phone": "(415) 555-2671"},
                {"phone": "+44 20 7946 0958"},
            ],
            "socials": [{"type": "Twitter", "username": "GraceH"}],
            "urls": [{"type": "blog", "url": "https://grace.example/"}],
            "locations": [{"type": "home", "city": "Arlington", "latitude": 38.9}],
            "tags": ["vip", "vip", "navy"],
            "locale": "en_US",
            "timeZone": "America/New_York",
            "company": str(company.pk),
            "custom": {"tierStr": "gold"},
        },
    )
    assert c.name == "Grace Hopper" and c.external_id == "g-1" and c.rev == 1
    assert c.emails == [
        {"type": "work", "email": "grace@navy.mil"},
        {"type": "other", "email": "g@x.io"},
    ]
    assert [p["phone"] for p in c.phones] == ["+14155552671", "+442079460958"]
    assert c.socials == [{"type": "twitter", "userid": None, "username": "GraceH"}]
    assert c.tags == ["vip", "navy"] and c.locale == "en-US" and c.company_id == company.pk
    assert set(Identity.objects.filter(customer=c).values_list("kind", "value")) == {
        ("email", "grace@navy.mil"),
        ("email", "g@x.io"),
        ("phone", "+14155552671"),
        ("phone", "+442079460958"),
        ("social", "twitter:@graceh"),
    }
    event = Event.objects.get()
    assert (event.type, event.resource, event.resource_id) == (
        "customer.create",
        "customer",
        str(c.pk),
    )
    assert event.customer_id == c.pk and event.actor == admin_user and event.rev == 1
    assert event.data["attributes"]["emails"][0]["email"] == "grace@navy.mil"
    assert event.changes["name"] == {"before": None, "after": "Grace Hopper"}
    assert event.changes["custom.tierStr"] == {"before": None, "after": "gold"}
    assert event.changes["company"] == {"before": None, "after": str(company.pk)}


def test_it_reports_every_invalid_field_with_its_pointer(org):
    with pytest.raises(ValidationFailed) as exc:
        create(
            org,
            name="x" * 256,
            externalId="y" * 256,
            emails=[{"email": "nope"}, {"email": "a@x.io", "kind": "work"}, "str", {}],
            phones=[{"phone": "12"}, {"phone": "not a number"}],
            socials=[{"type": "twitter"}, {"userid": "1"}],
            urls=[{"url": "ftp://x.io"}, {"url": "https://ok.example", "type": 3}],
            locations=[{"latitude": 100}, {"city": 5}, {"planet": "Mars"}],
            tags=["ok", ""],
            locale="english please",
            timeZone="Mars/Olympus",
            custom=[1],
            shoeSize=44,
        )
    assert pointers(exc) == {
        "/name",
        "/externalId",
        "/emails/0/email",
        "/emails/1/kind",
        "/emails/2",
        "/emails/3/email",
        "/phones/0/phone",
        "/phones/1/phone",
        "/socials/0",
        "/socials/1/type",
        "/urls/0/url",
        "/urls/1/type",
        "/locations/0/latitude",
        "/locations/1/city",
        "/locations/2/planet",
        "/tags/1",
        "/locale",
        "/timeZone",
        "/custom",
        "/shoeSize",
    }
    assert not Customer.objects.exists() and not Event.objects.exists()


def test_it_rejects_lists_of_the_wrong_type_and_duplicates(org):
    with pytest.raises(ValidationFailed) as exc:
        create(
            org,
            emails="a@x.io",
            phones=[{"phone": "+1 415 555 2671"}, {"phone": "4155552671"}],
            tags="vip",
        )
    assert pointers(exc) == {"/emails", "/phones/1/phone", "/tags"}


def test_a_company_of_another_org_is_not_found(org, other_org):
    foreign = CompanyFactory(org=other_org)
    with pytest.raises(NotFound) as exc:
        create(org, name="X", company=foreign.pk)
    assert pointers(exc) == {"/company"}
    # ...and reported with the other problems when there are some.
    with pytest.raises(ValidationFailed) as exc:
        create(org, name="X", company=foreign.pk, timeZone="Nowhere")
    assert pointers(exc) == {"/company", "/timeZone"}
    with pytest.raises(ValidationFailed) as exc:
        create(org, company="acme")
    assert pointers(exc) == {"/company"}


@pytest.mark.parametrize(
    "raw, e164",
    [
        ("+1 (415) 555-2671", "+14155552671"),
        ("415.555.2671", "+14155552671"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+33 1 42 55 10 00", "+33142551000"),
        ("+81 3-3123-1000", "+81331231000"),
    ],
)
def test_phones_are_stored_and_found_as_e164(org, raw, e164):
    c = create(org, phones=[{"phone": raw}])
    assert c.phones[0]["phone"] == e164
    assert selectors.customer_by_phone(org=org, phone=raw)["id"] == c.pk
    assert selectors.customer_by_phone(org=org, phone=e164)["id"] == c.pk


def test_identities_are_unique_in_the_org(org, other_org):
    first = create(org, emails=[{"email": "a@x.io"}], phones=[{"phone": "+14155552671"}])
    with pytest.raises(Conflict) as exc:
        create(
            org,
            emails=[{"email": "b@x.io"}, {"email": "A@X.io"}],
            phones=[{"phone": "415 555 2671"}],
        )
    assert pointers(exc) == {"/emails/1/email", "/phones/0/phone"}
    assert all(f"customer {first.pk}" in e.detail for e in exc.value.errors)
    assert Customer.objects.filter(org=org).count() == 1
    assert not Identity.objects.filter(value="b@x.io").exists()
    # Another org may hold the same identities.
    assert create(other_org, emails=[{"email": "a@x.io"}]).org == other_org


def test_external_id_and_socials_are_unique_in_the_org(org):
    create(org, externalId="e-1", socials=[{"type": "twitter", "userid": "42"}])
    with pytest.raises(Conflict) as exc:
        create(org, externalId="e-1", socials=[{"type": "TWITTER", "userid": "42"}])
    assert pointers(exc) == {"/externalId", "/socials/0"}


def test_update_is_partial_and_syncs_identities(org, agent):
    c = create(org, name="Ada", emails=[{"email": "a@x.io"}], custom={"tierStr": "gold"})
    c = services.customer_update(
        org=org,
        actor=agent,
        customer=c,
        data={"emails": [{"email": "b@x.io"}], "custom": {"vipBool": True}},
    )
    assert c.name == "Ada" and c.rev == 2
    assert c.custom == {"tierStr": "gold", "vipBool": True}
    assert list(Identity.objects.values_list("value", flat=True)) == ["b@x.io"]
    event = Event.objects.filter(type="customer.update").get()
    assert event.rev == 2 and event.actor == agent and event.customer_id == c.pk
    assert event.changes == {
        "emails": {
            "before": [{"type": "other", "email": "a@x.io"}],
            "after": [{"type": "other", "email": "b@x.io"}],
        },
        "custom.vipBool": {"before": None, "after": True},
    }
    # A custom value set to null is removed.
    c = services.customer_update(
        org=org, actor=agent, customer=c, data={"custom": {"tierStr": None}}
    )
    assert c.custom == {"vipBool": True}


def test_put_replaces_everything(org):
    company = CompanyFactory(org=org)
    c = create(
        org,
        name="Ada",
        externalId="a",
        company=company.pk,
        emails=[{"email": "a@x.io"}],
        custom={"tierStr": "gold"},
    )
    c = services.customer_update(
        org=org, actor=None, customer=c, data={"name": "Ada L."}, partial=False
    )
    assert (c.name, c.external_id, c.company_id, c.emails, c.custom) == (
        "Ada L.",
        None,
        None,
        [],
        {},
    )
    assert not Identity.objects.exists()
    changes = Event.objects.filter(type="customer.update").get().changes
    assert set(changes) == {"name", "externalId", "company", "emails", "custom.tierStr"}


def test_a_stale_rev_changes_nothing(org):
    c = create(org, name="Ada")
    services.customer_update(org=org, actor=None, customer=c, data={"name": "B", "rev": 1})
    with pytest.raises(Conflict):
        services.customer_update(org=org, actor=None, customer=c, data={"name": "C"}, rev=1)
    with pytest.raises(Conflict):
        services.customer_update(org=org, actor=None, customer=c, data={"name": "C", "rev": "1"})
    with pytest.raises(Conflict):
        services.customer_delete(org=org, actor=None, customer=c, rev=1)
    c.refresh_from_db()
    assert (c.name, c.rev) == ("B", 2)
    assert Event.objects.filter(type="customer.update").count() == 1


def test_an_update_of_an_identity_to_a_taken_one_is_refused(org):
    a = create(org, emails=[{"email": "a@x.io"}])
    b = create(org, emails=[{"email": "b@x.io"}])
    with pytest.raises(Conflict) as exc:
        services.customer_update(
            org=org, actor=None, customer=b, data={"emails": [{"email": "a@x.io"}]}
        )
    assert exc.value.errors[0].pointer == "/emails/0/email"
    assert f"customer {a.pk}" in exc.value.errors[0].detail
    b.refresh_from_db()
    assert b.rev == 1 and b.emails[0]["email"] == "b@x.io"


def test_delete_emits_the_last_snapshot(org):
    c = create(org, name="Ada", emails=[{"email": "a@x.io"}])
    services.customer_delete(org=org, actor=None, customer=c)
    assert not Customer.objects.exists() and not Identity.objects.exists()
    event = Event.objects.filter(type="customer.delete").get()
    assert event.customer_id == c.pk and event.data["attributes"]["name"] == "Ada"
    assert event.changes["name"] == {"before": "Ada", "after": None}


def test_upsert_by_external_id(org):
    c, created = services.customer_upsert_by_external_id(
        org=org, actor=None, external_id="x-1", data={"name": "A", "tags": ["t"]}
    )
    assert created and c.external_id == "x-1"
    c2, created = services.customer_upsert_by_external_id(
        org=org, actor=None, external_id="x-1", data={"name": "B"}
    )
    assert not created and c2.pk == c.pk and c2.rev == 2 and c2.tags == ["t"]
    with pytest.raises(ValidationFailed) as exc:
        services.customer_upsert_by_external_id(
            org=org, actor=None, external_id="x-1", data={"externalId": "x-2"}
        )
    assert pointers(exc) == {"/externalId"}
    assert emitted_since() == ["customer.create", "customer.update"]


def test_custom_values_go_through_the_attribute_engine(org):
    with pytest.raises(ValidationFailed) as exc:
        create(org, custom={"lifetimeValueNum": "lots"})
    assert pointers(exc) == {"/custom/lifetimeValueNum"}


def test_companies(org, other_org):
    co = services.company_create(
        org=org,
        actor=None,
        data={"name": "Navy", "externalId": "n", "domains": ["Navy.MIL"], "custom": {"sizeNum": 3}},
    )
    assert co.domains == ["navy.mil"] and co.rev == 1
    with pytest.raises(Conflict) as exc:
        services.company_create(org=org, actor=None, data={"name": "Dup", "externalId": "n"})
    assert pointers(exc) == {"/externalId"}
    services.company_create(org=other_org, actor=None, data={"name": "Dup", "externalId": "n"})
    with pytest.raises(ValidationFailed) as exc:
        services.company_create(
            org=org, actor=None, data={"name": "", "domains": ["not a domain"], "x": 1}
        )
    assert pointers(exc) == {"/name", "/domains/0", "/x"}
    co = services.company_update(org=org, actor=None, company=co, data={"name": "US Navy"})
    assert co.rev == 2 and co.domains == ["navy.mil"]
    with pytest.raises(Conflict):
        services.company_update(org=org, actor=None, company=co, data={"name": "Z"}, rev=1)
    member = create(org, company=co.pk)
    services.company_delete(org=org, actor=None, company=co)
    member.refresh_from_db()
    assert member.company_id is None
    assert emitted_since(org=org, resource="company") == [
        "company.create",
        "company.update",
        "company.delete",
    ]
    update = Event.objects.get(type="company.update")
    assert update.changes == {"name": {"before": "Navy", "after": "US Navy"}}
    assert Company.objects.filter(org=org).count() == 0
