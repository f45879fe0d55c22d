"""Websocket routes; the consumer arrives with the Realtime issue."""

websocket_urlpatterns = []
