"""Settings → KViews: the editor page, the preview rendered against the admin's own records
exactly as the desk renders it, errors with their line, an unknown filter refused on save (in
the page and in the API), and agents kept out."""

import pytest

from customers.services import customer_create
from kdesk.models import Event
from klasses import services
from klasses.models import KView

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def ret(org):
    klass = services.klass_create(
        org=org, actor=None, data={"name": "return", "displayName": "Return"}
    )
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.return",
        data={"properties": {"refundAmountNum": {"displayName": "Refund amount"}}},
    )
    return klass


@pytest.fixture
def sample(org, ret):
    ada = customer_create(org=org, actor=None, data={"name": "Ada Lovelace"})
    return services.kobject_create(
        org=org,
        actor=None,
        klass=ret,
        data={"title": "RMA-1042", "customer": ada.pk, "data": {"refundAmountNum": 49.5}},
    )


def _kview(org, **kw):
    return services.kview_create(
        org=org,
        actor=None,
        data={
            "name": "Card",
            "resource": "kobject.return",
            "context": "insight-card",
            "template": "{{ object.title }}",
            **kw,
        },
    )


FORM = {
    "name": "Return line",
    "resource": "kobject.return",
    "context": "timeline",
    "kind": "template",
    "template": "Return {{ object.title }}",
    "position": "0",
    "active": "on",
}


def test_it_refuses_agents_every_page_and_action(client, agent, org, ret):
    kview = _kview(org)
    client.force_login(agent)
    for path in (
        "/settings/kviews/",
        "/settings/kviews/_new/",
        "/settings/kviews/_samples/?resource=customer",
        "/settings/kviews/_variables/?resource=customer",
        f"/settings/kviews/{kview.pk}/",
        f"/settings/kviews/{kview.pk}/delete/",
    ):
        assert client.get(path).status_code == 403, path
    for path in (
        "/settings/kviews/_new/",
        "/settings/kviews/_preview/",
        f"/settings/kviews/{kview.pk}/",
        f"/settings/kviews/{kview.pk}/delete/",
    ):
        assert client.post(path, FORM).status_code == 403, path
    assert KView.objects.count() == 1


def test_the_editor_page_lists_variables_and_allows_only_its_import_map(admin, org, ret, sample):
    response = admin.get("/settings/kviews/_new/?resource=kobject.return")
    html = response.content.decode()
    assert 'data-insert="object.data.refundAmountNum"' in html and "Refund amount" in html
    assert "RMA-1042 · Ada Lovelace" in html  # a real record to preview with
    assert '<script type="importmap">' in html and "vendor/codemirror/state/index.js" in html
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'sha256-" in policy and "unsafe-inline" not in policy.split(";")[1]


def test_an_admin_saves_a_timeline_kview(admin, org, ret, admin_user):
    response = admin.post("/settings/kviews/_new/", FORM)
    assert response.status_code == 302
    kview = KView.objects.get()
    assert response["Location"] == f"/settings/kviews/{kview.pk}/"
    assert (kview.resource, kview.context, kview.kind) == ("kobject.return", "timeline", "template")
    assert Event.objects.get(type="kview.create").actor_id == admin_user.pk


def test_an_unknown_filter_is_refused_on_save_with_its_line(admin, org, ret):
    response = admin.post(
        "/settings/kviews/_new/", {**FORM, "template": "ok\n{% if x %}{{ x|shout }}{% endif %}"}
    )
    assert response.status_code == 400
    error = response.content.decode().split('id="id_template_error"')[1].split("</div></div>")[0]
    assert "line 2: there is no filter named &#x27;shout&#x27;" in error
    assert not KView.objects.exists()


def test_the_api_refuses_an_unknown_filter_too(api, org, ret):
    response = api.post(
        "/v1/kviews",
        {
            "name": "x",
            "resource": "kobject.return",
            "context": "timeline",
            "template": "{{ object.title|curency }}",
        },
    )
    assert response.status_code == 400
    assert "Did you mean 'currency'?" in response.json()["errors"][0]["detail"]


@pytest.mark.parametrize(
    "post, field, message",
    [
        ({"template": ""}, "template", "Write the template"),
        ({"kind": "iframe", "url_template": ""}, "url_template", "address of the page"),
        ({"resource": "customer"}, "context", "Only object types have timeline entries"),
        ({"resource": "kobject.nope"}, "resource", "Select a valid choice"),
    ],
)
def test_bad_input_comes_back_beside_the_field(admin, org, ret, post, field, message):
    response = admin.post("/settings/kviews/_new/", {**FORM, **post})
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html.split(f'id="id_{field}_error"')[1].split("</div></div>")[0]
    assert not KView.objects.exists()


