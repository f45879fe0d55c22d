"""Content negotiation for an API that answers JSON only."""

from rest_framework.negotiation import DefaultContentNegotiation


class JsonNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, without parsing an Accept header that accepts anything (or is absent,
    as from most programs): with one renderer, DRF's answer is then always that renderer and
    its media type. Every other request is negotiated as before (406 included)."""

    def select_renderer(self, request, renderers, format_suffix=None):
        if (
            len(renderers) == 1
            and format_suffix is None
            and self.settings.URL_FORMAT_OVERRIDE is None
            and request.META.get("HTTP_ACCEPT", "*/*").strip() == "*/*"
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
