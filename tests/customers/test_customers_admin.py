"""Django admin for customers: pages load, saves go through the services, merge action."""

import pytest

from customers.models import Company, Customer, Identity
from kdesk.models import Event
from tests.customers.factories import CompanyFactory, CustomerFactory
from tests.events import emitted_since

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff(client, admin_user):
    admin_user.is_staff = True
    admin_user.is_superuser = True
    admin_user.save()
    client.force_login(admin_user)
    return client


def test_pages_load(staff, org):
    c = CustomerFactory(org=org, company=CompanyFactory(org=org))
    identity = Identity.objects.get(customer=c)
    for path in [
        "/admin/customers/customer/",
        "/admin/customers/customer/?q=customer",
        f"/admin/customers/customer/?company__id__exact={c.company_id}",
        "/admin/customers/customer/add/",
        f"/admin/customers/customer/{c.pk}/change/",
        "/admin/customers/company/",
        "/admin/customers/company/add/",
        f"/admin/customers/company/{c.company_id}/change/",
        "/admin/customers/identity/",
        f"/admin/customers/identity/{identity.pk}/change/",
    ]:
        assert staff.get(path).status_code == 200, path
    html = staff.get(f"/admin/customers/customer/?q={identity.value}").content.decode()
    assert c.name in html


def form(org, **extra):
    data = {
        "org": org.pk,
        "name": "Ada",
        "external_id": "",
        "emails": '[{"type": "work", "email": "ADA@x.io"}]',
        "phones": "[]",
        "socials": "[]",
        "urls": "[]",
        "locations": "[]",
        "tags": "[]",
        "locale": "",
        "time_zone": "",
        "custom": "{}",
        "identities-TOTAL_FORMS": "0",
        "identities-INITIAL_FORMS": "0",
        "identities-MIN_NUM_FORMS": "0",
        "identities-MAX_NUM_FORMS": "0",
    }
    data.update(extra)
    return data


def test_add_and_change_go_through_the_services(staff, org):
    response = staff.post("/admin/customers/customer/add/", form(org))
    assert response.status_code == 302, response.content.decode()[:3000]
    c = Customer.objects.get()
    assert c.emails == [{"type": "work", "email": "ada@x.io"}]
    assert Identity.objects.get().value == "ada@x.io"
    response = staff.post(
        f"/admin/customers/customer/{c.pk}/change/", form(org, name="Ada L.", time_zone="UTC")
    )
    assert response.status_code == 302
    c.refresh_from_db()
    assert (c.name, c.rev, c.time_zone) == ("Ada L.", 2, "UTC")
    assert emitted_since() == ["customer.create", "customer.update"]


def test_invalid_values_are_shown_with_their_pointer(staff, org):
    CustomerFactory(org=org, emails=[{"type": "w", "email": "taken@x.io"}])
    response = staff.post(
        "/admin/customers/customer/add/",
        form(org, time_zone="Mars/Base", emails='[{"email": "taken@x.io"}]'),
    )
    assert response.status_code == 200
    assert "/timeZone" in response.content.decode()
    response = staff.post(
        "/admin/customers/customer/add/", form(org, emails='[{"email": "taken@x.io"}]')
    )
    assert response.status_code == 200
    assert "/emails/0/email" in response.content.decode()
    assert Customer.objects.count() == 1


def test_company_add_and_delete(staff, org):
    data = {"org": org.pk, "name": "Navy", "external_id": "", "domains": '["navy.mil"]'}
    data.update(tags="[]", custom="{}")
    assert staff.post("/admin/customers/company/add/", data).status_code == 302
    company = Company.objects.get()
    response = staff.post(f"/admin/customers/company/{company.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Company.objects.exists()
    assert Event.objects.filter(type="company.delete").count() == 1


def test_merge_action_keeps_the_older_customer(staff, org):
    older = CustomerFactory(org=org, name="Older")
    newer = CustomerFactory(org=org, name="Newer")
    response = staff.post(
        "/admin/customers/customer/",
        {"action": "merge_two", "_selected_action": [newer.pk, older.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "Merged customer" in response.content.decode()
    assert list(Customer.objects.values_list("pk", flat=True)) == [older.pk]
    assert Identity.objects.filter(customer=older).count() == 2
    assert Event.objects.filter(type="customer.merge").count() == 1


def test_merge_action_needs_exactly_two(staff, org):
    a, b, c = (CustomerFactory(org=org) for _ in range(3))
    response = staff.post(
        "/admin/customers/customer/",
        {"action": "merge_two", "_selected_action": [a.pk, b.pk, c.pk]},
        follow=True,
    )
    assert "exactly two" in response.content.decode()
    assert Customer.objects.count() == 3


# ---- the demo-style org admin (role admin, staff, no superuser, no model permissions) ----------


@pytest.fixture
def ada(client, org):
    from kdesk.services import user_create_or_update

    user, _ = user_create_or_update(org=org, email="ada@acme.test", role="admin")
    client.force_login(user)
    return client


def org_admin_form(org, **extra):
    data = form(org, **extra)
    del data["org"]  # an org admin's rows are always in their own org: no such field
    return data


def test_an_org_admin_adds_customers_to_their_own_org(ada, org):
    assert "org" not in ada.get("/admin/customers/customer/add/").context["adminform"].form.fields
    response = ada.post("/admin/customers/customer/add/", org_admin_form(org))
    assert response.status_code == 302, response.content.decode()[:3000]
    c = Customer.objects.get()
    assert c.org == org
    assert Event.objects.get(type="customer.create").org == org


def test_an_org_admin_sees_and_picks_only_their_orgs_rows(ada, org, other_org):
    mine = CustomerFactory(org=org, company=CompanyFactory(org=org, name="Navy"))
    theirs = CustomerFactory(org=other_org, company=CompanyFactory(org=other_org, name="Army"))
    r = ada.get("/admin/customers/customer/")
    assert [c.pk for c in r.context["cl"].result_list] == [mine.pk]
    assert "Army" not in r.content.decode()  # nor in the company filter
    assert ada.get(f"/admin/customers/customer/{theirs.pk}/change/").status_code == 302
    r = ada.get(
        "/admin/autocomplete/",
        {"app_label": "customers", "model_name": "customer", "field_name": "company", "term": ""},
    )
    assert [row["text"] for row in r.json()["results"]] == ["Navy"]
    r = ada.post("/admin/customers/customer/add/", org_admin_form(org, company=theirs.company_id))
    assert r.status_code == 200 and "company" in r.context["adminform"].form.errors
    r = ada.post(f"/admin/customers/customer/{theirs.pk}/delete/", {"post": "yes"})
    assert Customer.objects.filter(pk=theirs.pk).exists()
    r = ada.post(
        "/admin/customers/customer/",
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert Customer.objects.filter(pk=theirs.pk).exists()


def test_an_edit_prepared_against_an_older_rev_is_refused(ada, org):
    c = CustomerFactory(org=org, name="Ada", emails=[{"type": "work", "email": "ada@x.io"}])
    c.rev = 3
    c.save()
    r = ada.post(
        f"/admin/customers/customer/{c.pk}/change/",
        org_admin_form(org, name="Ada L.", loaded_rev=2),
    )
    assert r.status_code == 200 and "stale" in r.content.decode()
    c.refresh_from_db()
    assert (c.name, c.rev) == ("Ada", 3)
