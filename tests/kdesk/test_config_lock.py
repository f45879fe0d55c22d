"""Every write of an org's configuration rows (metadata, validation rules, webhooks, mailboxes)
takes the org's row first (kdesk.config_cache.lock_config), before any of those rows: the
triggers of kdesk migration 0006 lock the org's row with each change, so two transactions that
changed two of them in opposite orders used to wait for each other (one holding a row and the
org's, the other holding the second row and waiting for the org's) until PostgreSQL undid one.
Now the second waits for the org's row before it holds anything, and both go through."""

import itertools
import re
import threading

import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from tests.parallel import needs_real_concurrency, someone_waits_on_a_lock

WEBHOOK = {"url": "https://93.184.215.14/hook", "events": ["kustomer.customer.create"]}
MAILBOX = {
    "displayName": "Acme Support",
    "smtpHost": "smtp.acme.test",
    "smtpPort": 587,
    "smtpSecurity": "starttls",
    "smtpUser": "support",
    "smtpPassword": "s3cret-smtp",
}
EVENTS = itertools.cycle(
    [
        "kustomer.customer.update",
        "kustomer.conversation.create",
        "kustomer.conversation.update",
        "kustomer.customer.create",
    ]
)
CONFIG_TABLES = (
    "klasses_metadata",
    "klasses_validationrule",
    "apps_directory_outboundwebhook",
    "mail_mailbox",
)


@pytest.fixture(autouse=True)
def _postgres_only(monkeypatch):
    if reason := needs_real_concurrency():
        pytest.skip(reason)  # SQLite runs write transactions one at a time: nothing to lock
    from apps_directory import outbound

    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])


# ---- two writers, opposite orders --------------------------------------------------------------


def _webhooks(org, actor):
    from apps_directory.webhooks import services

    def make(i):
        return services.webhook_create(org=org, actor=actor, data={**WEBHOOK, "name": f"Hook {i}"})[
            0
        ]

    def change(webhook):
        data = {"events": [next(EVENTS)]}
        services.webhook_update(org=org, actor=actor, webhook=webhook, data=data)

    return make, change


def _mailboxes(org, actor):
    from mail import services

    def make(i):
        data = {**MAILBOX, "address": f"box{i}@acme.test"}
        return services.mailbox_create(org=org, actor=actor, data=data)

    names = itertools.count()

    def change(mailbox):
        data = {"displayName": f"Support {next(names)}"}
        services.mailbox_update(org=org, actor=actor, mailbox=mailbox, data=data)

    return make, change


def _metadata(org, actor):
    from klasses import services

    labels = itertools.count()

    def put(resource):
        data = {"properties": {"noteStr": {"displayName": f"Note {next(labels)}"}}}
        services.metadata_update(org=org, actor=actor, resource=resource, data=data)

    def make(i):
        resource = ["customer", "conversation"][i]
        put(resource)
        return resource

    return make, put


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("rows", [_webhooks, _mailboxes, _metadata])
def test_two_writers_changing_two_rows_in_opposite_orders_both_go_through(org, admin_user, rows):
    make, change = rows(org, admin_user)
    a, b = make(0), make(1)
    org.refresh_from_db()
    before = org.config_version
    first_done, go = threading.Event(), threading.Event()
    outcome = {}

    def first():  # A, then B once the second writer waits
        try:
            with transaction.atomic():
                change(a)
                first_done.set()
                go.wait(30)
                change(b)
            outcome["first"] = "ok"
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcome["first"] = exc
        finally:
            first_done.set()
            connections.close_all()

    def second():  # B, then A
        try:
            with transaction.atomic():
                change(b)
                change(a)
            outcome["second"] = "ok"
        except Exception as exc:  # noqa: BLE001 - asserted below
            outcome["second"] = exc
        finally:
            connections.close_all()

    one, two = threading.Thread(target=first), threading.Thread(target=second)
    one.start()
    assert first_done.wait(30)
    two.start()
    # the second writer now waits: before this change, holding B's row (for the org's row);
    # now for the org's row, holding nothing
    waited = someone_waits_on_a_lock()
    go.set()
    one.join(60)
    two.join(60)
    assert not one.is_alive() and not two.is_alive()
    assert waited
    assert outcome == {"first": "ok", "second": "ok"}
    org.refresh_from_db()
    assert org.config_version >= before + 4  # every change bumped it, none was undone


# ---- each write service: the org's row before any configuration row ----------------------------


def _first(queries, test):
    return next((i for i, q in enumerate(queries) if test(q["sql"])), None)


def _org_lock(sql):
    return "kdesk_organization" in sql and "FOR NO KEY UPDATE" in sql


def _config_row(sql):
    """An insert, update or delete of a configuration row, or a row lock taken on one."""
    if not any(f'"{table}"' in sql or f" {table} " in sql for table in CONFIG_TABLES):
        return False
    return bool(re.match(r"\s*(INSERT|UPDATE|DELETE)\b", sql, re.I)) or " FOR " in sql


def _webhook(org, actor):
    from apps_directory.webhooks import services

    return services.webhook_create(org=org, actor=actor, data={**WEBHOOK, "name": "Shop"})[0]


def _mailbox(org, actor):
    from mail import services

    data = {**MAILBOX, "address": "help@acme.test"}
    return services.mailbox_create(org=org, actor=actor, data=data)


def _rule(org, actor):
    from klasses import services

    return services.rule_create(
        org=org, actor=actor, resource="customer", attribute="name", when="create"
    )


def _attributes(org, actor):
    from klasses import services

    data = {"properties": {"aStr": {"displayName": "A"}, "bStr": {"displayName": "B"}}}
    services.metadata_update(org=org, actor=actor, resource="customer", data=data)


