"""Settings → Attributes: a type picker instead of name suffixes, only the options each type
has, errors beside fields in people's words, the rows a change would break counted with the
choice to save anyway, and an order the insights panel follows."""

import pytest

from kdesk.models import Event
from klasses import services
from klasses.models import Metadata
from klasses.settings_views.attribute_forms import machine_base, outline, parse_outline
from timeline.insights import attribute_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def ret(org):
    return services.klass_create(
        org=org, actor=None, data={"name": "return", "displayName": "Return"}
    )


def _props(org, resource="kobject.return"):
    row = Metadata.objects.filter(org=org, resource=resource).first()
    return row.properties if row else {}


def _post(client, path, data, enum=(), props=()):
    body = {"display_name": "", "description": "", **data}
    body["enum_value"] = [v for v, _ in enum]
    body["enum_label"] = [label for _, label in enum]
    for key in ("name", "type", "label", "required", "array"):
        body[f"prop_{key}"] = [p.get(key, "") for p in props]
    return client.post(path, body)


def _error(html, field):
    return html.split(f'id="id_{field}_error"')[1].split("</div></div>")[0]


def test_it_refuses_agents_every_page_and_action(client, agent, org, ret):
    services.metadata_update(
        org=org, actor=None, resource="kobject.return", data={"properties": {"reasonStr": {}}}
    )
    client.force_login(agent)
    for path in (
        "/settings/attributes/",
        "/settings/attributes/return/",
        "/settings/attributes/return/_new/",
        "/settings/attributes/return/reasonStr/",
    ):
        assert client.get(path).status_code == 403, path
    for path in (
        "/settings/attributes/return/_new/",
        "/settings/attributes/return/reasonStr/",
        "/settings/attributes/return/reasonStr/move/",
    ):
        response = client.post(path, {"display_name": "X", "base_name": "x", "kind": "Str"})
        assert response.status_code == 403, path
    assert list(_props(org)) == ["reasonStr"]


def test_the_index_lists_standard_objects_and_klasses_with_counts(
    admin, org, ret, other_org, django_assert_num_queries
):
    services.metadata_update(
        org=org, actor=None, resource="customer", data={"properties": {"tierStr": {}}}
    )
    services.klass_create(org=other_org, actor=None, data={"name": "secret"})
    with django_assert_num_queries(7):
        html = admin.get("/settings/attributes/").content.decode()
    for label in ("Customer", "Company", "Conversation", "Message", "Return"):
        assert f">{label}</a>" in html
    assert "secret" not in html.lower()


