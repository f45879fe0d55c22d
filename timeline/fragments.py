"""Timeline entries as the pages show them, and the HTML fragments pushed to sockets.

`decorate(rows, org=...)` turns event-log rows (timeline.selectors.timeline_page) into what
the entry partial renders: who, what, the body, the changes with display names, the
conversation the entry belongs to. It costs a fixed number of queries per page (actor names,
attribute definitions, Klass names), whatever the number of rows.

`ops_for(event, topic)` → a list of operations the page's kdesk.js applies (`ops_for_many`: the
same for many events of one topic, with the entry lookups loaded once for all of them):
  {"op": "prepend"|"append"|"replace"|"remove", "target": css selector, "html": str}
  {"op": "refresh", "topic": topic, "part": ...}   (re-fetch that part of the page: the
      elements whose data-live-refresh names it; without a part, every element naming the topic)
Both transports render `timeline/partials/entry.html`.
"""

import logging
import re

from django.db.models import Q
from django.template.loader import render_to_string
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe

from kdesk.prepared import PreparedValues
from timeline.entries import CREATE_TYPES, FOLDED_TYPES, HIDDEN_TYPES, kind_of

log = logging.getLogger(__name__)

MENTION_RE = re.compile(r"(?<![\w@.])@([A-Za-z0-9][A-Za-z0-9_.-]{0,63})")
COLOR_RE = re.compile(r"#[0-9a-fA-F]{6}\Z")


def safe_color(value):
    """A Klass colour for a style attribute: `#rrggbb` or nothing (rows saved before colours
    were checked may hold anything)."""
    return value if isinstance(value, str) and COLOR_RE.match(value) else ""


CHANGE_LABELS = {
    "status": "Status",
    "name": "Subject",
    "priority": "Priority",
    "snoozeUntil": "Snoozed until",
    "assignedUser": "Assignee",
    "assignedTeam": "Team",
    "tags": "Tags",
    "title": "Title",
    "externalId": "External id",
    "description": "Description",
}


PRIORITY_LABELS = {5: "Urgent", 4: "High", 3: "Normal", 2: "Low", 1: "Lowest"}


def _row(event):
    return {
        "id": event.pk,
        "type": event.type,
        "resource": event.resource,
        "resource_id": event.resource_id,
        "actor_id": event.actor_id,
        "rev": event.rev,
        "data": event.data,
        "changes": event.changes,
        "created_at": event.created_at,
        "kind": kind_of(event.type),
    }


def entry_context(event, *, lookups=None):
    """The entry partial's context for one event; `lookups` (entry_lookups) shared by a batch."""
    row = _row(event)
    decorate([row], org=event.org_id, lookups=lookups)
    return {"entry": row, "live": True}


def entry_lookups(events):
    """What decorating these events' entries reads (actor names, attribute definitions, Klass
    names), in a fixed number of queries: pass it to ops_for/entry_context for each of them."""
    shown = [e for e in events if e.type not in HIDDEN_TYPES]
    if not shown:
        return None
    # an event just emitted holds its actor: its name costs no query
    known = {
        e.actor_id: e.actor.display_name
        for e in shown
        if e.actor_id and type(e).actor.field.is_cached(e)
    }
    rows = [{"actor_id": e.actor_id, "type": e.type, "kind": kind_of(e.type)} for e in shown]
    return _lookups(shown[0].org_id, rows, known=known, only_needed=True)


def render_entry(event, *, live=False):
    context = entry_context(event)
    context["live"] = live
    return render_to_string("timeline/partials/entry.html", context)


