from kdesk.representations import iso


def hook_resource(hook):
    return {
        "type": "hook",
        "id": str(hook.pk),
        "attributes": {
            "name": hook.name,
            "kind": hook.kind,
            "enabled": hook.enabled,
            "url": hook.path,
            "rateLimitPerMinute": hook.rate_limit_per_minute,
            "rev": hook.rev,
            "createdAt": iso(hook.created_at),
            "updatedAt": iso(hook.updated_at),
        },
        "relationships": {},
        "links": {"self": f"/v1/hooks/{hook.pk}"},
    }
