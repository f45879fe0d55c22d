"""Plain serializers for the core's resources."""

# The last datetime written and its text: a bulk write stamps a thousand objects with one clock.
# The tuple holds the datetime, so its identity cannot be reused by another object meanwhile.
_last_iso = (None, None)


def iso(dt):
    global _last_iso
    if dt is None:
        return None
    last = _last_iso
    if dt is last[0]:
        return last[1]
    text = dt.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    _last_iso = (dt, text)
    return text


def user_resource(user, team_ids=()):
    return {
        "type": "user",
        "id": str(user.pk),
        "attributes": {
            "name": user.display_name,
            "displayName": user.display_name,
            "username": user.username,
            "email": user.email,
            "role": user.role,
            "isMachine": user.is_machine,
            "timeZone": user.time_zone,
            "createdAt": iso(user.date_joined),
            "updatedAt": iso(user.date_joined),
            "rev": 1,
        },
        "relationships": {"teams": {"data": [{"type": "team", "id": str(t)} for t in team_ids]}}
        if team_ids
        else {},
        "links": {"self": f"/v1/users/{user.pk}"},
    }


def team_resource(team, member_ids):
    members = [str(m) for m in member_ids]
    return {
        "type": "team",
        "id": str(team.pk),
        "attributes": {
            "name": team.name,
            "displayName": team.display_name or team.name,
            "slug": team.slug,
            "members": members,
            "createdAt": iso(team.created_at),
            "updatedAt": iso(team.updated_at),
            "rev": team.rev,
        },
        "relationships": {"members": {"data": [{"type": "user", "id": m} for m in members]}},
        "links": {"self": f"/v1/teams/{team.pk}"},
    }