def test_an_admin_adds_a_number_with_a_minimum_without_knowing_suffixes(admin, org, ret):
    page = admin.get("/settings/attributes/return/_new/").content.decode()
    assert "Number" in page and "Yes / No" in page and "Tree" in page
    response = _post(
        admin,
        "/settings/attributes/return/_new/",
        {
            "display_name": "Refund amount",
            "base_name": "refundAmount",
            "kind": "Num",
            "min": "0",
            "currency": "eur",
            "required": "on",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/settings/attributes/return/"
    d = _props(org)["refundAmountNum"]
    assert (d["type"], d["min"], d["currency"], d["required"]) == ("Num", 0, "EUR", True)
    assert d["displayName"] == "Refund amount"
    html = admin.get("/settings/attributes/return/").content.decode()
    assert "Refund amount" in html and "Number" in html and "Required" in html
    assert Event.objects.filter(type="metadata.update").count() == 1


def test_an_enum_is_a_list_of_values_with_labels(admin, org, ret):
    response = _post(
        admin,
        "/settings/attributes/return/_new/",
        {"display_name": "Reason", "base_name": "reason", "kind": "Str"},
        enum=[("damaged", "Arrived damaged"), ("wrong_size", ""), ("", "")],
    )
    assert response.status_code == 302
    d = _props(org)["reasonStr"]
    assert d["enum"] == ["damaged", "wrong_size"]
    assert d["enumLabels"] == {"damaged": "Arrived damaged"}
    page = admin.get("/settings/attributes/return/reasonStr/").content.decode()
    assert 'value="damaged"' in page and 'value="Arrived damaged"' in page


def test_options_of_other_types_are_not_sent(admin, org, ret):
    response = _post(
        admin,
        "/settings/attributes/return/_new/",
        {
            "display_name": "Returned at",
            "base_name": "returned",
            "kind": "At",
            "min": "3",
            "min_length": "2",
            "tree": "a\n  b",
        },
        enum=[("x", "")],
    )
    assert response.status_code == 302
    d = _props(org)["returnedAt"]
    assert not {"min", "minLength", "enum", "tree"} & set(d)


@pytest.mark.parametrize(
    "data, enum, field, message",
    [
        ({"base_name": "Refund", "kind": "Num"}, (), "base_name", "Start with a small letter"),
        ({"base_name": "refund", "kind": "Num", "min": "abc"}, (), "min", "Write a number"),
        (
            {"base_name": "refund", "kind": "Num", "min": "5", "max": "1"},
            (),
            "max",
            "at least the minimum",
        ),
        (
            {"base_name": "note", "kind": "Str", "max_length": "300"},
            (),
            "max_length",
            "at most 255 characters",
        ),
        (
            {"base_name": "size", "kind": "Num"},
            [("1", ""), ("x", "")],
            "enum",
            "“x” is not a number",
        ),
        ({"base_name": "size", "kind": "Str"}, [("s", ""), ("s", "")], "enum", "listed twice"),
        (
            {"base_name": "refund", "kind": "Num", "currency": "euro"},
            (),
            "currency",
            "three-letter",
        ),
        (
            {"base_name": "refund", "kind": "Num", "min": "1", "default": "0"},
            (),
            "default",
            "at least 1",
        ),
    ],
)
def test_bad_input_comes_back_beside_the_field_in_peoples_words(
    admin, org, ret, data, enum, field, message
):
    response = _post(
        admin, "/settings/attributes/return/_new/", {"display_name": "Thing", **data}, enum=enum
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert message in _error(html, field)
    assert "/properties" not in html and "refundNum/" not in html
    assert _props(org) == {} and not Event.objects.filter(type="metadata.update").exists()


def test_a_name_already_defined_is_refused(admin, org, ret):
    services.metadata_update(
        org=org, actor=None, resource="kobject.return", data={"properties": {"reasonStr": {}}}
    )
    response = _post(
        admin,
        "/settings/attributes/return/_new/",
        {"display_name": "Reason", "base_name": "reason", "kind": "Str"},
    )
    assert response.status_code == 400
    assert "already has an attribute" in _error(response.content.decode(), "base_name")


def test_a_tree_is_written_as_an_outline_up_to_six_levels(admin, org, ret):
    response = _post(
        admin,
        "/settings/attributes/return/_new/",
        {
            "display_name": "Product",
            "base_name": "product",
            "kind": "Tree",
            "tree": "hardware | Hardware\n  laptops | Laptops\n    mac\n  phones\nsoftware",
            "last_node_required": "on",
        },
    )
    assert response.status_code == 302
    d = _props(org)["productTree"]
    assert d["tree"]["lastNodeRequired"] is True and d["lastNodeRequired"] is True
    hardware = d["tree"]["nodes"][0]
    assert hardware["displayName"] == "Hardware"
    assert [n["id"] for n in hardware["children"]] == ["laptops", "phones"]
    assert hardware["children"][0]["children"][0]["id"] == "mac"
    page = admin.get("/settings/attributes/return/productTree/").content.decode()
    assert "  laptops | Laptops" in page


def test_the_outline_reader_names_each_bad_line():
    deep = "\n".join("  " * i + f"n{i}" for i in range(7))
    _, problems = parse_outline(deep)
    assert problems == ["Line 7: a tree has at most 6 levels."]
    _, problems = parse_outline("a\n      b\nc.d\na")
    assert problems == [
        "Line 2: indent children by two spaces under their parent.",
        "Line 3: a node needs an id without dots, e.g. laptops.",
        "Line 4: “a” is already used at this level.",
    ]
    nodes, problems = parse_outline("a | A\n  b\nc")
    assert not problems and outline(nodes) == ["a | A", "  b", "c"]


def test_an_object_attribute_lists_its_values(admin, org, ret):
    response = _post(
        admin,
        "/settings/attributes/return/_new/",
        {"display_name": "Pickup address", "base_name": "pickupAddress", "kind": "Obj"},
        props=[
            {"name": "city", "type": "Str", "label": "City", "required": "yes"},
            {"name": "floor", "type": "Num"},
        ],
    )
    assert response.status_code == 302
    props = _props(org)["pickupAddressObj"]["properties"]
    assert props["city"] == {"type": "Str", "displayName": "City", "required": True, "array": False}
    assert props["floor"]["type"] == "Num" and props["floor"]["displayName"] == "Floor"


def test_an_edit_keeps_the_type_and_clears_what_was_emptied(admin, org, ret):
    services.metadata_update(
        org=org,
        actor=None,
        resource="kobject.return",
        data={"properties": {"refundNum": {"displayName": "Refund", "min": 0, "max": 500}}},
    )
    page = admin.get("/settings/attributes/return/refundNum/").content.decode()
    assert 'name="kind"' not in page and 'name="base_name"' not in page
    assert 'value="500"' in page
    _, rev = Metadata.objects.values_list("properties", "rev").get()
    response = _post(
        admin,
        "/settings/attributes/return/refundNum/",
        {"display_name": "Refund amount", "min": "0", "max": "", "rev": rev},
    )
    assert response.status_code == 302
    d = _props(org)["refundNum"]
    assert d["displayName"] == "Refund amount" and d["min"] == 0 and "max" not in d


def test_a_change_stored_rows_would_break_shows_their_number_and_the_choices(admin, org, ret):
    services.metadata_update(
        org=org, actor=None, resource="kobject.return", data={"properties": {"refundNum": {}}}
    )
    for amount in (-5, -1, 10):
        services.kobject_create(
            org=org, actor=None, klass=ret, data={"title": "r", "custom": {"refundNum": amount}}
        )
    rev = Metadata.objects.get().rev
    data = {"display_name": "Refund", "min": "0", "rev": rev}
    response = _post(admin, "/settings/attributes/return/refundNum/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "2 existing Return objects do not meet this definition" in html
    assert "Save anyway" in html
    assert "min" not in _props(org)["refundNum"]
    response = _post(admin, "/settings/attributes/return/refundNum/", {**data, "force": "on"})
    assert response.status_code == 302
    assert _props(org)["refundNum"]["min"] == 0
    assert (
        "2 existing Return objects do not meet it"
        in admin.get("/settings/attributes/return/").content.decode()
    )


def test_an_edit_against_an_old_revision_is_refused(admin, org, ret):
    services.metadata_update(
        org=org, actor=None, resource="kobject.return", data={"properties": {"refundNum": {}}}
    )
    stale = Metadata.objects.get().rev
    services.metadata_update(
        org=org, actor=None, resource="kobject.return", data={"properties": {"noteTxt": {}}}
    )
    response = _post(
        admin, "/settings/attributes/return/refundNum/", {"display_name": "Mine", "rev": stale}
    )
    assert response.status_code == 400
    assert "Someone else changed these attributes" in response.content.decode()


def test_reordering_is_what_the_insights_panel_shows(admin, org, ret):
    services.metadata_update(
        org=org,
        actor=None,
        resource="customer",
        data={"properties": {"aStr": {}, "bStr": {}, "cStr": {}}},
    )
    rev = Metadata.objects.get().rev
    response = admin.post(
        "/settings/attributes/customer/cStr/move/", {"direction": "up", "rev": rev}
    )
    assert response.status_code == 302
    admin.post("/settings/attributes/customer/cStr/move/", {"direction": "up"})
    props = _props(org, "customer")
    assert [r["name"] for r in attribute_rows({}, props)] == ["cStr", "aStr", "bStr"]
    html = admin.get("/settings/attributes/customer/").content.decode()
    assert html.index("cStr") < html.index("aStr") < html.index("bStr")
    # a new attribute goes last
    _post(
        admin,
        "/settings/attributes/customer/_new/",
        {"display_name": "Zero", "base_name": "zero", "kind": "Str"},
    )
    assert [r["name"] for r in attribute_rows({}, _props(org, "customer"))][-1] == "zeroStr"
    # moving past the end changes nothing, and a stale order is refused
    before = Metadata.objects.get(resource="customer").rev
    admin.post("/settings/attributes/customer/zeroStr/move/", {"direction": "down"})
    admin.post("/settings/attributes/customer/aStr/move/", {"direction": "up", "rev": 1})
    assert Metadata.objects.get(resource="customer").rev == before


def test_unknown_resources_and_attributes_are_not_found(admin, org, other_org):
    services.klass_create(org=other_org, actor=None, data={"name": "secret"})
    assert admin.get("/settings/attributes/secret/").status_code == 404
    assert admin.get("/settings/attributes/customer/nopeStr/").status_code == 404
    assert admin.post("/settings/attributes/customer/nopeStr/move/").status_code == 404


def test_machine_names_come_from_display_names():
    assert machine_base("Refund amount (€)") == "refundAmount"
    assert machine_base("3D size") == "n3dSize"
    assert machine_base("  ") == ""
