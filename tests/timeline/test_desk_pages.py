"""Desk pages: the customer timeline (order, filters, cursor, query counts), compose, status
rules, inline edits, inbox, search, notifications, shortcuts, KView cards, org isolation."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from conversations.models import Conversation, Message, Note, Notification, Shortcut
from customers.models import Customer
from kdesk.models import Event
from klasses.models import KView
from tests.factories import UserFactory
from tests.timeline.desk_data import add_events, build, people

pytestmark = pytest.mark.django_db


@pytest.fixture
def who(org, agent, admin_user):
    return people(org, agent=agent, admin=admin_user)


@pytest.fixture
def desk(org, who):
    customer, conversation = build(org, who, orders=False)
    return customer, conversation


@pytest.fixture
def sam(client, who):
    client.force_login(who["sam"])
    return client


def entry_ids(html):
    return [int(i) for i in re.findall(r'id="entry-(\d+)"', html)]


def test_it_shows_messages_notes_and_object_events_newest_first(sam, org, desk):
    customer, _ = desk
    html = sam.get(f"/customers/{customer.pk}/").content.decode()
    ids = entry_ids(html)
    rows = list(
        Event.objects.filter(org=org, customer_id=customer.pk, pk__in=ids).values_list(
            "id", "created_at"
        )
    )
    order = [pk for pk, _ in sorted(rows, key=lambda r: (r[1], r[0]), reverse=True)]
    assert ids == order
    assert html.index("can you chase") < html.index("checking with the carrier")
    assert html.index("checking with the carrier") < html.index("has not arrived yet")
    assert 'class="tl-entry tl-note' in html and 'class="tl-entry tl-out' in html
    assert 'class="tl-entry tl-in' in html
    assert '<span class="mention" data-handle="lee">@lee</span>' in html
    assert '<span class="mention" data-handle="billing">@billing</span>' in html


def test_kobject_events_show_changed_fields_before_and_after(sam, org, desk):
    customer, _ = desk
    from klasses import demo as kdemo
    from klasses.services import kobject_create, kobject_update

    order = kdemo._klass(org, "order", "Order", "shopping-bag", "#7c3aed")
    kdemo._define(org, "kobject.order", kdemo.ORDER_PROPERTIES)
    obj = kobject_create(
        org=org,
        actor=None,
        klass=order,
        data={
            "title": "Order A-1",
            "externalId": "A-1",
            "customer": str(customer.pk),
            "data": {"orderNumberStr": "A-1", "statusStr": "paid", "totalNum": 10},
        },
    )
    kobject_update(
        org=org, actor=None, klass=order, kobject=obj, data={"data": {"statusStr": "shipped"}}
    )
    html = sam.get(f"/customers/{customer.pk}/").content.decode()
    assert "Order updated" in html and "Order created" in html
    block = html[html.index("Order updated") :]
    assert re.search(
        r'field-name">Status</span> <span class="before">.*paid.*</span>.*'
        r'<span class="after">.*shipped',
        block[:1500],
        re.S,
    )


def test_kind_and_klass_filters(sam, org, desk):
    from klasses import demo as kdemo

    customer, _ = desk
    kdemo._klass(org, "order", "Order", "shopping-bag", "#7c3aed")
    add_events(org, customer, 3, type="kobject.order.create")
    html = sam.get(f"/customers/{customer.pk}/timeline/?kind=note").content.decode()
    kinds = set(re.findall(r'data-kind="(\w+)"', html))
    assert kinds == {"note"}
    html = sam.get(f"/customers/{customer.pk}/timeline/?klass=order").content.decode()
    assert set(re.findall(r'data-kind="(\w+)"', html)) == {"kobject"}
    assert 'aria-pressed="true"' in html


def test_scrolling_pages_are_stable_when_new_entries_arrive(sam, org, desk):
    customer, _ = desk
    add_events(org, customer, 80)
    first = sam.get(f"/customers/{customer.pk}/").content.decode()
    cursor = re.search(r"timeline/\?cursor=([\w-]+)", first).group(1)
    before = entry_ids(
        sam.get(f"/customers/{customer.pk}/timeline/?cursor={cursor}").content.decode()
    )
    add_events(org, customer, 10, start=Event.objects.latest("created_at").created_at)
    after = entry_ids(
        sam.get(f"/customers/{customer.pk}/timeline/?cursor={cursor}").content.decode()
    )
    assert before == after and len(before) == 30
    assert not set(before) & set(entry_ids(first))


def test_bad_cursor_is_a_400(sam, desk):
    customer, _ = desk
    assert sam.get(f"/customers/{customer.pk}/timeline/?cursor=nonsense").status_code == 400


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_query_count_is_constant_at_10_and_10000_entries(sam, org, who):
    small = Customer.objects.create(org=org, name="Small")
    big = Customer.objects.create(org=org, name="Big")
    add_events(org, small, 10)
    for _ in range(10):
        add_events(org, big, 1000)
    counts = {}
    for customer in (small, big):
        page_count, response = _count(sam, f"/customers/{customer.pk}/")
        scroll_count, _ = _count(sam, f"/customers/{customer.pk}/timeline/")
        counts[customer.name] = (page_count, scroll_count)
    assert counts["Small"] == counts["Big"], counts
    from kdesk.api.pagination import encode_cursor
    from timeline.selectors import encode_keyset, timeline_page

    scrolls = []
    for depth in (30, 9000):
        _, keyset = timeline_page(org=org, customer_id=big.pk, limit=depth)
        url = f"/customers/{big.pk}/timeline/?cursor={encode_cursor(encode_keyset(keyset))}"
        count, response = _count(sam, url)
        assert len(entry_ids(response.content.decode())) == 30
        scrolls.append(count)
    assert scrolls[0] == scrolls[1], scrolls


def test_reply_records_an_outbound_message_and_returns_its_entry(sam, org, desk, who):
    customer, conversation = desk
    response = sam.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "reply", "body": "On its way!", "conversation": conversation.pk},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    message = Message.objects.filter(conversation=conversation).latest("id")
    assert message.direction == "out" and message.channel == "email"
    assert message.body == "On its way!" and message.author == who["sam"]
    html = response.content.decode()
    assert 'hx-swap-oob="afterbegin:#timeline-entries"' in html and "On its way!" in html


def test_note_with_mentions_notifies_the_mentioned(sam, org, desk, who):
    customer, conversation = desk
    response = sam.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "note", "body": "@priya please look", "conversation": conversation.pk},
    )
    assert response.status_code == 200
    note = Note.objects.latest("id")
    assert note.mentioned_user_ids == [who["priya"].pk]
    assert Notification.objects.filter(user=who["priya"], note=note).count() == 1
    assert 'data-handle="priya"' in response.content.decode()


def test_empty_reply_shows_the_error_in_the_form(sam, desk):
    customer, conversation = desk
    response = sam.post(
        f"/customers/{customer.pk}/compose/",
        {"mode": "reply", "body": "", "conversation": conversation.pk},
    )
    assert response.status_code == 422
    assert "form-errors" in response.content.decode()


def test_closing_needs_the_required_resolution_then_succeeds(sam, org, desk):
    customer, conversation = desk
    url = f"/customers/{customer.pk}/conversation/"
    response = sam.post(
        url, {"conversation": conversation.pk, "status": "done", "custom.resolutionStr": ""}
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="conv-error-resolutionStr"' in html
    assert "Pick a resolution before closing" in html
    conversation.refresh_from_db()
    assert conversation.status == "open"
    response = sam.post(
        url, {"conversation": conversation.pk, "status": "done", "custom.resolutionStr": "answered"}
    )
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.status == "done" and conversation.custom["resolutionStr"] == "answered"
    assert "changed the status" in response.content.decode()


def test_assignment_through_the_conversation_card(sam, org, desk, who):
    customer, conversation = desk
    response = sam.post(
        f"/customers/{customer.pk}/conversation/",
        {
            "conversation": conversation.pk,
            "status": "open",
            "assignedUser": who["lee"].pk,
            "assignedTeam": who["billing"].pk,
        },
    )
    assert response.status_code == 200
    conversation.refresh_from_db()
    assert conversation.assigned_user == who["lee"]
    assert conversation.assigned_team == who["billing"]
    assert Notification.objects.filter(user=who["lee"], kind="assignment").exists()


def test_inline_edit_shows_engine_errors_beside_the_field_then_saves(sam, org, desk):
    customer, _ = desk
    url = f"/customers/{customer.pk}/attributes/tierStr/"
    form = sam.get(url + "?edit=1").content.decode()
    assert '<select id="attr-input-tierStr" name="value"' in form
    response = sam.post(url, {"value": "diamond"})
    assert response.status_code == 422
    assert 'id="attr-error-tierStr"' in response.content.decode()
    response = sam.post(f"/customers/{customer.pk}/attributes/lifetimeValueNum/", {"value": "lots"})
    assert response.status_code == 422 and "field-error" in response.content.decode()
    response = sam.post(url, {"value": "gold"})
    assert response.status_code == 200 and "gold" in response.content.decode()
    customer.refresh_from_db()
    assert customer.custom["tierStr"] == "gold"
    response = sam.post(f"/customers/{customer.pk}/attributes/vipBool/", {"value": "true"})
    assert response.status_code == 200 and 'class="check"' in response.content.decode()
    response = sam.post(f"/customers/{customer.pk}/attributes/name/", {"value": "Grace B. Hopper"})
    customer.refresh_from_db()
    assert customer.name == "Grace B. Hopper"


def test_insights_format_values_by_type(sam, org, desk):
    from customers.services import customer_update
    from klasses.services import metadata_update

    customer, _ = desk
    metadata_update(
        org=org,
        actor=None,
        resource="customer",
        force=True,
        data={
            "properties": {
                "planTree": {
                    "displayName": "Plan",
                    "tree": {
                        "nodes": [
                            {
                                "id": "pro",
                                "displayName": "Pro",
                                "children": [{"id": "yearly", "displayName": "Yearly"}],
                            }
                        ]
                    },
                },
                "renewsAt": {"displayName": "Renews"},
                "homepageUrl": {"displayName": "Homepage"},
            }
        },
    )
    customer_update(
        org=org,
        actor=None,
        customer=customer,
        data={
            "custom": {
                "planTree": "pro.yearly",
                "renewsAt": "2030-01-02T03:04:00Z",
                "homepageUrl": "https://grace.example.com/",
                "vipBool": True,
                "tierStr": "gold",
            }
        },
    )
    html = sam.get(f"/customers/{customer.pk}/insights/").content.decode()
    assert "Pro › Yearly" in html
    assert '<span class="at" data-at="2030-01-02T03:04:00+00:00"' in html
    assert ">Jan 2, 2030, 03:04</span>" in html  # the agent's zone (UTC here), with the year
    assert 'href="https://grace.example.com/" target="_blank" rel="noopener noreferrer"' in html
    assert '<span class="check"' in html
    assert ">Tier<" in html and ">Plan<" in html


def test_insight_cards_render_and_failures_fall_back(client, org, desk, who):
    customer, _ = desk
    from klasses.services import kview_create

    kview_create(
        org=org,
        actor=None,
        data={
            "name": "Broken",
            "resource": "customer",
            "context": "insight-card",
            "template": "line one\n{{ customer.name.nope() }}",
        },
    )
    kview_create(
        org=org,
        actor=None,
        data={
            "name": "Escape",
            "resource": "customer",
            "context": "insight-card",
            "template": "<p>{{ ''.__class__.__mro__ }}{{ cycler.__init__.__globals__ }}</p>",
        },
    )
    client.force_login(who["sam"])
    html = client.get(f"/customers/{customer.pk}/cards/").content.decode()
    assert "Card unavailable" in html and "line 2" not in html
    assert "class '" not in html and "__globals__" not in html and "<script" not in html
    assert 'src="/desk/demo/loyalty/?customer=' in html and "sandbox=" in html
    client.force_login(who["ada"])
    html = client.get(f"/customers/{customer.pk}/cards/").content.decode()
    assert "(line 2)" in html


def test_kobject_entry_expands_to_its_timeline_kview(sam, org, who):
    customer, _ = build(org, who)
    event = Event.objects.filter(
        org=org, customer_id=customer.pk, type="kobject.order.create"
    ).first()
    html = sam.get(f"/desk/entries/{event.pk}/kview/").content.decode()
    assert "Open in order admin" in html
    assert "https://admin.example.com/orders?email=grace%40example.com&amp;order=" in html
    assert 'rel="noopener noreferrer"' in html
    cards = sam.get(f"/customers/{customer.pk}/cards/").content.decode()
    assert (
        "Recent orders" in cards and "admin.example.com/orders?email=grace%40example.com" in cards
    )


def test_demo_iframe_page_is_same_origin_framable(sam, desk):
    customer, _ = desk
    response = sam.get(f"/desk/demo/loyalty/?customer={customer.pk}")
    assert response.status_code == 200
    assert response["X-Frame-Options"] == "SAMEORIGIN"
    assert "points" in response.content.decode()


def test_demo_seed_is_idempotent(org, who):
    from timeline import demo

    build(org, who, orders=False)
    counts = (KView.objects.filter(org=org).count(), Event.objects.count())
    demo.seed(org, who)
    assert (KView.objects.filter(org=org).count(), Event.objects.count()) == counts


def test_inbox_lists_conversations_with_scope_and_status(sam, org, desk, who):
    customer, conversation = desk
    html = sam.get("/inbox/").content.decode()
    assert "Grace Hopper" in html and "Where is my order?" in html
    assert 'data-live-topics="inbox notifications"' in html
    assert "Inbox zero" in sam.get("/inbox/?scope=mine").content.decode()
    Conversation.objects.filter(pk=conversation.pk).update(assigned_user=who["sam"])
    assert "Grace Hopper" in sam.get("/inbox/?scope=mine").content.decode()
    assert "Grace Hopper" not in sam.get("/inbox/?status=done").content.decode()


def test_inbox_load_more_uses_the_cursor(sam, org, who):
    from conversations.services import conversation_create

    customer = Customer.objects.create(org=org, name="Many")
    for i in range(45):
        conversation_create(org=org, actor=None, customer=customer, data={"name": f"Topic {i}"})
    html = sam.get("/inbox/").content.decode()
    assert html.count("data-inbox-row") == 40
    cursor = re.search(r"cursor=([\w-]+)&amp;part=rows", html).group(1)
    more = sam.get(
        f"/inbox/?status=open&scope=all&cursor={cursor}&part=rows", headers={"HX-Request": "true"}
    ).content.decode()
    assert more.count("data-inbox-row") == 5 and "Topic 0" in more


@pytest.mark.parametrize(
    "q", ["grace@example.com", "GRACE@example.com", "+14155550100", "(415) 555-0100", "cus_grace"]
)
def test_quick_find_jumps_to_the_customer(sam, desk, q):
    customer, _ = desk
    response = sam.get("/customers/", {"q": q})
    assert response.status_code == 302 and response["Location"] == f"/customers/{customer.pk}/"


def test_customer_search_lists_partial_matches(sam, org, desk):
    Customer.objects.create(org=org, name="Grace Kelly")
    html = sam.get("/customers/", {"q": "grace"}).content.decode()
    assert "Grace Hopper" in html and "Grace Kelly" in html
    assert "No customers found" in sam.get("/customers/", {"q": "zzz"}).content.decode()


def test_notifications_link_to_the_note_and_mark_read(client, org, desk, who):
    customer, _ = desk
    client.force_login(who["lee"])
    html = client.get("/notifications/").content.decode()
    note = Note.objects.latest("id")
    event = Event.objects.get(resource="note", resource_id=str(note.pk))
    assert f'href="/customers/{customer.pk}/?note={note.pk}#entry-{event.pk}"' in html
    page = client.get(f"/customers/{customer.pk}/?note={note.pk}").content.decode()
    assert f'data-highlight="{event.pk}"' in page and f'id="entry-{event.pk}"' in page
    one = Notification.objects.get(user=who["lee"], note=note)
    client.post("/notifications/read/", {"id": one.pk})
    one.refresh_from_db()
    assert one.read_at is not None
    client.post("/notifications/read/")
    assert not Notification.objects.filter(user=who["lee"], read_at__isnull=True).exists()


def test_note_far_down_the_timeline_is_on_the_first_page(client, org, desk, who):
    customer, _ = desk
    note = Note.objects.latest("id")
    add_events(org, customer, 120, start=Event.objects.latest("created_at").created_at)
    client.force_login(who["lee"])
    event = Event.objects.get(resource="note", resource_id=str(note.pk))
    assert f'id="entry-{event.pk}"' not in client.get(f"/customers/{customer.pk}/").content.decode()
    page = client.get(f"/customers/{customer.pk}/?note={note.pk}").content.decode()
    assert f'id="entry-{event.pk}"' in page


def test_mention_and_shortcut_suggestions(sam, org, desk, who):
    customer, _ = desk
    data = sam.get("/desk/mentions.json", {"q": "le"}).json()["data"]
    assert {"kind": "user", "handle": "lee", "label": "Lee Chen"} in data
    data = sam.get("/desk/mentions.json", {"q": "bil"}).json()["data"]
    assert data == [{"kind": "team", "handle": "billing", "label": "Billing"}]
    sam.post(
        "/shortcuts/",
        {
            "name": "thanks",
            "payload": "Thanks {{customer.firstName}}! — {{agent.firstName}}",
            "visibility": "shared",
        },
    )
    data = sam.get(f"/customers/{customer.pk}/shortcuts.json", {"q": "tha"}).json()["data"]
    assert data[0]["name"] == "thanks" and data[0]["text"] == "Thanks Grace! — Sam"


def test_shortcuts_page_create_edit_delete(sam, org, who):
    response = sam.post("/shortcuts/", {"name": "", "payload": "", "visibility": "shared"})
    assert response.status_code == 422 and "field-error" in response.content.decode()
    sam.post("/shortcuts/", {"name": "refund", "payload": "Refunded.", "visibility": "private"})
    shortcut = Shortcut.objects.get(name="refund")
    assert shortcut.visibility == "private" and shortcut.owner == who["sam"]
    assert "#refund" in sam.get("/shortcuts/").content.decode()
    sam.post(
        f"/shortcuts/{shortcut.pk}/edit/",
        {"name": "refund", "payload": "Refund sent.", "visibility": "shared"},
    )
    shortcut.refresh_from_db()
    assert shortcut.payload == "Refund sent." and shortcut.visibility == "shared"
    assert "Delete #refund?" in sam.get(f"/shortcuts/{shortcut.pk}/delete/").content.decode()
    sam.post(f"/shortcuts/{shortcut.pk}/delete/")
    assert not Shortcut.objects.filter(pk=shortcut.pk).exists()


def test_private_shortcuts_of_others_are_hidden(client, org, who):
    from conversations.services import shortcut_create

    mine = shortcut_create(
        org=org, actor=who["lee"], data={"name": "x", "payload": "y", "visibility": "private"}
    )
    client.force_login(who["sam"])
    assert client.get(f"/shortcuts/{mine.pk}/edit/").status_code == 404
    assert "#x" not in client.get("/shortcuts/").content.decode()


def test_pages_need_sign_in(client, desk):
    customer, _ = desk
    for url in (
        "/inbox/",
        "/customers/",
        f"/customers/{customer.pk}/",
        "/notifications/",
        "/shortcuts/",
        "/desk/mentions.json",
    ):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_other_orgs_ids_are_404(client, org, other_org, desk, who):
    customer, conversation = desk
    stranger = UserFactory(org=other_org, username="eve")
    client.force_login(stranger)
    event = Event.objects.filter(org=org, customer_id=customer.pk).first()
    for url in (
        f"/customers/{customer.pk}/",
        f"/customers/{customer.pk}/timeline/",
        f"/customers/{customer.pk}/insights/",
        f"/customers/{customer.pk}/cards/",
        f"/customers/{customer.pk}/attributes/name/?edit=1",
        f"/customers/{customer.pk}/shortcuts.json",
        f"/customers/{customer.pk}/conversation/",
        f"/desk/entries/{event.pk}/kview/",
        f"/desk/demo/loyalty/?customer={customer.pk}",
    ):
        assert client.get(url).status_code == 404, url
    for url, data in (
        (f"/customers/{customer.pk}/compose/", {"body": "x", "conversation": conversation.pk}),
        (
            f"/customers/{customer.pk}/conversation/",
            {"conversation": conversation.pk, "status": "done"},
        ),
        (f"/customers/{customer.pk}/attributes/name/", {"value": "Eve"}),
    ):
        assert client.post(url, data).status_code == 404, url
    assert "Grace" not in client.get("/inbox/").content.decode()
    assert "Grace" not in client.get("/customers/?q=grace").content.decode()
    assert client.get("/customers/?q=grace@example.com").status_code == 200
    assert client.get("/desk/mentions.json?q=le").json()["data"] == []
    conversation.refresh_from_db()
    assert conversation.status == "open"


def test_a_conversation_of_another_customer_is_refused(sam, org, desk):
    customer, conversation = desk
    other = Customer.objects.create(org=org, name="Other")
    response = sam.post(
        f"/customers/{other.pk}/compose/",
        {"mode": "reply", "body": "x", "conversation": conversation.pk},
    )
    assert response.status_code == 404


def test_live_fragment_is_the_page_partial(org, desk):
    from timeline import fragments

    customer, _ = desk
    event = Event.objects.filter(type="conversation.note.create").latest("id")
    ops = fragments.ops_for(event, f"customer.{customer.pk}")
    assert ops[0]["op"] == "prepend" and ops[0]["target"] == "#timeline-entries"
    assert f'id="entry-{event.pk}"' in ops[0]["html"] and "tl-note" in ops[0]["html"]
    assert "data-announce=" in ops[0]["html"]


def test_each_kobject_details_toggle_names_its_object(sam, org, desk):
    """Screen readers list the expanders by name: two orders must not both read "Details", and
    the type is said once, whether or not the title already starts with it."""
    customer, _ = desk
    from klasses import demo as kdemo
    from klasses.services import kobject_create

    order = kdemo._klass(org, "order", "Order", "shopping-bag", "#7c3aed")
    kdemo._define(org, "kobject.order", kdemo.ORDER_PROPERTIES)
    for title in ("Order A-1", "order A-2", "A-3", "Orders of May"):
        kobject_create(
            org=org,
            actor=None,
            klass=order,
            data={"title": title, "customer": str(customer.pk), "data": {"orderNumberStr": "1"}},
        )
    html = sam.get(f"/customers/{customer.pk}/").content.decode()
    names = re.findall(r"<summary>(Details.*?)</summary>", html)
    names = [re.sub(r"<[^>]+>", "", n) for n in names]
    assert sorted(names) == [
        "Details of Order A-1",
        "Details of Order A-3",
        "Details of Order Orders of May",
        "Details of order A-2",
    ]
    from timeline import fragments

    live = fragments.render_entry(
        Event.objects.filter(type="kobject.order.create").first(), live=True
    )
    assert 'data-announce="Order A-1 created"' in live