def test_the_preview_renders_a_real_record_as_the_desk_does(admin, org, ret, sample):
    body = {
        **FORM,
        "template": "{{ object.title }} for {{ customer.name }}: "
        "{{ object.data.refundAmountNum|currency('EUR') }}<script>x</script>",
        "sample": str(sample.pk),
    }
    answer = admin.post("/settings/kviews/_preview/", body).json()
    assert answer["html"].startswith("RMA-1042 for Ada Lovelace: ")
    assert "49.50" in answer["html"] and "<script>" not in answer["html"]


def test_the_preview_names_the_line_of_an_error(admin, org, ret, sample):
    answer = admin.post(
        "/settings/kviews/_preview/",
        {**FORM, "template": "a\nb\n{{ object.title|shout }}", "sample": str(sample.pk)},
    ).json()
    assert answer == {
        "error": "line 3: there is no filter named 'shout'. Did you mean 'sort'?",
        "line": 3,
    }
    answer = admin.post(
        "/settings/kviews/_preview/",
        {**FORM, "template": "a\n{{ object.title.nope() }}", "sample": str(sample.pk)},
    ).json()
    assert answer["line"] == 2 and answer["error"]
    answer = admin.post(
        "/settings/kviews/_preview/", {**FORM, "template": "{% if %}", "sample": str(sample.pk)}
    ).json()
    assert answer["line"] == 1


def test_the_preview_only_reads_the_admins_own_records(admin, org, ret, other_org):
    theirs = services.klass_create(org=other_org, actor=None, data={"name": "return"})
    secret = services.kobject_create(
        org=other_org, actor=None, klass=theirs, data={"title": "THEIR-SECRET"}
    )
    answer = admin.post("/settings/kviews/_preview/", {**FORM, "sample": str(secret.pk)}).json()
    assert answer == {"error": "Choose a record to preview with.", "line": None}
    assert (
        "THEIR-SECRET"
        not in admin.get("/settings/kviews/_samples/?resource=kobject.return").content.decode()
    )


def test_previews_of_customers_and_conversations(admin, org, ret):
    from conversations.services import conversation_create

    ada = customer_create(org=org, actor=None, data={"name": "Ada Lovelace"})
    conversation = conversation_create(
        org=org, actor=None, data={"customer": ada.pk, "name": "Broken mug"}
    )
    answer = admin.post(
        "/settings/kviews/_preview/",
        {
            **FORM,
            "resource": "customer",
            "context": "insight-card",
            "template": "{{ customer.firstName }}",
            "sample": str(ada.pk),
        },
    ).json()
    assert answer == {"html": "Ada"}
    answer = admin.post(
        "/settings/kviews/_preview/",
        {
            **FORM,
            "resource": "conversation",
            "context": "insight-details",
            "template": "{{ conversation.name }} / {{ customer.name }}",
            "sample": str(conversation.pk),
        },
    ).json()
    assert answer == {"html": "Broken mug / Ada Lovelace"}


def test_edit_and_delete(admin, org, ret):
    kview = _kview(org)
    page = admin.get(f"/settings/kviews/{kview.pk}/").content.decode()
    assert "{{ object.title }}" in page
    response = admin.post(
        f"/settings/kviews/{kview.pk}/",
        {**FORM, "context": "insight-card", "name": "Renamed", "rev": kview.rev},
    )
    assert response.status_code == 302
    kview.refresh_from_db()
    assert kview.name == "Renamed" and kview.template == "Return {{ object.title }}"
    stale = admin.post(f"/settings/kviews/{kview.pk}/", {**FORM, "rev": kview.rev - 1})
    assert stale.status_code == 400 and "Someone else changed" in stale.content.decode()
    assert (
        "Agents stop seeing it"
        in admin.get(f"/settings/kviews/{kview.pk}/delete/").content.decode()
    )
    admin.post(f"/settings/kviews/{kview.pk}/delete/")
    assert not KView.objects.exists()


def test_another_orgs_kview_is_not_found(admin, other_org):
    theirs = services.klass_create(org=other_org, actor=None, data={"name": "return"})
    kview = services.kview_create(
        org=other_org,
        actor=None,
        data={
            "name": "X",
            "resource": f"kobject.{theirs.name}",
            "context": "insight-card",
            "template": "x",
        },
    )
    for path in (f"/settings/kviews/{kview.pk}/", f"/settings/kviews/{kview.pk}/delete/"):
        assert admin.get(path).status_code == 404
    assert admin.post(f"/settings/kviews/{kview.pk}/delete/").status_code == 404
    assert KView.objects.count() == 1


def test_the_list_costs_the_same_whatever_its_length(admin, org, ret, django_assert_num_queries):
    for n in range(4):
        _kview(org, name=f"Card {n}")
    # session, user, org, unread count, live cursor, resources, kviews
    with django_assert_num_queries(7):
        html = admin.get("/settings/kviews/").content.decode()
    assert html.count("Insight card") == 4
