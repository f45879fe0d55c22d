"""OpenAPI generation tweaks shared by every app's endpoints."""

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
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


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "kdesk.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (kdk_…) sent as `Authorization: Bearer <key>`.",
        }


class SessionScheme(OpenApiAuthenticationExtension):
    target_class = "kdesk.api.auth.SessionAuthentication"
    name = "session"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "cookie", "name": "sessionid"}
