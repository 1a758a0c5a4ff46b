"""Run the embedded deployment: one ASGI server plus the background loops, in one command.

The loops (workflow timers, job worker) run as child processes so a crash in one is visible and
the server keeps serving; all of them stop together on Ctrl-C or SIGTERM.
"""

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

# Areas add the background loops they need as argv lists for manage.py.
BACKGROUND_LOOPS: list[list[str]] = [
    ["run_timers"],
    # Spreadsheet exports/imports and other queued jobs (django-tasks database backend).
    ["db_worker", "--no-reload", "--no-startup-delay", "--interval", "1"],
]


class Command(BaseCommand):
    help = "Serve HTTP and websockets with daphne, together with the background loops."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-loops", action="store_true", help="Serve only; run the loops elsewhere.")
        # daphne drops a websocket not accepted within 5 s by default; after a restart every
        # page reconnects at once and the accepts queue behind one database thread, so allow more.
        parser.add_argument(
            "--ws-connect-timeout", type=int, default=int(os.environ.get("WS_CONNECT_TIMEOUT", "30")),
            help="Seconds a websocket may take to be accepted (daphne's default is 5).",
        )

    def handle(self, *args, host, port, no_loops, ws_connect_timeout, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = []
        if not no_loops:
            from django.core.management import get_commands

            known = get_commands()
            for argv in BACKGROUND_LOOPS:
                if argv[0] in known:
                    children.append(subprocess.Popen([*manage, *argv]))
        server = subprocess.Popen(
            [
                sys.executable, "-m", "daphne", "-b", host, "-p", str(port),
                "--websocket_connect_timeout", str(ws_connect_timeout), "project.asgi:application",
            ]
        )
        children.append(server)
        self.stdout.write(f"Gongying is serving on http://{host}:{port}/ (Ctrl-C stops everything)")

        def stop(*_args):
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    child.kill()
            sys.exit(0)

        signal.signal(signal.SIGTERM, stop)
        try:
            while server.poll() is None:
                time.sleep(0.5)
        except KeyboardInterrupt:
            pass
        stop()
