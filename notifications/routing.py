"""Websocket routes, mounted by project/asgi.py behind origin checks and session/token auth."""

from django.urls import path

from notifications.consumers import NotificationConsumer

websocket_urlpatterns: list = [
    path("ws/notifications/", NotificationConsumer.as_asgi()),
]