def ops_for(event, topic, *, lookups=None):
    if topic.startswith("customer."):
        if event.type in HIDDEN_TYPES:
            # The customer's own fields changed: the attributes panel, and the cards that
            # show them (separate parts: an inline edit renders the one row, not the cards).
            return [
                {"op": "refresh", "topic": topic, "part": "attributes"},
                {"op": "refresh", "topic": topic, "part": "cards"},
            ]
        if event.type in FOLDED_TYPES:
            return _folded_ops(event, topic, lookups)
        html = render_to_string(
            "timeline/partials/entry.html", entry_context(event, lookups=lookups)
        )
        ops = [{"op": "prepend", "target": "#timeline-entries", "html": html}]
        if event.type.startswith("kobject."):
            ops.append({"op": "refresh", "topic": topic, "part": "cards"})
        if event.type.startswith("conversation.") and event.type != "conversation.note.create":
            ops.append({"op": "refresh", "topic": topic, "part": "conversation"})
        return ops
    if topic == "inbox":
        return [{"op": "refresh", "topic": "inbox"}]
    if topic == "notifications":
        return [{"op": "refresh", "topic": "notifications"}]
    return []


def _created_query(org, resource, resource_id, type):
    from kdesk.models import Event

    return (
        Event.objects.filter(org_id=org, resource=resource, resource_id=resource_id, type=type)
        .order_by("id")
        .values("id", "actor_id", "created_at")[:1]
    )


# every status a sent email goes through re-renders its entry: compiled once, then re-bound
_CREATED = PreparedValues(
    _created_query, ints=("org",), strings=("resource", "resource_id", "type")
)


def _folded_ops(event, topic, lookups):
    """An edit or delete of a message or note re-renders the entry of its creation (where it
    sits in time) with the new state, in place."""

    kind = kind_of(event.type)
    rows = _CREATED.rows(
        org=event.org_id,
        resource=event.resource,
        resource_id=str(event.resource_id),
        type=CREATE_TYPES[kind],
    )
    created = rows[0] if rows else None
    ops = [{"op": "refresh", "topic": topic, "part": "conversation"}]
    if created is None:
        return ops
    row = {
        **_row(event),
        "id": created["id"],
        "type": CREATE_TYPES[kind],
        "actor_id": created["actor_id"],
        "created_at": created["created_at"],
        "edited": event.type.endswith(".update"),
        "deleted": event.type.endswith(".delete"),
    }
    # the entry keeps its place in its conversation's run: no conversation header of its own
    conversation = ((event.data or {}).get("meta") or {}).get("conversationId")
    decorate([row], org=event.org_id, lookups=lookups, previous_conversation=conversation)
    html = render_to_string("timeline/partials/entry.html", {"entry": row, "live": False})
    return [{"op": "replace", "target": f"#entry-{created['id']}", "html": html}, *ops]


def ops_for_many(events, topic):
    """[ops_for(event, topic)] for events of one topic, the entry lookups loaded once. An event
    whose fragment fails to render gets a refresh of the topic instead (and is logged)."""
    lookups = None
    if topic.startswith("customer."):
        try:
            lookups = entry_lookups(events)
        except Exception:  # each event then loads its own, and fails alone if it must
            log.exception("loading the entry lookups for a live batch failed")
    out = []
    for event in events:
        try:
            out.append(ops_for(event, topic, lookups=lookups))
        except Exception:  # a broken fragment must not lose the others
            log.exception("rendering live fragment for event %s failed", event.pk)
            out.append([{"op": "refresh", "topic": topic}])
    return out


# ---- decorating rows -------------------------------------------------------------------------


def _needs(rows):
    """(attribute definitions, Klass names): whether decorating `rows` reads them. Only
    KObject entries and conversation changes do; a live push of messages (most of them) then
    costs neither query."""
    kinds = {r.get("kind") for r in rows}
    changed = any(
        r.get("kind") == "conversation"
        and r.get("type") not in ("conversation.create", "conversation.delete")
        for r in rows
    )
    return "kobject" in kinds or changed, "kobject" in kinds


def _lookups(org, rows, known=None, only_needed=False):
    """(actor names, attribute definitions, Klasses). A page reads all three whatever it shows
    (its query count stays fixed); `only_needed` (a live batch) skips what `rows` do not read."""
    from kdesk.models import User
    from klasses.models import Klass, Metadata

    names = dict(known or {})
    actor_ids = {r["actor_id"] for r in rows if r.get("actor_id")} - set(names)
    if actor_ids:
        names.update(
            User.objects.filter(org=org, pk__in=actor_ids).values_list("id", "display_name")
        )
    need_props, need_klasses = _needs(rows) if only_needed else (True, True)
    props = (
        dict(
            Metadata.objects.filter(org=org)
            .filter(Q(resource__startswith="kobject.") | Q(resource="conversation"))
            .values_list("resource", "properties")
        )
        if need_props
        else {}
    )
    klasses = (
        {
            k["name"]: k
            for k in Klass.objects.filter(org=org).values("name", "display_name", "icon", "color")
        }
        if need_klasses
        else {}
    )
    return names, props, klasses


