import json

from rest_framework.renderers import JSONRenderer


class JsonApiRenderer(JSONRenderer):
    """JSON:API-style documents: views return `{"data": ...}` or `{"errors": [...]}` bodies;
    anything else is wrapped as `{"data": ...}`."""

    media_type = "application/json"
    format = "json"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if not (isinstance(data, dict) and ("data" in data or "errors" in data)):
            data = {"data": data}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), default=str).encode()
