"""The sockets of one server process share their channel-layer groups.

Channels gives every consumer a channel of its own and a receive loop on it: a group message
for 1,000 sockets of a process wakes 1,000 channel-layer receives, each of which builds two
tasks, waits on them, cancels one and contends for the layer's receive lock before the consumer
may forward a byte. Measured, that was the whole ceiling of the fan-out (the bare group_send ran
no faster than notify()).

Here a process joins each group once, on a channel of its own per group, and one reader per
group hands every message to the local sockets that hold that group, through a plain queue each
socket drains in order. The layer sees one member per group per process; sockets still join and
leave by group name, and whatever a group receives (pushes, unread counts, rejoin requests, job
progress) reaches the same sockets as before.
"""

from __future__ import annotations

import asyncio
import logging
import weakref

from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)

# channels-redis forgets a group member after its group_expiry (a day by default); a group a
# process holds for longer is joined again well before that.
REFRESH_SECONDS = 3600


class _Group:
    def __init__(self):
        self.members: set = set()
        self.channel: str | None = None
        self.ready = asyncio.Event()
        self.reader: asyncio.Task | None = None


class LocalGroups:
    """The groups of the sockets served on one event loop (one per server process)."""

    def __init__(self, layer):
        self.layer = layer
        self.groups: dict[str, _Group] = {}
        self._refresher: asyncio.Task | None = None

    async def join(self, group: str, member) -> None:
        """Deliver `group`'s messages to `member.deliver` from now on (returns once subscribed)."""
        entry = self.groups.get(group)
        if entry is None:
            entry = self.groups[group] = _Group()  # before any await: a second join waits on it
            try:
                entry.channel = await self.layer.new_channel()
                await self.layer.group_add(group, entry.channel)
            except BaseException:
                if self.groups.get(group) is entry:
                    del self.groups[group]
                entry.ready.set()
                raise
            entry.reader = asyncio.get_running_loop().create_task(self._read(group, entry))
            entry.ready.set()
            if self._refresher is None or self._refresher.done():
                self._refresher = asyncio.get_running_loop().create_task(self._refresh())
        entry.members.add(member)
        await entry.ready.wait()
        if self.groups.get(group) is not entry:  # its subscription failed meanwhile: try again
            entry.members.discard(member)
            await self.join(group, member)

    async def leave(self, group: str, member) -> None:
        entry = self.groups.get(group)
        if entry is None:
            return
        entry.members.discard(member)
        if entry.members or not entry.ready.is_set():
            return
        del self.groups[group]
        if entry.reader is not None:
            entry.reader.cancel()
            # Wait (briefly) for the reader to end: a cancelled layer receive left pending would
            # otherwise hold the loop open at shutdown.
            await asyncio.wait({entry.reader}, timeout=5)
        if not self.groups and self._refresher is not None:
            self._refresher.cancel()  # nothing left to refresh; the next join starts it again
            self._refresher = None
        if entry.channel is not None:
            await self.layer.group_discard(group, entry.channel)

    async def _read(self, group: str, entry: _Group) -> None:
        while True:
            try:
                message = await self.layer.receive(entry.channel)
            except asyncio.CancelledError:
                raise
            except Exception:  # a layer hiccup (Redis restart): keep the group, retry shortly
                logger.exception("receiving for group %s failed", group)
                await asyncio.sleep(1)
                continue
            # One object for every socket: whatever a socket derives from it, it may cache on it.
            for member in list(entry.members):
                member.deliver(message)

    async def _refresh(self) -> None:
        while self.groups:
            await asyncio.sleep(REFRESH_SECONDS)
            for group, entry in list(self.groups.items()):
                if entry.channel is not None:
                    try:
                        await self.layer.group_add(group, entry.channel)
                    except Exception:
                        logger.exception("re-joining group %s failed", group)


_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, LocalGroups] = weakref.WeakKeyDictionary()


def local_groups() -> LocalGroups | None:
    """The running loop's groups, on the current channel layer (None without a layer)."""
    layer = get_channel_layer()
    if layer is None:
        return None
    loop = asyncio.get_running_loop()
    groups = _by_loop.get(loop)
    if groups is None or groups.layer is not layer:
        groups = _by_loop[loop] = LocalGroups(layer)
    return groups
