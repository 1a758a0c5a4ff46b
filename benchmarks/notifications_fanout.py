#!/usr/bin/env python
"""Notification fan-out on one server process: latency, throughput and loss; reconnect storm.

Loopback only and bounded. Starts one server process (`manage.py serve --no-loops`: daphne) on
127.0.0.1:8130 with the Redis channel layer (REDIS_URL, default the local redis://127.0.0.1:6379/0,
with a prefix of its own) and a throw-away SQLite database, connects 200 and then 1,000 websocket clients that all hold one role
in one community, and feeds them from a separate sender process:

  notify/group     notify() → rows in SQLite → one channel-layer message to the role group
                   carrying {user id: [row id, seq, unread]} (the shipped fan-out)
  notify/per-user  notify() → rows → one channel-layer message per recipient to user.<id>
  bare group_send  channel_layer.group_send to the same group, no rows, nothing rendered:
                   the framework's own limit, measured in the same run

Messages are sent back to back; latency is from the sender's commit (or, for the bare send, the
call) to a client's receipt, on the same clock. Then 500 clients drop and reconnect at once.

    python benchmarks/notifications_fanout.py [--sizes 200,1000] [--messages 20] [--storm 500]
"""

import argparse
import asyncio
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
PORT = 8130
ROLE = "community_committee"

SETUP = r"""
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rest_framework.authtoken.models import Token
from workflows.org.models import Community, RoleMembership, Street, User
n = int(sys.argv[1])
street = Street.objects.create(code="bench-street", name="Bench street")
community = Community.objects.create(code="bench-community", name="Bench community", parent=street)
users = User.objects.bulk_create(User(username=f"bench{i}", password="!") for i in range(n))
RoleMembership.objects.bulk_create(RoleMembership(user=u, role="community_committee", org_unit=community) for u in users)
tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
print(json.dumps({"community": community.pk, "tokens": [t.key for t in tokens]}))
"""

SENDER = r"""
import asyncio, json, sys, time, django
django.setup()
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from notifications.services import RoleQueue, notify

mode, count, community = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
settings.NOTIFICATIONS_FANOUT = "per_user" if mode == "per_user" else "group"

def one(seq):
    stamp = []
    with transaction.atomic():
        transaction.on_commit(lambda: stamp.append(time.time()))  # runs before the push callback
        notify(kind="system.message", params={"title": f"{mode}:{seq}", "body": ""},
               queues=[RoleQueue("community_committee", community)])
    return stamp[0]

async def main():
    layer = get_channel_layer()
    group = f"community.{community}.community_committee"
    for seq in range(count):
        if mode == "bare":
            t = time.time()
            await layer.group_send(group, {"type": "notification.unread", "unread": 1_000_000 + seq})
        else:
            # A worker thread, as in an ASGI request: the push runs on this process's event loop.
            t = await sync_to_async(one)(seq)
        print(json.dumps({"seq": seq, "t": t}), flush=True)

asyncio.run(main())
"""


def raise_fd_limit() -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, 65536) if hard != resource.RLIM_INFINITY else 65536
    if soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


class Client:
    def __init__(self, token: str, inbox: dict):
        self.token = token
        self.inbox = inbox  # (mode, seq) -> [receipt times]
        self.ws = None
        self.task = None

    async def connect(self) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{PORT}/ws/notifications/?token={self.token}&lang=en",
            origin=f"http://127.0.0.1:{PORT}",
            open_timeout=60,
            max_queue=None,
        )
        hello = json.loads(await asyncio.wait_for(self.ws.recv(), 60))
        assert hello["type"] == "hello", hello
        self.task = asyncio.create_task(self.listen())

    async def listen(self) -> None:
        try:
            async for raw in self.ws:
                now = time.time()
                message = json.loads(raw)
                if message["type"] == "notification":
                    mode, seq = message["title"].removeprefix("Notice: ").split(":")
                    self.inbox.setdefault((mode, int(seq)), []).append(now)
                elif message["type"] == "unread" and message["unread"] >= 1_000_000:
                    self.inbox.setdefault(("bare", message["unread"] - 1_000_000), []).append(now)
        except websockets.ConnectionClosed:
            pass

    async def close(self) -> None:
        await self.ws.close()
        if self.task:
            await self.task


async def run_sender(env: dict, mode: str, count: int, community: int) -> dict[int, float]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SENDER, mode, str(count), str(community),
        # INFO: channels-redis logs the messages it drops because a channel is over capacity.
        cwd=ROOT, env={**env, "LOG_LEVEL": "INFO"}, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(err.decode()[-2000:])
    log = err.decode().splitlines()
    dropped = sum("over capacity" in line for line in log)
    other = [line for line in log if "over capacity" not in line and line.strip()]
    if other:  # a transport failure is logged, not raised: show it beside the figures
        print(f"[{mode} sender] " + "\n".join(other[-20:]), file=sys.stderr)
    return {row["seq"]: row["t"] for row in map(json.loads, out.decode().split("\n")[:-1])}, dropped