def _installed(org, actor, version="2.0.0"):
    from apps_directory.catalog import services

    return services.installation_create(
        org=org, actor=actor, data={"app": "orders", "version": version}
    )


def _klass(org, actor):
    from klasses import services

    klass = services.klass_create(org=org, actor=actor, data={"name": "gadget"})
    services.metadata_update(
        org=org,
        actor=actor,
        resource="kobject.gadget",
        data={"properties": {"sizeNum": {"displayName": "Size"}}},
    )
    return klass


def _case_metadata_update(org, actor):
    from klasses import services

    _attributes(org, actor)
    data = {"properties": {"aStr": {"displayName": "Ay"}}}
    return lambda: services.metadata_update(org=org, actor=actor, resource="customer", data=data)


def _case_first_metadata(org, actor):
    from klasses import services

    data = {"properties": {"aStr": {"displayName": "A"}}}
    return lambda: services.metadata_update(org=org, actor=actor, resource="company", data=data)


def _case_attributes_reorder(org, actor):
    from klasses import services

    _attributes(org, actor)
    return lambda: services.attributes_reorder(
        org=org, actor=actor, resource="customer", names=["bStr", "aStr"]
    )


def _case_attribute_delete(org, actor):
    from klasses import services

    _attributes(org, actor)
    return lambda: services.attribute_delete(org=org, actor=actor, resource="customer", name="aStr")


def _case_attribute_first_seen(org, actor):
    from klasses import attributes

    def run():
        with transaction.atomic():
            attributes.record(org, "customer", {"seenStr": "str"})

    return run


def _case_rule_create(org, actor):
    return lambda: _rule(org, actor)


def _case_rule_update(org, actor):
    from klasses import services

    rule = _rule(org, actor)
    return lambda: services.rule_update(org=org, actor=actor, rule=rule, data={"active": False})


def _case_rule_delete(org, actor):
    from klasses import services

    rule = _rule(org, actor)
    return lambda: services.rule_delete(org=org, actor=actor, rule=rule)


def _case_webhook_create(org, actor):
    return lambda: _webhook(org, actor)


def _case_webhook_update(org, actor):
    from apps_directory.webhooks import services

    webhook = _webhook(org, actor)
    data = {"events": ["kustomer.customer.update"]}
    return lambda: services.webhook_update(org=org, actor=actor, webhook=webhook, data=data)


def _case_webhook_set_enabled(org, actor):
    from apps_directory.webhooks import services

    webhook = _webhook(org, actor)
    return lambda: services.webhook_set_enabled(
        org=org, actor=actor, webhook=webhook, enabled=False
    )


def _case_webhook_rotate(org, actor):
    from apps_directory.webhooks import services

    webhook = _webhook(org, actor)
    return lambda: services.webhook_rotate(org=org, actor=actor, webhook=webhook)


def _case_webhook_delete(org, actor):
    from apps_directory.webhooks import services

    webhook = _webhook(org, actor)
    return lambda: services.webhook_delete(org=org, actor=actor, webhook=webhook)


def _case_webhook_disable_failing(org, actor):
    from apps_directory.webhooks import services

    webhook = _webhook(org, actor)
    return lambda: services.webhook_disable_failing(
        webhook_id=webhook.pk, delivery=None, reason="The receiver answered 410."
    )


def _case_mailbox_create(org, actor):
    return lambda: _mailbox(org, actor)


def _case_mailbox_update(org, actor):
    from mail import services

    mailbox = _mailbox(org, actor)
    data = {"displayName": "Help desk"}
    return lambda: services.mailbox_update(org=org, actor=actor, mailbox=mailbox, data=data)


def _case_mailbox_delete(org, actor):
    from mail import services

    mailbox = _mailbox(org, actor)
    return lambda: services.mailbox_delete(org=org, actor=actor, mailbox=mailbox)


def _case_klass_delete(org, actor):
    from klasses import services

    klass = _klass(org, actor)
    return lambda: services.klass_delete(org=org, actor=actor, klass=klass)


def _case_klass_put_with_metadata(org, actor):
    from kdesk.services import api_key_create
    from tests.factories import ApiClient

    _klass(org, actor)
    key, token = api_key_create(org=org, name="test key", scopes=None)
    api = ApiClient(token, key=key)
    body = {"description": "Gadgets.", "metadata": {"properties": {"sizeNum": {"min": 0}}}}

    def run():
        response = api.put("/v1/klasses/gadget/definition", body)
        assert response.status_code == 200, response.content

    return run


def _case_app_install(org, actor):
    return lambda: _installed(org, actor)


def _case_app_upgrade(org, actor):
    from apps_directory.catalog import services

    installation = _installed(org, actor, version="1.0.0")
    return lambda: services.installation_update(
        org=org, actor=actor, installation=installation, data={"version": "2.0.0"}
    )


def _case_app_uninstall(org, actor):
    from apps_directory.catalog import services

    installation = _installed(org, actor)
    return lambda: services.installation_delete(org=org, actor=actor, installation=installation)


CASES = {name[len("_case_") :]: fn for name, fn in globals().items() if name.startswith("_case_")}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CASES))
def test_each_write_service_locks_the_org_before_any_configuration_row(org, admin_user, case):
    run = CASES[case](org, admin_user)
    with CaptureQueriesContext(connection) as captured:
        run()
    queries = captured.captured_queries
    touched = _first(queries, _config_row)
    assert touched is not None, "the service wrote no configuration row"
    locked = _first(queries, _org_lock)
    assert locked is not None and locked < touched, (
        f"first configuration row at query {touched}: {queries[touched]['sql']}\n"
        f"org lock at {locked}"
    )
