"""What the document refuses, the API refuses: for every operation that takes a JSON body, a valid
body with one top-level attribute swapped for a value of another JSON type (or null, or an
empty string or list) that the operation's schema does not admit is answered 4xx, and the error
names that attribute. Schemathesis' negative_data_rejection checks the same thing from random
bodies in the conformance run; this test walks every attribute with every kind of value, the
same way in every run."""

import datetime as dt
import json
import re
from urllib.parse import urlencode

import pytest
import yaml
from jsonschema import Draft202012Validator, FormatChecker

pytestmark = pytest.mark.django_db

# A body each operation accepts (`{n}` is unique per request, `{<name>}` an id from `world`);
# an operation not listed here is sent `{}`, which its document must then admit.
BASES = {
    "POST /v1/apps/installations": {"app": "orders"},
    "POST /v1/attachments": {"name": "a.txt", "contentType": "text/plain", "contentLength": 3},
    "POST /v1/companies": {"name": "Acme {n}"},
    "PUT /v1/companies/{id}": {"name": "Acme {n}"},
    "POST /v1/conversations": {"customer": "{customer}"},
    "POST /v1/conversations/{id}/messages": {"direction": "in", "channel": "email", "body": "Hi"},
    "POST /v1/customers/{id}/messages": {"direction": "in", "channel": "email", "body": "Hi"},
    "POST /v1/conversations/{id}/notes": {"body": "A note"},
    "POST /v1/customers/{id}/klasses/{name}": {"title": "O {n}"},
    "POST /v1/customers/merges": {"source": "{spare_customer}", "target": "{customer}"},
    # world's validation rule: an update of a customer carries its tier
    "PUT /v1/customers/{id}": {"custom": {"tierStr": "gold"}},
    "PATCH /v1/customers/{id}": {"custom": {"tierStr": "gold"}},
    "PUT /v1/customers/externalId={external_id}": {"custom": {"tierStr": "gold"}},
    "PUT /v1/klasses/{name}/externalId={external_id}": {"title": "O {n}", "externalId": "o1"},
    "PUT /v1/klasses/order/externalId={external_id}": {"title": "O {n}", "externalId": "o1"},
    "POST /v1/customers": {
        "name": "Ada {n}",
        "emails": [{"email": "ada{n}@example.com", "type": "work"}],
        "phones": [{"phone": "+14155550100", "type": "mobile"}],
        "socials": [{"type": "twitter", "username": "ada{n}"}],
        "urls": [{"url": "https://ada.example.com", "type": "home"}],
        "locations": [{"type": "home", "city": "London", "countryCode": "GB"}],
    },
    "POST /v1/klasses": {
        "name": "thing{n}",
        "relationships": [{"name": "buyer", "target": "customer", "cardinality": "one-to-one"}],
    },
    "POST /v1/customers/search": {"queryContext": "customer"},
    "POST /v1/hooks": {"name": "Hook {n}", "kind": "web"},
    "POST /v1/klasses/{name}": {"title": "O {n}"},
    "POST /v1/klasses/order": {"title": "O {n}"},
    "POST /v1/klasses/{name}/bulk": [{"title": "O {n}"}],
    "POST /v1/klasses/order/bulk": [{"title": "O {n}"}],
    "POST /v1/klasses/{name}/{id}/relationships/{rel}": {
        "data": {"type": "customer", "id": "{customer}"}
    },
    "PATCH /v1/klasses/{name}/{id}/relationships/{rel}": {
        "data": {"type": "customer", "id": "{customer}"}
    },
    "POST /v1/kviews": {
        "name": "Card {n}",
        "resource": "kobject.order",
        "context": "insight-card",
        "template": "<p>x</p>",
    },
    "POST /v1/mailboxes": {"address": "box{n}@acme.test", "sending": "django"},
    "POST /v1/outbound-webhooks": {
        "name": "Shop {n}",
        "url": "https://shop.example/hook",
        "events": ["kustomer.customer.create"],
    },
    "PUT /v1/metadata/{resource}": {"properties": {}},
    "POST /v1/shortcuts": {"name": "hi{n}", "payload": "Hi!"},
    "POST /v1/tags": {"name": "tag{n}"},
    "POST /v1/teams": {"name": "Team {n}"},
    "POST /v1/validations": {
        "resource": "customer",
        "attribute": "custom.tierStr",
        "when": "update",
    },
    "POST /v1/workflows": {
        "name": "Flow {n}",
        "trigger": {"type": "event", "event": "kustomer.customer.update"},
        "steps": [{"id": "ping", "action": "http.request", "params": {"url": "https://x.io"}}],
    },
}
# Values of every JSON type; each is sent where the attribute's schema refuses it.
VALUES = [None, "", "x", 0, 1, 1.5, True, [], ["x"], [1], [None], {}, {"a": 1}]
NESTED_VALUES = [None, "", "x", 1, True, [], {"a": 1}]  # one of each JSON type, and blank


