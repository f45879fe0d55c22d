"""Saved inbox views: what a view may filter on, how a submitted form becomes its `filters`
(every problem named beside its field), and how `filters` compile to a conversation search
with the search engine (kdesk.search), so a view finds exactly what POST /v1/conversations
search would.

filters = {
  "status": "open" | "snoozed" | "done",         "assignee": "me" | "none" | "<user id>",
  "team": "<team id>", "tag": "<name>", "channel": "<channel>", "priority": 1..5,
  "attr": {"name": "<conversation attribute>", "op": "...", "value": "..."},
  "kobject": {"klass": "<Klass>", "name": "<attribute>", "op": "...", "value": "..."},
}  (every key optional; a customer KObject criterion reads "the customer has a <Klass>
whose <attribute> <op> <value>", e.g. an order whose total is over 500)
"""

from conversations.models import CHANNELS
from kdesk.errors import FieldError, ValidationFailed
from kdesk.payload import as_id
from kdesk.search import compile_search

STATUSES = (("open", "Open"), ("snoozed", "Snoozed"), ("done", "Done"))
PRIORITIES = ((5, "Urgent"), (4, "High"), (3, "Normal"), (2, "Low"), (1, "Lowest"))
OPS = (
    ("equals", "is"),
    ("not_equals", "is not"),
    ("contains", "contains"),
    ("gt", "is over"),
    ("gte", "is at least"),
    ("lt", "is under"),
    ("lte", "is at most"),
)
NUMERIC_SUFFIX = "Num"


def _typed(name, raw):
    """The value to compare with: a number for Num attributes, else the text."""
    if name.endswith(NUMERIC_SUFFIX):
        try:
            number = float(raw)
        except ValueError:
            return None
        return int(number) if number.is_integer() else number
    return raw


def clean(*, post, users, teams, share_teams, tags, conv_props, klass_props):
    """(name, team id or None, filters) from the view form, or ValidationFailed naming every
    problem by form field. `users`/`teams` are (id, label) choices, `share_teams` the teams
    the person may share with, `tags` names, `conv_props` the conversation attribute
    definitions, `klass_props` {klass name: definitions}."""
    errors = []

    def bad(field, text):
        errors.append(FieldError(f"/{field}", "invalid", text))

    name = post.get("name", "").strip()
    if not name:
        bad("name", "Give the view a name.")
    elif len(name) > 100:
        bad("name", "Keep the name to 100 characters.")
    share = post.get("share", "") or ""
    team = None
    if share:
        team = as_id(share)
        if team not in {t for t, _ in share_teams}:
            bad("share", "Choose one of your teams, or Only me.")
    filters = {}
    status = post.get("status", "")
    if status:
        if status in dict(STATUSES):
            filters["status"] = status
        else:
            bad("status", "Choose a status from the list.")
    assignee = post.get("assignee", "")
    if assignee:
        if assignee in ("me", "none") or as_id(assignee) in {u for u, _ in users}:
            filters["assignee"] = assignee
        else:
            bad("assignee", "Choose an assignee from the list.")
    if post.get("team"):
        if as_id(post["team"]) in {t for t, _ in teams}:
            filters["team"] = as_id(post["team"])
        else:
            bad("team", "Choose a team from the list.")
    tag = post.get("tag", "").strip()
    if tag:
        if tag.lower() in {t.lower() for t in tags}:
            filters["tag"] = tag
        else:
            bad("tag", f"There is no tag “{tag}”.")
    if post.get("channel"):
        if post["channel"] in CHANNELS:
            filters["channel"] = post["channel"]
        else:
            bad("channel", "Choose a channel from the list.")
    if post.get("priority"):
        if as_id(post["priority"]) in dict(PRIORITIES):
            filters["priority"] = as_id(post["priority"])
        else:
            bad("priority", "Choose a priority from the list.")
    attr = _condition(post, "attr", conv_props, bad)
    if attr:
        filters["attr"] = attr
    klass_attr = post.get("kobject_attr", "")
    if klass_attr:
        klass, _, attr_name = klass_attr.partition(".")
        props = klass_props.get(klass)
        if props is None or attr_name not in props:
            bad("kobject_attr", "Choose an object attribute from the list.")
        else:
            cond = _condition(post, "kobject", props, bad, name=attr_name)
            if cond:
                filters["kobject"] = {"klass": klass, **cond}
    if errors:
        raise ValidationFailed(errors)
    return name, team, filters


def _condition(post, prefix, props, bad, name=None):
    """{name, op, value} of an attribute condition, or None when none is asked for."""
    name = name if name is not None else post.get(f"{prefix}_name", "")
    raw = post.get(f"{prefix}_value", "").strip()
    op = post.get(f"{prefix}_op", "equals")
    if not name and not raw:
        return None
    field = "kobject_attr" if prefix == "kobject" else f"{prefix}_name"
    if name not in props:
        bad(field, "Choose an attribute from the list.")
        return None
    if op not in dict(OPS):
        bad(f"{prefix}_op", "Choose a comparison from the list.")
        return None
    if not raw:
        bad(f"{prefix}_value", "Enter the value to compare with.")
        return None
    value = _typed(name, raw)
    if value is None:
        bad(f"{prefix}_value", f"“{raw}” is not a number.")
        return None
    if op in ("gt", "gte", "lt", "lte") and not isinstance(value, int | float):
        bad(f"{prefix}_op", "Over and under compare numbers: choose a number attribute.")
        return None
    return {"name": name, "op": op, "value": value}


def search_body(filters, *, user_id):
    """The conversation search body of a view's filters (without the customer KObject part)."""
    conditions = []
    if filters.get("status"):
        conditions.append({"conversation_status": {"equals": filters["status"]}})
    assignee = filters.get("assignee")
    if assignee == "me":
        conditions.append({"conversation_assigned_user_id": {"equals": user_id}})
    elif assignee == "none":
        conditions.append({"conversation_assigned_user_id": {"exists": False}})
    elif assignee:
        conditions.append({"conversation_assigned_user_id": {"equals": int(assignee)}})
    if filters.get("team"):
        conditions.append({"conversation_assigned_team_id": {"equals": filters["team"]}})
    if filters.get("tag"):
        conditions.append({"conversation_tags": {"contains": filters["tag"]}})
    if filters.get("channel"):
        conditions.append({"conversation_channels": {"contains": filters["channel"]}})
    if filters.get("priority"):
        conditions.append({"conversation_priority": {"equals": filters["priority"]}})
    attr = filters.get("attr")
    if attr:
        conditions.append({f"conversation_custom_{attr['name']}": {attr["op"]: attr["value"]}})
    body = {"queryContext": "conversation"}
    if conditions:
        body["and"] = conditions
    return body


def conversations(*, org, user_id, filters):
    """The queryset of conversation ids a view holds (the search engine's query, not run)."""
    qs = compile_search(org=org, body=search_body(filters, user_id=user_id)).queryset
    cond = filters.get("kobject")
    if cond:
        kobjects = compile_search(
            org=org,
            body={
                "queryContext": "kobject",
                "klass": cond["klass"],
                "and": [{f"kobject_data_{cond['name']}": {cond["op"]: cond["value"]}}],
            },
        ).queryset
        qs = qs.filter(customer_id__in=kobjects.order_by().values("customer_id"))
    return qs.order_by().values("id")
