from django.urls import path

from timeline.consumers import DeskConsumer

websocket_urlpatterns = [path("ws/", DeskConsumer.as_asgi())]
