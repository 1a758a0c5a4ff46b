"""Browser-test plumbing: a real ASGI server (HTTP + websockets) in a thread, and Playwright
driving Debian's Chromium. Never a browser that a tool downloads.

The server runs the project's ASGI application in the test process, so it sees the test
database (use the `transactional_db` fixture: data must be committed to be visible) and shares
the in-memory channel layer. Do actions through the browser or the HTTP API: pushing to the
in-memory layer from test code directly would cross event loops.
"""

import os
import shutil
import socket
import threading
import time
from contextlib import contextmanager

import pytest

CHROMIUM_CANDIDATES = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]
# Flags for a closed network: no background fetches, no first-run work, no sandbox as root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}


def chromium_path() -> str:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    raise RuntimeError(
        "Debian's Chromium is required for browser tests: apt-get install chromium "
        "(or set CHROMIUM_PATH). Playwright must never download its own browser."
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _ServerThread(threading.Thread):
    def __init__(self, app, port: int):
        super().__init__(daemon=True, name="asgi-live-server")
        import uvicorn

        config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off", ws="websockets")
        self.server = uvicorn.Server(config)

    def run(self):
        self.server.run()

    def stop(self):
        self.server.should_exit = True
        self.join(timeout=10)


@contextmanager
def allow_sync_orm_beside_playwright():
    """Playwright's sync API keeps an event loop in the main thread; Django would then refuse
    ORM calls from test code. The test code is synchronous, so the check is a false alarm here."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def live_server_url(django_db_setup, django_db_blocker):
    """http://127.0.0.1:<port> of the project's ASGI app running on the test database."""
    from project.asgi import application

    port = _free_port()
    thread = _ServerThread(application, port)
    with django_db_blocker.unblock():
        thread.start()
        deadline = time.monotonic() + 15
        while not thread.server.started:
            if time.monotonic() > deadline or not thread.is_alive():
                raise RuntimeError("the ASGI test server did not start")
            time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    thread.stop()


@pytest.fixture(scope="module")
def _chromium():
    """One Chromium per test module. While Playwright runs, its event loop sits in the main
    thread, so the ORM's async-safety check is relaxed for exactly that span (module scope keeps
    it out of every other test and out of subprocesses they start)."""
    from playwright.sync_api import sync_playwright

    with allow_sync_orm_beside_playwright():
        playwright = sync_playwright().start()
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()
            playwright.stop()


@pytest.fixture
def browser_page(_chromium, live_server_url):
    """browser_page(viewport=PHONE, locale="zh-CN", javascript=True) → a fresh Playwright page (own
    cookies); javascript=False opens it as a browser without scripts would.

    Pages fail the test on any HTTP 5xx they receive.
    """
    contexts = []
    server_errors: list[str] = []

    def make(viewport=None, locale="zh-CN", javascript=True):
        context = _chromium.new_context(viewport=viewport or PHONE, locale=locale, base_url=live_server_url,
                                        java_script_enabled=javascript)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("response", lambda r: server_errors.append(f"{r.status} {r.url}") if r.status >= 500 else None)
        return page

    yield make
    for context in contexts:
        context.close()
    assert not server_errors, f"server errors seen by the browser: {server_errors}"


def login(page, username: str, password: str) -> None:
    """Log in through the real login page."""
    page.goto("/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
