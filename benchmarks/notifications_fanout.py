#!/usr/bin/env python
"""Notification fan-out on one server process: latency, throughput and loss; reconnect storm.

Loopback only and bounded. For each ASGI server (`manage.py serve --no-loops --server daphne`,
then `--server uvicorn`) it starts one server process with the Redis channel layer (REDIS_URL,
default the local redis://127.0.0.1:6379/0, with a prefix of its own) on a scratch database
(a temporary SQLite file, or with DATABASE_URL=postgres://… a scratch PostgreSQL database created
and dropped around the run), connects 1,000 websocket clients and feeds them from a separate
sender process:

  single        notify() to one role group all 1,000 clients hold, one every 0.5 s (idle server)
  burst         20 notify() to that group back to back (the queue of a burst)
  bare burst    20 channel_layer.group_send to that group, no rows, nothing rendered
  spread        the same clients also hold one of three working roles in one of the six
                communities (18 groups of ~56 sockets): notify() to one group at a time,
                single (every 0.1 s) and back to back
  storm         500 clients drop and reconnect at once

Beside them, in the same run and with the same clients, a plain `websockets` server broadcasts
the same number of messages of the same shape (websockets.broadcast: the limit of a Python
websocket server on this machine). Latency is from the sender's commit (the bare send's call,
the broadcast's call) to a client's receipt, on the same clock.

    python benchmarks/notifications_fanout.py [--clients 1000] [--servers daphne,uvicorn]
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
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import websockets

ROOT = Path(__file__).resolve().parent.parent
PORTS = {"daphne": 8130, "uvicorn": 8131, "websockets": 8132}
ROLE = "community_committee"
SPREAD_ROLES = ("community_secretary", "community_committee", "community_staff")

SETUP = r"""
import json, sys, django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from rest_framework.authtoken.models import Token
from workflows.org.models import Community, RoleMembership, Street, User
n, roles = int(sys.argv[1]), sys.argv[2].split(",")
street = Street.objects.create(code="bench-street", name="Bench street")
community = Community.objects.create(code="bench-community", name="Bench community", parent=street)
six = [Community.objects.create(code=f"bench-c{i}", name=f"Bench community {i}", parent=street) for i in range(6)]
users = User.objects.bulk_create(User(username=f"bench{i}", password="!") for i in range(n))
RoleMembership.objects.bulk_create(RoleMembership(user=u, role="community_committee", org_unit=community) for u in users)
# The realistic shape: each user also holds one working role in one of the six communities.
spread = [(six[(i // len(roles)) % 6], roles[i % len(roles)]) for i in range(n)]
RoleMembership.objects.bulk_create(
    RoleMembership(user=u, role=role, org_unit=c) for u, (c, role) in zip(users, spread)
)
tokens = Token.objects.bulk_create(Token(key=Token.generate_key(), user=u) for u in users)
groups = sorted({(c.pk, role) for c, role in spread})
print(json.dumps({"community": community.pk, "tokens": [t.key for t in tokens], "groups": groups}))
"""

SENDER = r"""
import asyncio, json, sys, time, django
django.setup()
from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import transaction
from notifications.services import RoleQueue, notify
from notifications import transports

mode, count, gap, targets = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), json.loads(sys.argv[4])

def one(seq, community, role):
    stamp = []
    with transaction.atomic():
        transaction.on_commit(lambda: stamp.append(time.time()))  # runs before the push callback
        notify(kind="system.message", params={"title": f"{mode}:{seq}", "body": ""},
               queues=[RoleQueue(role, community)])
    return stamp[0]

async def main():
    layer = get_channel_layer()
    for seq in range(count):
        community, role = targets[seq % len(targets)]
        if mode.startswith("bare"):
            t = time.time()
            await layer.group_send(f"community.{community}.{role}", {"type": "notification.unread", "unread": 1_000_000 + seq})
        else:
            # A worker thread, as in an ASGI request: the push runs on this process's event loop.
            t = await sync_to_async(one)(seq, community, role)
        print(json.dumps({"seq": seq, "t": t}), flush=True)
        if gap:
            await asyncio.sleep(gap)
    await sync_to_async(transports.flush)(10)

asyncio.run(main())
"""

# The plain websockets baseline: every client connects, gets a hello, and on "go" from the
# control socket the server broadcasts `count` notification-shaped messages back to back.
BROADCAST = r"""
import asyncio, json, sys, time
import websockets

port = int(sys.argv[1])
clients = set()

async def handler(ws):
    if ws.request.path.startswith("/control"):
        async for raw in ws:
            count = int(raw)
            stamps = []
            for seq in range(count):
                text = json.dumps({"type": "notification", "id": 10_000 + seq, "seq": seq, "unread": seq,
                                   "kind": "system.message", "title": f"Notice: websockets:{seq}", "body": "",
                                   "url": "", "created_at": "2026-12-01T10:00:00+00:00"}, ensure_ascii=False)
                stamps.append(time.time())
                websockets.broadcast(clients, text)
                await asyncio.sleep(0)
            await ws.send(json.dumps(stamps))
        return
    clients.add(ws)
    try:
        await ws.send(json.dumps({"type": "hello", "unread": 0, "seq": 0}))
        await ws.wait_closed()
    finally:
        clients.discard(ws)

async def main():
    async with websockets.serve(handler, "127.0.0.1", port, max_queue=None, ping_interval=None):
        print("ready", flush=True)
        await asyncio.Future()

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

    async def connect(self, port: int) -> None:
        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{port}/ws/notifications/?token={self.token}&lang=en",
            origin=f"http://127.0.0.1:{port}",
            open_timeout=60,
            max_queue=None,
            ping_interval=None,
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


async def connect_all(clients: list[Client], port: int) -> None:
    for start in range(0, len(clients), 100):  # connect in waves; the storm comes later
        await asyncio.gather(*(c.connect(port) for c in clients[start:start + 100]))


async def run_sender(env: dict, mode: str, count: int, gap: float, targets: list) -> tuple[dict[int, float], int]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SENDER, mode, str(count), str(gap), json.dumps(targets),
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


async def collect(inbox: dict, mode: str, sent: dict[int, float], expected: int, label: str, dropped: int = 0) -> dict:
    deadline = time.monotonic() + 30
    key = "bare" if mode.startswith("bare") else mode
    while sum(len(inbox.get((key, s), [])) for s in sent) < expected and time.monotonic() < deadline:
        await asyncio.sleep(0.1)
    latencies, first, last_receipt = [], [], 0.0
    for seq, t_sent in sent.items():
        receipts = inbox.get((key, seq), [])
        latencies += [r - t_sent for r in receipts]
        if seq == 0:
            first = [r - t_sent for r in receipts]
        if receipts:
            last_receipt = max(last_receipt, max(receipts))
    received = len(latencies)
    span = last_receipt - min(sent.values())
    return {
        "label": label, "mode": mode, "messages": len(sent), "deliveries": received, "lost": expected - received,
        "over_capacity": dropped,
        "first_p50_ms": statistics.median(first) * 1000 if first else float("nan"),
        "p50_ms": percentile(latencies, 50) * 1000, "p99_ms": percentile(latencies, 99) * 1000,
        "per_s": received / span if span > 0 else float("nan"),
    }


async def measure(env, inbox, label, mode, count, gap, targets, expected) -> dict:
    inbox.clear()
    sent, dropped = await run_sender(env, mode, count, gap, targets)
    result = await collect(inbox, mode, sent, expected, label, dropped)
    await asyncio.sleep(1)
    return result


async def storm(clients: list[Client], size: int, port: int) -> dict:
    victims = clients[:size]
    await asyncio.gather(*(c.close() for c in victims))
    started = time.monotonic()
    results = await asyncio.gather(*(c.connect(port) for c in victims), return_exceptions=True)
    elapsed = time.monotonic() - started
    failures = [r for r in results if isinstance(r, BaseException)]
    return {"size": size, "ok": size - len(failures), "failed": len(failures), "seconds": elapsed,
            "errors": sorted({type(f).__name__ + ": " + str(f)[:80] for f in failures})[:3]}


def wait_healthy(process: subprocess.Popen, port: int, log_path: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                raise RuntimeError(log_path.read_text()[-2000:]) from None
            time.sleep(0.2)


def start_server(env: dict, server: str, log_path: Path) -> subprocess.Popen:
    log = open(log_path, "w")  # noqa: SIM115 (lives as long as the server)
    port = PORTS[server]
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-loops", "--server", server, "--host", "127.0.0.1",
         "--port", str(port)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, preexec_fn=raise_fd_limit,
    )
    wait_healthy(process, port, log_path)
    return process


def stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


async def run_server(env, server, data, args, tmp) -> tuple[list[dict], dict]:
    process = start_server(env, server, tmp / f"{server}.log")
    port = PORTS[server]
    inbox: dict = {}
    clients = [Client(token, inbox) for token in data["tokens"]]
    bench = [[data["community"], ROLE]]
    n = len(clients)
    spread_targets = data["groups"]
    per_group = n / len(spread_targets)
    rows = []
    try:
        await connect_all(clients, port)
        rows.append(await measure(env, inbox, "single", "single", args.singles, 0.5, bench, n * args.singles))
        rows.append(await measure(env, inbox, "burst", "burst", args.messages, 0, bench, n * args.messages))
        rows.append(await measure(env, inbox, "bare burst", "bare", args.messages, 0, bench, n * args.messages))
        spread_count = 2 * len(spread_targets)
        rows.append(await measure(env, inbox, "spread single", "spread", spread_count, 0.1, spread_targets,
                                  round(per_group * spread_count)))
        rows.append(await measure(env, inbox, "spread burst", "spreadburst", spread_count, 0, spread_targets,
                                  round(per_group * spread_count)))
        storm_result = await storm(clients, min(args.storm, n), port)
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    finally:
        stop(process)
    return rows, storm_result


async def run_broadcast(data, args, tmp) -> dict:
    port = PORTS["websockets"]
    process = subprocess.Popen([sys.executable, "-c", BROADCAST, str(port)], stdout=subprocess.PIPE,
                               stderr=open(tmp / "broadcast.log", "w"), preexec_fn=raise_fd_limit)  # noqa: SIM115
    try:
        assert process.stdout.readline().strip() == b"ready"
        inbox: dict = {}
        clients = [Client(token, inbox) for token in data["tokens"]]
        await connect_all(clients, port)
        async with websockets.connect(f"ws://127.0.0.1:{port}/control", max_queue=None) as control:
            await control.send(str(args.messages))
            stamps = json.loads(await control.recv())
        result = await collect(inbox, "websockets", dict(enumerate(stamps)), len(clients) * args.messages,
                               "ws broadcast")
        await asyncio.gather(*(c.close() for c in clients), return_exceptions=True)
    finally:
        process.terminate()
        process.wait(timeout=20)
    return result


def scratch_database(env: dict) -> tuple[dict, callable]:
    """SQLite: a file in the temporary folder. PostgreSQL: a database created now, dropped after."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        return {**env, "DATABASE_URL": f"sqlite:///{Path(env['DATA_DIR']) / 'bench.sqlite3'}"}, lambda: None
    import psycopg

    name = os.environ.get("BENCH_DATABASE_NAME", "bench_gongying_fanout")
    parts = urllib.parse.urlsplit(url)

    def admin(sql: str) -> None:
        with psycopg.connect(url, autocommit=True) as connection:
            connection.execute(sql)

    admin(f'DROP DATABASE IF EXISTS "{name}"')
    admin(f'CREATE DATABASE "{name}"')
    scratch_url = urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))
    return {**env, "DATABASE_URL": scratch_url}, lambda: admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def show(rows, bare_ws) -> None:
    header = f"{'server':<8} {'path':<14} {'msgs':>4} {'deliveries':>10} {'lost':>5} {'idle p50 ms':>11} " \
             f"{'p50 ms':>8} {'p99 ms':>8} {'deliv/s':>9} {'vs ws':>6}"
    print(header)
    print("-" * len(header))
    for r in rows:
        ratio = r["per_s"] / bare_ws["per_s"] if bare_ws["per_s"] else float("nan")
        print(f"{r['server']:<8} {r['label']:<14} {r['messages']:>4} {r['deliveries']:>10} {r['lost']:>5} "
              f"{r['first_p50_ms']:>11.1f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} {r['per_s']:>9.0f} {ratio:>6.3f}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--servers", default="daphne,uvicorn")
    parser.add_argument("--messages", type=int, default=20, help="messages in a burst")
    parser.add_argument("--singles", type=int, default=10, help="single notifications, 0.5 s apart")
    parser.add_argument("--storm", type=int, default=500)
    args = parser.parse_args()
    raise_fd_limit()

    tmp = Path(tempfile.mkdtemp(prefix="gy_notifications_bench_"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
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
    env, drop = scratch_database(env)
    vendor = "PostgreSQL" if env["DATABASE_URL"].startswith("postgres") else "SQLite"
    try:
        setup = subprocess.run([sys.executable, "-c", SETUP, str(args.clients), ",".join(SPREAD_ROLES)], cwd=ROOT,
                               env=env, capture_output=True, text=True, timeout=300)
        if setup.returncode != 0:
            raise SystemExit(setup.stderr[-2000:])
        data = json.loads(setup.stdout.strip().splitlines()[-1])
        bare_ws = await run_broadcast(data, args, tmp)
        rows, storms = [], {}
        for server in [s for s in args.servers.split(",") if s]:
            server_rows, storms[server] = await run_server(env, server, data, args, tmp)
            rows += [{**r, "server": server} for r in server_rows]
    finally:
        drop()

    print(f"\nNotification fan-out: {args.clients:,} websocket clients, one server process, Redis layer, "
          f"{vendor}, {os.cpu_count()} CPUs, loopback (clients, server, sender and Redis share them)")
    print(f"spread: {len(data['groups'])} groups of ~{args.clients / len(data['groups']):.0f} sockets "
          f"(six communities × {len(SPREAD_ROLES)} roles)")
    show([{**bare_ws, "server": "—"}], bare_ws)
    show(rows, bare_ws)
    for server, result in storms.items():
        print(f"Reconnect storm ({server}): {result['size']} clients at once → {result['ok']} ok, "
              f"{result['failed']} failed, all hello in {result['seconds']:.2f} s")
        for error in result["errors"]:
            print(f"  {error}")
    for r in rows:
        if r["over_capacity"]:
            print(f"  {r['label']} ({r['server']}): channels-redis refused {r['over_capacity']} sends as over capacity")
    print("\nTargets (issue 16), per server:")
    for server in storms:
        mine = {r["label"]: r for r in rows if r["server"] == server}
        single, burst = mine["single"], mine["burst"]
        checks = [
            (f"single p99 {single['p99_ms']:.0f} ms ≤ 500 ms", single["p99_ms"] <= 500),
            (f"burst {burst['per_s']:.0f}/s ≥ 0.1 × ws broadcast {bare_ws['per_s']:.0f}/s "
             f"({burst['per_s'] / bare_ws['per_s']:.3f}×)", burst["per_s"] >= 0.1 * bare_ws["per_s"]),
            (f"lost {sum(r['lost'] for r in mine.values() if r['mode'] != 'bare')} = 0",
             not any(r["lost"] for r in mine.values() if r["mode"] != "bare")),
            (f"storm failures {storms[server]['failed']} = 0 ({storms[server]['seconds']:.2f} s)",
             not storms[server]["failed"]),
            (f"spread p99 {mine['spread single']['p99_ms']:.0f} ms (single), "
             f"{mine['spread burst']['p99_ms']:.0f} ms (burst)", True),
        ]
        print(f"  {server}: " + "; ".join(f"{text} {'met' if ok else 'NOT met'}" for text, ok in checks[:4])
              + "; " + checks[4][0])
    lost = sum(r["lost"] for r in rows if r["mode"] != "bare")
    if lost or any(s["failed"] for s in storms.values()):
        raise SystemExit("FAILED: lost messages or failed reconnects on the shipped path")


if __name__ == "__main__":
    asyncio.run(main())