def _attrs(row):
    data = row.get("data") or {}
    return data.get("attributes") or {}, data.get("meta") or {}


def note_html(body, meta):
    """The note body, escaped, with its resolved @mentions highlighted."""
    handles = {u.get("username", "").lower() for u in meta.get("mentionedUsers") or []}
    handles |= {t.get("slug", "").lower() for t in meta.get("mentionedTeams") or []}
    handles.discard("")
    out, last = [], 0
    text = body or ""
    for match in MENTION_RE.finditer(text):
        handle = match.group(1)
        key = handle.lower()
        key = key if key in handles else key.rstrip("._-")
        if key not in handles:
            continue
        out.append(escape(text[last : match.start()]))
        shown = handle[: len(key)]
        out.append(format_html('<span class="mention" data-handle="{}">@{}</span>', key, shown))
        last = match.start() + 1 + len(shown)
    out.append(escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308  (every piece escaped above)


def object_name(label, title):
    """How an object is named in a sentence: its type, then its title ("Order DO-011515"),
    the type said once when the title already starts with it (the demo's "Order DO-011515")."""
    label, title = str(label or "").strip(), str(title or "").strip()
    if not label or re.match(rf"{re.escape(label)}(?!\w)", title, re.IGNORECASE):
        return title
    return f"{label} {title}"


def _kobject_change(attr, change, props):
    from timeline.insights import format_value, type_of

    prefix, _, name = attr.partition(".")
    if prefix in ("data", "custom") and name:
        definition = props.get(name) or {}
        kind = type_of(name, definition)
        label = definition.get("displayName") or name
        return {
            "label": label,
            "before": format_value(change.get("before"), kind, definition),
            "after": format_value(change.get("after"), kind, definition),
        }
    return {
        "label": CHANGE_LABELS.get(attr, attr),
        "before": format_value(change.get("before"), "Str"),
        "after": format_value(change.get("after"), "Str"),
    }


def _conversation_phrases(row, attrs, meta, props, tz=None):
    from timeline.insights import wake_html

    phrases, changes = [], []
    if meta.get("reason") == "inboundMessage":
        return [mark_safe("wrote in and reopened the conversation")], []
    for attr, change in (row.get("changes") or {}).items():
        before, after = change.get("before"), change.get("after")
        if attr == "status":
            phrases.append(
                format_html(
                    'changed the status <span class="pill pill-{}">{}</span> → '
                    '<span class="pill pill-{}">{}</span>',
                    before or "open",
                    before or "—",
                    after or "open",
                    after or "—",
                )
            )
        elif attr == "assignedUser":
            who = meta.get("assignedUserName")
            phrases.append(
                format_html("assigned it to <strong>{}</strong>", who)
                if after and who
                else mark_safe("unassigned the agent")
            )
        elif attr == "assignedTeam":
            team = meta.get("assignedTeamName")
            phrases.append(
                format_html("assigned it to team <strong>{}</strong>", team)
                if after and team
                else mark_safe("removed the team")
            )
        elif attr == "priority":
            label = PRIORITY_LABELS.get(after, after)
            phrases.append(format_html("set the priority to <strong>{}</strong>", label))
        elif attr.startswith("custom."):
            name = attr[len("custom.") :]
            definition = (props.get("conversation") or {}).get(name) or {}
            changes.append(_kobject_change("custom." + name, change, {name: definition}))
        elif attr == "snoozeUntil":
            if after:
                phrases.append(format_html("snoozed it {}", wake_html(after, tz)))
        else:
            changes.append(_kobject_change(attr, change, {}))
    if not phrases and changes:
        phrases.append(mark_safe("updated the conversation"))
    return phrases, changes


def decorate(rows, *, org, previous_conversation=None, lookups=None, tz=None):
    """Add `v` (what the entry partial shows) to each row; a fixed number of queries (none
    with `lookups`, the entry_lookups of a batch these rows belong to). `tz`: the agent's zone
    for wake times, None in fragments pushed to every agent (the page localises those)."""
    if not rows:
        return rows
    names, props, klasses = lookups if lookups is not None else _lookups(org, rows)
    previous = previous_conversation
    for row in rows:
        attrs, meta = _attrs(row)
        kind = row["kind"]
        actor = names.get(row.get("actor_id")) or ""
        v = {"actor": actor, "conv": None, "conv_name": "", "changes": [], "phrases": []}
        if kind == "message":
            direction = attrs.get("direction") or "in"
            v.update(
                css="tl-in" if direction == "in" else "tl-out",
                direction=direction,
                channel=attrs.get("channel") or "email",
                who=(meta.get("customerName") or "Customer")
                if direction == "in"
                else (meta.get("authorName") or actor or "Agent"),
                body=attrs.get("body") or attrs.get("preview") or "",
                conv=meta.get("conversationId"),
                conv_name=meta.get("conversationName") or "",
                label="Message from" if direction == "in" else "Reply by",
            )
            v["announce"] = f"New message from {v['who']}"
        elif kind == "note":
            v.update(
                css="tl-note",
                who=meta.get("authorName") or actor or "Someone",
                body_html=note_html(attrs.get("body") or "", meta),
                conv=meta.get("conversationId"),
                conv_name=meta.get("conversationName") or "",
                note_id=row.get("resource_id"),
            )
            v["announce"] = f"New note by {v['who']}"
        elif kind == "conversation":
            v.update(
                css="tl-conversation",
                conv=row.get("resource_id"),
                conv_name=attrs.get("name") or "",
            )
            v["who"] = actor or "kdesk"
            if row["type"] == "conversation.create":
                v["phrases"] = [mark_safe("opened the conversation")]
            elif row["type"] == "conversation.delete":
                v["phrases"] = [mark_safe("deleted the conversation")]
            else:
                v["phrases"], v["changes"] = _conversation_phrases(row, attrs, meta, props, tz)
                if meta.get("reason") == "inboundMessage":
                    v["who"] = meta.get("customerName") or "The customer"
            v["announce"] = f"Conversation {v['conv_name']} updated"
        elif kind == "kobject":
            parts = row["type"].split(".")
            klass_name = parts[1] if len(parts) > 2 else row.get("resource", "")[8:]
            action = parts[-1]
            klass = klasses.get(klass_name) or {"display_name": klass_name.title(), "color": ""}
            klass_props = props.get(f"kobject.{klass_name}") or {}
            v.update(
                css="tl-kobject",
                klass=klass_name,
                klass_label=klass.get("display_name") or klass_name,
                klass_color=safe_color(klass.get("color")),
                action={"create": "created", "update": "updated", "delete": "deleted"}.get(
                    action, action
                ),
                title=attrs.get("title") or attrs.get("externalId") or f"#{row['resource_id']}",
                external_id=attrs.get("externalId") or "",
                who=actor,
                changes=[
                    _kobject_change(attr, change, klass_props)
                    for attr, change in (row.get("changes") or {}).items()
                ]
                if action == "update"
                else [],
            )
            v["object_name"] = object_name(v["klass_label"], v["title"])
            v["announce"] = f"{v['object_name']} {v['action']}"
        else:
            v.update(css="tl-customer", who=actor)
            v["phrases"] = [
                mark_safe("customer record created")
                if row["type"] == "customer.create"
                else mark_safe("merged another customer into this one")
                if row["type"] == "customer.merge"
                else format_html("{}", row["type"])
            ]
            v["announce"] = "Customer updated"
        conv = v.get("conv")
        v["conv_head"] = bool(conv) and kind in ("message", "note") and conv != previous
        # A status or assignment change is not part of the run of messages under the head (as
        # desk.js's dedupeHeads reads it too): after one, the messages keep their head.
        if conv and kind != "conversation":
            previous = conv
        row["v"] = v
    return rows
