"""uvicorn's websockets protocol with the accept timeout `manage.py serve` sets.

websockets' server closes a connection whose opening handshake, which waits for the consumer's
accept, took longer than 10 s. After a restart every page reconnects at once and the accepts
queue behind the one database thread (authentication, groups, unread count), so a reconnect
storm of 500 sockets lost a few dozen to that limit; WS_CONNECT_TIMEOUT (default 30 s) is the
same allowance daphne gets from `--websocket_connect_timeout`.
"""

import os

from uvicorn.protocols.websockets.websockets_impl import WebSocketProtocol as _UvicornWebSocketProtocol


class WebSocketProtocol(_UvicornWebSocketProtocol):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.open_timeout = float(os.environ.get("WS_CONNECT_TIMEOUT", "30"))
