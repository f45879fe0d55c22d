"""HTML fragments pushed to sockets, rendered by the partials that render the pages.

`ops_for(event, topic)` → a list of operations the page's live.js applies:
  {"op": "prepend"|"append"|"replace"|"remove", "target": css selector, "html": str}
  {"op": "refresh", "topic": topic}   (re-fetch that part of the page)
"""

from django.template.loader import render_to_string

from timeline.entries import HIDDEN_TYPES, kind_of


def entry_context(event):
    row = {
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
    return {"entry": row, "live": True}


def ops_for(event, topic):
    if topic.startswith("customer."):
        if event.type in HIDDEN_TYPES:
            return [{"op": "refresh", "topic": topic, "part": "insights"}]
        html = render_to_string("timeline/partials/entry.html", entry_context(event))
        ops = [{"op": "prepend", "target": "#timeline-entries", "html": html}]
        if event.type.startswith("kobject."):
            ops.append({"op": "refresh", "topic": topic, "part": "insights"})
        return ops
    if topic == "inbox":
        return [{"op": "refresh", "topic": "inbox"}]
    if topic == "notifications":
        return [{"op": "refresh", "topic": "notifications"}]
    return []
