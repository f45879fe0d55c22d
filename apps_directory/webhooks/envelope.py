"""The JSON a delivery posts (API.md "Delivery")."""

import json

from kdesk.representations import iso


def _op(before, after):
    if before is None:
        return "add"
    if after is None:
        return "remove"
    return "replace"


def build(event, name):
    changes = {
        field: {"op": _op(c.get("before"), c.get("after")), **c}
        for field, c in (event.changes or {}).items()
        if isinstance(c, dict)
    }
    data = {k: v for k, v in (event.data or {}).items() if k not in ("notified", "notify")}
    envelope = {
        "id": str(event.pk),
        "name": name,
        "org": str(event.org_id),
        "createdAt": iso(event.created_at),
        "data": data,
        "changes": {"attributes": changes},
    }
    return json.dumps(envelope, separators=(",", ":"), default=str, ensure_ascii=False)
