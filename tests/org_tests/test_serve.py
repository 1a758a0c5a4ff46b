"""`manage.py serve` supervises its children: a killed server is started again and the site comes
back; the command itself ends only on a signal, and takes its children with it."""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def _wait(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def _server_pids(log: Path) -> list[int]:
    return [int(pid) for pid in re.findall(r"started server \(pid (\d+)\)", log.read_text())]


@pytest.mark.parametrize("server", ["uvicorn", "daphne"])
def test_a_killed_server_is_restarted_and_healthz_is_green_again_and_a_signal_stops_everything(tmp_path, server):
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "project.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "SECRET_KEY": "serve-test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-0123",
        "DEBUG": "0", "SECURE_HTTPS": "0", "ALLOWED_HOSTS": "127.0.0.1,localhost", "DATA_DIR": str(tmp_path),
        "SERVE_RESTART_DELAY": "0", "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    log_path = tmp_path / "serve.log"
    with open(log_path, "w") as log:
        serve = subprocess.Popen(
            [sys.executable, "manage.py", "serve", "--no-loops", "--server", server, "--host", "127.0.0.1",
             "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        _wait(lambda: _healthy(port), 60, "the first start")
        first = _server_pids(log_path)[-1]

        os.kill(first, signal.SIGKILL)
        second = _wait(lambda: [p for p in _server_pids(log_path) if p != first], 30, "a restart")[-1]
        _wait(lambda: _healthy(port), 60, "healthz after the restart")

        assert serve.poll() is None
        text = log_path.read_text()
        assert re.search(rf"server \(pid {first}\) exited with code -9 .* restarting in", text), text

        serve.send_signal(signal.SIGTERM)
        assert serve.wait(timeout=30) == 0
        with pytest.raises(ProcessLookupError):
            _wait(lambda: os.kill(second, 0) and False, 10, "the server to stop")
    finally:
        if serve.poll() is None:
            serve.kill()