FORMATS = FormatChecker()
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)$")


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value):
    """RFC 3339, as Schemathesis reads `format: date-time` (jsonschema checks it only with a
    package kdesk does not need)."""
    if not isinstance(value, str):
        return True
    if not RFC3339.match(value):
        return False
    dt.datetime.fromisoformat(value.replace("z", "Z"))
    return True


@pytest.fixture(autouse=True)
def public_dns(monkeypatch):
    from apps_directory import outbound

    monkeypatch.setattr(outbound, "resolve", lambda host, port: ["93.184.215.14"])


@pytest.fixture
def unthrottled(org, other_org, make_key):
    """Clients of both orgs whose keys are not rate-limited (this test sends thousands)."""
    from tests.factories import ApiClient

    def client(of):
        key, token = make_key(of, rate_limit_per_minute=10**9)
        return ApiClient(token, key=key)

    return client(org), client(other_org)


@pytest.fixture
def ids(world, unthrottled):
    api = unthrottled[0]
    out = dict(world)
    out["spare_customer"] = api.post("/v1/customers", {"name": "Spare"}).json()["data"]["id"]
    # a shortcut of the key's own user (a shared one is only its owner's or an admin's to change)
    out["shortcut"] = api.post("/v1/shortcuts", {"name": "mine", "payload": "x"}).json()["data"][
        "id"
    ]
    for key, path, body in (
        ("hook", "/v1/hooks", BASES["POST /v1/hooks"]),
        ("mailbox", "/v1/mailboxes", BASES["POST /v1/mailboxes"]),
        ("outbound_webhook", "/v1/outbound-webhooks", BASES["POST /v1/outbound-webhooks"]),
    ):
        response = api.post(path, _fill(body, out, key))
        assert response.status_code == 201, (path, response.content)
        out[key] = response.json()["data"]["id"]
    return out


RESOURCE_IDS = {
    "apps": "installation",
    "companies": "company",
    "conversations": "conversation",
    "customers": "customer",
    "hooks": "hook",
    "klasses": "kobject",
    "kviews": "kview",
    "mailboxes": "mailbox",
    "outbound-webhooks": "outbound_webhook",
    "shortcuts": "shortcut",
    "tags": "tag",
    "teams": "team",
    "validations": "validation",
    "workflows": "workflow",
}


def _url(template, ids):
    resource = template.split("/")[2]
    external = "g1" if resource == "customers" else "o1"
    url = (
        template.replace("{message_pk}", ids["message"])
        .replace("{note_pk}", ids["note"])
        .replace("{name}", "order")
        .replace("{rel}", "buyer")
        .replace("{resource}", "customer")
        .replace("{external_id}", external)
    )
    return url.replace("{id}", ids[RESOURCE_IDS[resource]]) if "{id}" in url else url


def _fill(body, ids, n):
    text = json.dumps(body)
    for key, value in ids.items():
        text = text.replace("{" + key + "}", value)
    return json.loads(text.replace("{n}", str(n)))


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                yield f"{method.upper()} {path}", content["application/json"]["schema"]


