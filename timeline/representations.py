from kdesk.representations import iso


def entry_resource(row):
    return {
        "type": "timeline_entry",
        "id": str(row["id"]),
        "attributes": {
            "kind": row["kind"],
            "event": row["type"],
            "resource": row["resource"],
            "resourceId": row["resource_id"],
            "rev": row["rev"],
            "data": row["data"],
            "changes": row["changes"],
            "edited": bool(row.get("edited")),
            "deleted": bool(row.get("deleted")),
            "createdAt": iso(row["created_at"]),
        },
        "relationships": (
            {"actor": {"data": {"type": "user", "id": str(row["actor_id"])}}}
            if row["actor_id"]
            else {}
        ),
        "links": {"self": f"/v1/events?after={row['id'] - 1}&limit=1"},
    }
