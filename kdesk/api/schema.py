"""OpenAPI generation tweaks shared by every app's endpoints."""

import re

from drf_spectacular.openapi import AutoSchema as BaseAutoSchema


def drop_trailing_slash_twins(endpoints, **kwargs):
    """Every API path answers with and without a slash; document only the slashless one."""
    return [e for e in endpoints if not (e[0].endswith("/") and e[0] != "/")]


class AutoSchema(BaseAutoSchema):
    def get_operation_id(self):
        # `GET /v1/customers/{id}/conversations` → getCustomersIdConversations: unique by path.
        path = re.sub(r"^/v1/", "", self.path)
        words = re.findall(r"[A-Za-z0-9]+", path)
        return self.method.lower() + "".join(w[:1].upper() + w[1:] for w in words)
