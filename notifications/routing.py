"""Websocket routes. The notification consumer is added here by the notifications area."""

websocket_urlpatterns: list = []
