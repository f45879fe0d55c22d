"""A NUL character (U+0000) in any desk input is a clear 4xx, with the message beside the field
it was typed into, and nothing is stored: PostgreSQL cannot hold NUL, so before this every
search, autocomplete and save holding one ended in a 500 there."""

import pytest

from conversations.models import Message, Note, Shortcut
from customers.models import Customer
from kdesk.models import Event
from tests.timeline.desk_data import build, people

pytestmark = pytest.mark.django_db

NUL = "a\x00b"
MESSAGE = "invisible NUL character"


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def desk(org, who):
    return build(org, who, orders=False)


@pytest.fixture
def sam(client, who):
    client.force_login(who["sam"])
    return client


def test_quick_find_shows_the_message_beside_the_search_box(sam, desk):
    response = sam.get("/customers/", {"q": "Gra\x00ce"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'aria-describedby="global-search-error"' in html
    assert 'id="global-search-error"' in html and MESSAGE in html
    # the search box keeps what was typed, without the character that cannot be searched for
    assert 'value="Grace"' in html and "\x00" not in html


@pytest.mark.parametrize(
    "path,params",
    [
        ("/inbox/", {"status": NUL}),
        ("/inbox/", {"cursor": NUL}),
        ("/customers/{pk}/", {"conversation": NUL}),
        ("/customers/{pk}/", {"kind": NUL, "klass": NUL}),
        ("/customers/{pk}/timeline/", {"cursor": NUL}),
        ("/customers/{pk}/timeline/", {"after_conv": NUL}),
        ("/notifications/", {"show": NUL}),
        ("/desk/demo/loyalty/", {"customer": NUL}),
        ("/customers/", {NUL: "1"}),
    ],
)
def test_any_page_parameter_with_nul_is_a_400_page(sam, desk, path, params):
    customer, _ = desk
    response = sam.get(path.format(pk=customer.pk), params)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Check what you entered" in html and "The page address" in html and MESSAGE in html


def test_a_nul_in_the_path_is_a_400(sam, desk):
    response = sam.get("/customers/a\x00b/")
    assert response.status_code == 400 and MESSAGE in response.content.decode()


@pytest.mark.parametrize("path", ["/desk/mentions.json", "/customers/{pk}/shortcuts.json"])
def test_autocomplete_with_nul_is_a_json_400_naming_q(sam, desk, path):
    customer, _ = desk
    response = sam.get(path.format(pk=customer.pk), {"q": "le\x00"})
    assert response.status_code == 400
    (error,) = response.json()["errors"]
    assert error["code"] == "nul_character" and error["source"] == {"pointer": "/q"}
    assert MESSAGE in error["detail"]


@pytest.mark.parametrize("mode", ["note", "reply"])
def test_compose_with_nul_shows_the_error_in_the_form_and_stores_nothing(sam, desk, mode):
    customer, conversation = desk
    notes, messages, events = Note.objects.count(), Message.objects.count(), Event.objects.count()
    response = sam.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": mode, "conversation": conversation.pk, "body": "Hello\x00 there"},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'class="form-errors' in html and MESSAGE in html
    assert (Note.objects.count(), Message.objects.count()) == (notes, messages)
    assert Event.objects.count() == events


def test_a_reply_that_would_start_a_conversation_with_nul_starts_none(sam, org, who):
    from customers.services import customer_create

    lone = customer_create(org=org, actor=who["ada"], data={"name": "Lone"})
    response = sam.post(f"/customers/{lone.pk}/compose/", {"mode": "reply", "body": "\x00"})
    assert response.status_code == 422 and MESSAGE in response.content.decode()
    assert not lone.conversations.exists()


@pytest.mark.parametrize(
    "name,value,message",
    [
        ("name", "Grace\x00", MESSAGE),
        ("tierStr", "go\x00ld", "Tier must not contain NUL characters"),  # its label, not tierStr
    ],
)
def test_inline_attribute_edit_with_nul_shows_the_error_beside_the_field(
    sam, desk, name, value, message
):
    customer, _ = desk
    response = sam.post(f"/customers/{customer.pk}/attributes/{name}/", {"value": value})
    assert response.status_code == 422
    html = response.content.decode()
    assert f'id="attr-error-{name}"' in html and message in html
    fresh = Customer.objects.get(pk=customer.pk)
    assert (fresh.name, fresh.custom, fresh.rev) == (customer.name, customer.custom, customer.rev)


@pytest.mark.parametrize(
    "field,data",
    [
        ("name", {"name": "than\x00ks", "payload": "Thanks!", "visibility": "shared"}),
        ("payload", {"name": "thanks", "payload": "Thanks\x00!", "visibility": "shared"}),
        ("visibility", {"name": "thanks", "payload": "Thanks!", "visibility": "shared\x00"}),
    ],
)
def test_shortcut_form_with_nul_shows_the_error_beside_the_field(sam, desk, field, data):
    response = sam.post("/shortcuts/", data)
    assert response.status_code == 422
    html = response.content.decode()
    assert MESSAGE in html
    if field != "visibility":  # a choice made with radio buttons has no text field to sit by
        assert html.index(f'name="{field}"') < html.index(MESSAGE)
    assert not Shortcut.objects.filter(name__startswith="than").exists()


def test_shortcut_edit_with_nul_keeps_the_saved_shortcut(sam, desk):
    sam.post("/shortcuts/", {"name": "thanks", "payload": "Thanks!", "visibility": "shared"})
    shortcut = Shortcut.objects.get(name="thanks")
    response = sam.post(
        f"/shortcuts/{shortcut.pk}/edit/",
        {"name": "thanks", "payload": "Thanks\x00 again", "visibility": "shared"},
    )
    assert response.status_code == 422 and MESSAGE in response.content.decode()
    shortcut.refresh_from_db()
    assert shortcut.payload == "Thanks!" and shortcut.rev == 1


def test_conversation_field_with_nul_is_refused(sam, desk):
    customer, conversation = desk
    response = sam.post(
        f"/customers/{customer.pk}/conversation/",
        {"conversation": conversation.pk, "custom.resolutionStr": "ans\x00wered"},
    )
    html = response.content.decode()
    assert response.status_code == 422 and "Resolution must not contain NUL characters" in html
    conversation.refresh_from_db()
    assert "resolutionStr" not in (conversation.custom or {})


def test_sign_in_with_nul_is_a_form_error(client, who):
    response = client.post("/login/", {"username": "sam\x00@example.com", "password": "x\x00"})
    assert response.status_code == 200 and "Null characters are not allowed" in (
        response.content.decode()
    )


def test_a_value_the_database_refuses_is_a_400_page_not_a_500(sam, desk, monkeypatch):
    """The last line of defence: whatever a desk page passes on that the database refuses (a
    DataError, as PostgreSQL raises for NUL) is the person's input, answered with a 400."""
    from django.db import DataError

    from timeline.views import customers as views

    def refuses(**kwargs):
        raise DataError("A string literal cannot contain NUL (0x00) characters.")

    monkeypatch.setattr(views.desk, "quick_find", refuses)
    response = sam.get("/customers/", {"q": "Grace"})
    assert response.status_code == 400
    assert "could not be used" in response.content.decode()


def test_settings_and_password_forms_refuse_nul_beside_the_field(client, admin_user):
    from kdesk.models import ApiKey

    client.force_login(admin_user)
    response = client.post(
        "/settings/api-keys/",
        {"name": "sync\x00", "scopes_customer": ["org.permission.customer.read"]},
    )
    html = response.content.decode()
    assert response.status_code == 400 and 'id="id_name_error"' in html
    assert "Null characters are not allowed" in html and not ApiKey.objects.exists()
    response = client.post(
        "/password/",
        {"old_password": "x\x00", "new_password1": "a\x00b", "new_password2": "a\x00b"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and 'id="id_old_password_error"' in html
    assert "Null characters are not allowed" in html
    admin_user.refresh_from_db()
    assert admin_user.check_password("correct horse battery")
