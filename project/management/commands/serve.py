"""Run the embedded deployment: one ASGI server plus the background loops, in one command.

The server (uvicorn or daphne, `--server`) and the loops (workflow timers, job worker) run as child processes, and this
command supervises them: a child that exits is logged and started again, after a delay that
doubles with each quick crash (from SERVE_RESTART_DELAY up to SERVE_RESTART_MAX_DELAY) and resets
once the child has stayed up for a minute, so a child that cannot start does not spin the
machine. The command itself ends only on a signal (Ctrl-C or SIGTERM), and then stops every
child. The line each restart logs names the child, its exit code and the delay.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.management.base import BaseCommand

logger = logging.getLogger("gongying.serve")

# Areas add the background loops they need as argv lists for manage.py.
BACKGROUND_LOOPS: list[list[str]] = [
    ["run_timers"],
    # Spreadsheet exports/imports and other queued jobs (django-tasks database backend).
    ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "1"],
]
# A child that ran at least this long before exiting counts as healthy: its next delay starts over.
STABLE_AFTER = 60.0


@dataclass
class Child:
    name: str
    argv: list[str]
    process: subprocess.Popen | None = None
    started_at: float = 0.0
    delay: float = 0.0
    restart_at: float | None = None
    restarts: int = field(default=0)

    def start(self) -> None:
        self.process = subprocess.Popen(self.argv)
        self.started_at = time.monotonic()
        self.restart_at = None
        logger.info("serve: started %s (pid %s)", self.name, self.process.pid)


def server_argv(server: str, *, host: str, port: int, ws_connect_timeout: int) -> list[str]:
    """The command line of the ASGI server child. benchmarks/notifications_fanout.py runs both."""
    if server == "uvicorn":
        return [
            sys.executable, "-m", "uvicorn", "project.asgi:application", "--host", host, "--port", str(port),
            # websockets' own protocol implementation (with the accept timeout of
            # project/uvicorn_ws.py); the app has no lifespan handlers.
            "--ws", "project.uvicorn_ws:WebSocketProtocol", "--lifespan", "off", "--no-access-log",
            # The supervisor kills a child still running 10 s after SIGTERM; close sockets before that.
            "--timeout-graceful-shutdown", "5",
        ]
    return [
        sys.executable, "-m", "daphne", "-b", host, "-p", str(port),
        "--websocket_connect_timeout", str(ws_connect_timeout), "project.asgi:application",
    ]


SERVERS = ("uvicorn", "daphne")


class Command(BaseCommand):
    help = "Serve HTTP and websockets (uvicorn or daphne) with the background loops; restart any that crash."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-loops", action="store_true", help="Serve only; run the loops elsewhere.")
        parser.add_argument(
            "--server", choices=SERVERS, default=os.environ.get("ASGI_SERVER", "uvicorn"),
            help="The ASGI server (ASGI_SERVER; default uvicorn, which benchmarks/notifications_fanout.py "
            "measured ahead of daphne).",
        )
        # daphne drops a websocket not accepted within 5 s by default; after a restart every
        # page reconnects at once and the accepts queue behind one database thread, so allow more.
        parser.add_argument(
            "--ws-connect-timeout", type=int, default=int(os.environ.get("WS_CONNECT_TIMEOUT", "30")),
            help="Seconds a websocket may take to be accepted (daphne's own default is 5, websockets' 10).",
        )

    def handle(self, *args, host, port, no_loops, server, ws_connect_timeout, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        os.environ["WS_CONNECT_TIMEOUT"] = str(ws_connect_timeout)  # read by the server child
        children: list[Child] = []
        if not no_loops:
            from django.core.management import get_commands

            known = get_commands()
            children += [Child(argv[0], [*manage, *argv]) for argv in BACKGROUND_LOOPS if argv[0] in known]
        children.append(Child("server", server_argv(server, host=host, port=port, ws_connect_timeout=ws_connect_timeout)))
        first_delay = float(settings.SERVE_RESTART_DELAY)
        max_delay = float(settings.SERVE_RESTART_MAX_DELAY)
        stopping = False

        def request_stop(*_args):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)
        for child in children:
            child.start()
        self.stdout.write(f"Gongying is serving on http://{host}:{port}/ (Ctrl-C stops everything)")
        self.stdout.flush()
        while not stopping:
            now = time.monotonic()
            for child in children:
                if child.restart_at is not None:
                    if now >= child.restart_at:
                        child.restarts += 1
                        child.start()
                    continue
                code = child.process.poll()
                if code is None:
                    continue
                lived = now - child.started_at
                child.delay = first_delay if lived >= STABLE_AFTER or not child.delay else min(child.delay * 2, max_delay)
                child.restart_at = now + child.delay
                logger.warning(
                    "serve: %s (pid %s) exited with code %s after %.1f s; restarting in %.1f s",
                    child.name, child.process.pid, code, lived, child.delay,
                )
            time.sleep(0.2)
        self._stop(children)

    def _stop(self, children: list[Child]) -> None:
        running = [c.process for c in children if c.process is not None and c.process.poll() is None]
        for process in running:
            process.terminate()
        for process in running:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
        logger.info("serve: stopped")