def _properties(schema, components):
    while "$ref" in schema:
        schema = components["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for alternative in schema.get("anyOf", []) + schema.get("oneOf", []):
        if alternative.get("type") != "null":
            return _properties(alternative, components)
    kinds = schema.get("type")
    if "items" in schema and (kinds == "array" or "array" in (kinds or ())):
        return _properties(schema["items"], components)
    return schema.get("properties") or {}


def _mutations(base, properties, components):
    """(attribute, value, body) with one attribute of the base body (of each item, for a list)
    set to each value; and one attribute of each object the base body holds, or of the first
    item of each list of objects, as `emails/0/type`."""
    for name in properties:
        for value in VALUES:
            if isinstance(base, list):
                yield name, value, [{**item, name: value} for item in base]
            else:
                yield name, value, {**base, name: value}
    for name, held in base.items() if isinstance(base, dict) else ():
        first = held[0] if isinstance(held, list) and held else held
        if not isinstance(first, dict):
            continue
        for inner in _properties(properties[name], components):
            for value in NESTED_VALUES:
                changed = {**first, inner: value}
                nested = [changed, *held[1:]] if isinstance(held, list) else changed
                label = f"{name}/0/{inner}" if isinstance(held, list) else f"{name}/{inner}"
                yield label, value, {**base, name: nested}


def _named(validator, body, name):
    """The attributes a refusal of `body` may name: the one changed, and those the schema's own
    errors name (a value that makes another attribute required, as `sending: null` does)."""
    names = {name}
    for error in validator.iter_errors(body):
        path = [p for p in error.absolute_path if isinstance(p, str)]
        if path:
            names.add(path[0])
        if error.validator == "required":
            names.update(error.validator_value)
    return names


def _names(response, names):
    pointers = [e.get("source", {}).get("pointer", "") for e in response.json()["errors"]]
    return any(
        p.lstrip("/").split("/")[0] in names or "/" in p.lstrip("/") and p.split("/")[2] in names
        for p in pointers
    )


def test_every_refused_value_is_refused(unthrottled, ids):
    api, other_api = unthrottled
    spec = yaml.safe_load(api.get("/v1/schema").content)
    accepted, unnamed, refused, invalid, checked = [], [], [], [], 0
    n = 0
    for operation, schema in _operations(spec):
        method, template = operation.split(" ", 1)
        # Orders installs into an org without an `order` Klass of its own (world has one); the
        # installation the PUT changes is the one the POST's base body makes.
        client = other_api if template.startswith("/v1/apps/") else api
        url = _url(template, ids)
        validator = Draft202012Validator(
            {**schema, "components": spec["components"]}, format_checker=FORMATS
        )
        raw = BASES.get(operation, {})
        if not validator.is_valid(_fill(raw, ids, 0)):
            invalid.append(operation)
            continue
        properties = _properties(schema, spec["components"])
        for name, value, body in _mutations(raw, properties, spec["components"]):
            n += 1
            body = _fill(body, ids, n)
            if validator.is_valid(body):
                continue
            checked += 1
            response = client.request(method, url, body)
            if response.status_code < 400:
                accepted.append(f"{operation} {name}={json.dumps(value)}: {response.status_code}")
            elif not _names(response, _named(validator, body, name.split("/")[0])):
                unnamed.append(f"{operation} {name}={json.dumps(value)}: {response.content[:200]}")
        n += 1
        response = client.request(method, url, _fill(raw, ids, n))
        if response.status_code >= 300:
            refused.append(f"{operation}: {response.content[:300]}")
        elif operation == "POST /v1/apps/installations":
            ids["installation"] = response.json()["data"]["id"]
    assert checked > 1000
    problems = {
        "base bodies the document refuses": invalid,
        "base bodies the API refuses": refused,
        "accepted against the document": accepted,
        "refused without naming the attribute": unnamed,
    }
    assert not any(problems.values()), "\n".join(
        f"{title}:\n  " + "\n  ".join(found) for title, found in problems.items() if found
    )


# Query values of every kind: each is sent where the parameter's schema refuses it.
QUERY_VALUES = ["x", "-1", "0", "1.5", "true", "9" * 25, "2026-13-45T00:00:00Z", "open,x"]


def _readings(raw):
    """What a query value may stand for: the text itself, and the number or boolean it spells."""
    out = [raw]
    for parse in (int, float):
        try:
            out.append(parse(raw))
        except ValueError:
            pass
    if raw in ("true", "false"):
        out.append(raw == "true")
    return out


def _refuses(schema, components, raw):
    validator = Draft202012Validator({**schema, "components": components}, format_checker=FORMATS)
    wrap = schema.get("type") == "array"
    return not any(validator.is_valid([r] if wrap else r) for r in _readings(raw))


def test_every_refused_query_value_is_refused(unthrottled, ids):
    api = unthrottled[0]
    spec = yaml.safe_load(api.get("/v1/schema").content)
    accepted, unnamed, checked = [], [], 0
    for path, item in spec["paths"].items():
        operation = item.get("get")
        queries = [p for p in (operation or {}).get("parameters", []) if p["in"] == "query"]
        if not queries:
            continue
        # paths of a delivery, a run, an attachment: their lists' query parameters are read
        # the same way, by the same code
        if any(f"{{{name}}}" in path for name in ("delivery_pk", "run_pk")):
            continue
        url = _url(path, ids)
        for parameter in queries:
            name = parameter["name"]
            for raw in QUERY_VALUES:
                if not _refuses(parameter["schema"], spec["components"], raw):
                    continue
                checked += 1
                response = api.get(f"{url}?{urlencode({name: raw})}")
                label = f"GET {path}?{name}={raw}"
                if response.status_code < 400:
                    accepted.append(f"{label}: {response.status_code}")
                    continue
                named = [
                    e.get("source", {}).get("parameter") or e.get("source", {}).get("pointer", "")
                    for e in response.json()["errors"]
                ]
                # a filter's parameter may be named with its operator (updatedAt[gte])
                if not any(n.lstrip("/").split("[")[0] == name.split("[")[0] for n in named):
                    unnamed.append(f"{label}: {response.content[:200]}")
    assert checked > 200
    problems = {"accepted against the document": accepted, "refused without naming it": unnamed}
    assert not any(problems.values()), "\n".join(
        f"{title}:\n  " + "\n  ".join(found) for title, found in problems.items() if found
    )