async def measure(env, clients, inbox, mode, count, community) -> dict:
    sent, dropped = await run_sender(env, mode, count, community)
    expected = len(clients) * count
    deadline = time.monotonic() + 30
    while sum(len(inbox.get((mode, s), [])) for s in sent) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    latencies, first, last_receipt = [], [], 0.0
    for seq, t_commit in sent.items():
        receipts = inbox.get((mode, seq), [])
        latencies += [r - t_commit for r in receipts]
        if seq == 0:
            first = [r - t_commit for r in receipts]
        if receipts:
            last_receipt = max(last_receipt, max(receipts))
    received = len(latencies)
    span = last_receipt - min(sent.values())
    return {
        "mode": mode,
        "clients": len(clients),
        "messages": count,
        "deliveries": received,
        "lost": expected - received,
        "over_capacity": dropped,
        "first_p50_ms": statistics.median(first) * 1000 if first else float("nan"),
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "per_s": received / span if span > 0 else float("nan"),
    }


async def storm(clients: list[Client], size: int) -> dict:
    victims = clients[:size]
    await asyncio.gather(*(c.close() for c in victims))
    started = time.monotonic()
    results = await asyncio.gather(*(c.connect() for c in victims), return_exceptions=True)
    elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    return {"size": size, "ok": size - len(failures), "failed": len(failures), "seconds": elapsed,
            "errors": sorted({type(f).__name__ + ": " + str(f)[:80] for f in failures})[:3]}


def start_server(env: dict, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 (lives as long as the server)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-loops", "--host", "127.0.0.1", "--port", str(PORT)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=raise_fd_limit,
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1):
                return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(log_path.read_text()[-2000:]) from None
            time.sleep(0.2)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="200,1000")
    parser.add_argument("--messages", type=int, default=20)
    parser.add_argument("--storm", type=int, default=500)
    parser.add_argument("--modes", default="group,per_user,bare", help="subset of group,per_user,bare")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    raise_fd_limit()

    tmp = Path(tempfile.mkdtemp(prefix="gy_notifications_bench_"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}",
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "CHANNEL_PREFIX": f"gy_notifications_bench_{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "SECURE_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATA_DIR": str(tmp),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    setup = subprocess.run([sys.executable, "-c", SETUP, str(max(sizes))], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=300)
    if setup.returncode != 0:
        raise SystemExit(setup.stderr[-2000:])
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    server = start_server(env, tmp / "server.log")
    rows, storm_result = [], None
    try:
        inbox: dict = {}
        clients: list[Client] = []
        for size in sizes:
            new = [Client(token, inbox) for token in data["tokens"][len(clients):size]]
            for start in range(0, len(new), 100):  # connect in waves; the storm comes later
                await asyncio.gather(*(c.connect() for c in new[start:start + 100]))
            clients += new
            for mode in [m for m in args.modes.split(",") if m]:
                inbox.clear()
                rows.append(await measure(env, clients, inbox, mode, args.messages, data["community"]))
                await asyncio.sleep(1)
        storm_result = await storm(clients, min(args.storm, len(clients)))
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    finally:
        server.terminate()
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()

    print(f"\nNotification fan-out, one daphne process, Redis layer, SQLite, {os.cpu_count()} CPUs, loopback")
    header = f"{'clients':>7} {'path':<16} {'msgs':>4} {'deliveries':>10} {'lost':>5} {'idle p50 ms':>11} " \
             f"{'p50 ms':>8} {'p99 ms':>8} {'deliv/s':>9} {'vs bare':>7}"
    print(header)
    print("-" * len(header))
    names = {"group": "notify/group", "per_user": "notify/per-user", "bare": "bare group_send"}
    for size in sizes:
        bare = next((r for r in rows if r["clients"] == size and r["mode"] == "bare"), {"per_s": 0})
        for r in (r for r in rows if r["clients"] == size):
            ratio = r["per_s"] / bare["per_s"] if bare["per_s"] else float("nan")
            print(f"{r['clients']:>7} {names[r['mode']]:<16} {r['messages']:>4} {r['deliveries']:>10} {r['lost']:>5} "
                  f"{r['first_p50_ms']:>11.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['per_s']:>9.0f} {ratio:>7.2f}")
    if storm_result and storm_result["size"]:
        print(f"\nReconnect storm: {storm_result['size']} clients at once → {storm_result['ok']} ok, "
              f"{storm_result['failed']} failed, all hello in {storm_result['seconds']:.2f} s")
        for error in storm_result["errors"]:
            print(f"  {error}")
    for r in rows:
        if r["over_capacity"]:
            print(f"  {names[r['mode']]} at {r['clients']} clients: channels-redis refused {r['over_capacity']} sends "
                  "as over capacity (every socket of a server process shares one Redis key)")
    lost = sum(r["lost"] for r in rows if r["mode"] != "per_user")
    if lost or (storm_result and storm_result["failed"]):
        raise SystemExit("FAILED: lost messages or failed reconnects on the shipped path")


if __name__ == "__main__":
    asyncio.run(main())
