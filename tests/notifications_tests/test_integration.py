"""The real server as a subprocess, Redis between processes, real websocket clients.

A notification written by another process (a management command) must reach a socket held by
the server, and a client that was away must get exactly what it missed when it resumes.
"""

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest
import websockets

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    # A fixed port collides with any other run on the machine (a second checkout, a benchmark).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


PORT = _free_port()
SETUP = """
import json, django
django.setup()
from django.conf import settings
from django.core.management import call_command
settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
call_command("migrate", verbosity=0)
from fixtures.loader import load_demo
from rest_framework.authtoken.models import Token
users = load_demo("integration-only")["users"]
names = ["gubu_staff", "heping_staff", "fenghuang_secretary", "gubu_secretary"]
print(json.dumps({n: Token.objects.get_or_create(user=users[n])[0].key for n in names}))
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("notifications_server")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
        # The local Redis is always there (dev and CI); a prefix of our own keeps runs apart.
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "CHANNEL_PREFIX": f"gy_notifications_it_{uuid.uuid4().hex[:8]}",
        "SECRET_KEY": "integration-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "DEBUG": "0",
        "SECURE_HTTPS": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DATA_DIR": str(tmp),
        "PYTHONPATH": str(ROOT),
    }
    setup = subprocess.run([sys.executable, "-c", SETUP], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert setup.returncode == 0, setup.stderr
    tokens = json.loads(setup.stdout.strip().splitlines()[-1])
    log = open(tmp / "server.log", "w")  # noqa: SIM115 (closed in teardown)
    process = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--no-loops", "--host", "127.0.0.1", "--port", str(PORT)],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
        start_new_session=True,  # signals meant for the test runner's process group stay there
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1) as response:
                if response.status == 200:
                    break
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail(f"server did not start: {(tmp / 'server.log').read_text()[-2000:]}")
        time.sleep(0.2)
    yield {"env": env, "tokens": tokens}
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def socket_for(server, username):
    return websockets.connect(
        f"ws://127.0.0.1:{PORT}/ws/notifications/?token={server['tokens'][username]}&lang=en",
        origin=f"http://127.0.0.1:{PORT}",
    )


async def from_another_process(server, *args) -> list[int]:
    """manage.py send_notification in its own process; returns the row ids it wrote."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "manage.py", "send_notification", *args,
        cwd=ROOT, env=server["env"], stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return [int(pk) for pk in out.decode().split()]


async def receive(ws, timeout=10.0) -> dict:
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def nothing_arrives(ws, timeout=1.0) -> bool:
    try:
        await asyncio.wait_for(ws.recv(), timeout)
    except TimeoutError:
        return True
    return False


async def test_a_notification_from_another_process_reaches_the_socket_held_by_the_server(server):
    async with socket_for(server, "gubu_staff") as mine, socket_for(server, "heping_staff") as other:
        assert (await receive(mine))["type"] == "hello"
        assert (await receive(other))["type"] == "hello"
        [row_id] = await from_another_process(server, "--user", "gubu_staff", "--title", "Water cut", "--url", "/ledger/")
        message = await receive(mine)
        assert message["type"] == "notification"
        assert message["id"] == row_id
        assert message["title"] == "Notice: Water cut"
        assert message["url"] == "/ledger/"
        assert await nothing_arrives(other)


async def test_a_queue_event_from_another_process_stays_in_its_community(server):
    async with socket_for(server, "fenghuang_secretary") as fenghuang, socket_for(server, "gubu_secretary") as gubu:
        await receive(fenghuang)
        await receive(gubu)
        await from_another_process(
            server, "--role", "community_secretary", "--org-unit", "fenghuang", "--title", "Sign the lease"
        )
        assert (await receive(fenghuang))["title"] == "Notice: Sign the lease"
        assert await nothing_arrives(gubu)


async def test_resume_after_a_disconnect_gets_exactly_the_three_missed_in_order(server):
    async with socket_for(server, "heping_staff") as ws:
        await receive(ws)
        [last_seen] = await from_another_process(server, "--user", "heping_staff", "--title", "before")
        seen = await receive(ws)
        assert seen["id"] == last_seen
    missed = []
    for i in range(3):
        missed += await from_another_process(server, "--user", "heping_staff", "--title", f"missed {i}")
    async with socket_for(server, "heping_staff") as ws:
        assert (await receive(ws))["type"] == "hello"
        await ws.send(json.dumps({"type": "resume", "after_seq": seen["seq"]}))
        replayed = [await receive(ws) for _ in range(3)]
        assert [m["id"] for m in replayed] == missed
        assert [m["title"] for m in replayed] == [f"Notice: missed {i}" for i in range(3)]
        assert await nothing_arrives(ws)
        # and it continues live after the replay
        [live] = await from_another_process(server, "--user", "heping_staff", "--title", "live")
        assert (await receive(ws))["id"] == live


async def test_an_anonymous_socket_is_closed_with_4401_by_the_real_server(server):
    async with websockets.connect(
        f"ws://127.0.0.1:{PORT}/ws/notifications/", origin=f"http://127.0.0.1:{PORT}"
    ) as ws:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), 10)
    assert closed.value.rcvd.code == 4401
