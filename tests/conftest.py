"""Shared fixtures: the demo street loaded through its real loader, and API clients per user."""

import pytest
from rest_framework.test import APIClient

from fixtures.loader import load_demo

DEMO_TEST_PASSWORD = "test-demo-password"


# Ids of the demo rows the session loaded: tests inside a transaction look them up again.
_PRELOADED: dict = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The test database with the demo street already in it.

    Loading the demo costs about a thousand queries; loaded once here, every test that runs
    inside a transaction (the `db` fixture, pytest-django runs those first) rolls back to it, and
    its `demo` fixture only looks the rows up again. Transactional tests run after those and
    empty the database when they end; their `demo` puts the rows back from a snapshot taken here.
    """
    from notifications import transports

    with django_db_blocker.unblock():
        context = load_demo(DEMO_TEST_PASSWORD)
        _DemoSnapshot.take()
    # The demo's own notifications leave from the sender loop; send them now (to no socket),
    # not into the first test that opens one.
    transports.flush(timeout=30)
    _PRELOADED.update(
        street=context["street"].pk,
        communities={code: c.pk for code, c in context["communities"].items()},
        users={name: u.pk for name, u in context["users"].items()},
    )
    yield
    _DemoSnapshot.discard()


class _DemoSnapshot:
    """The preloaded demo's rows, copied aside once inside the test database itself.

    Transactional tests (live servers, websockets, races) see committed data, so each one used to
    load the demo again after the previous one emptied the database: about a thousand queries, 4
    to 6 s a test on PostgreSQL. Putting the copied rows back is one INSERT … SELECT per table in
    one transaction, in the database (foreign keys are deferred to its commit on both backends).
    On PostgreSQL the copy is a schema of its own, on SQLite an attached file beside the test
    database; neither is a Django table, so the flush that ends a transactional test leaves it.
    """

    SCHEMA = "demo_snapshot"
    tables: list[str] = []

    @staticmethod
    def _file() -> str:
        from django.db import connection

        return f"{connection.settings_dict['NAME']}.demo"

    @classmethod
    def _remove_file(cls) -> None:
        import os

        from django.db import connection

        if connection.vendor == "sqlite" and os.path.exists(cls._file()):
            os.remove(cls._file())

    @classmethod
    def _attach(cls, cursor) -> None:
        from django.db import connection

        if connection.vendor == "sqlite":
            cursor.execute(f"ATTACH DATABASE %s AS {cls.SCHEMA}", [cls._file()])

    @classmethod
    def _detach(cls, cursor) -> None:
        from django.db import connection

        if connection.vendor == "sqlite":
            cursor.execute(f"DETACH DATABASE {cls.SCHEMA}")

    @classmethod
    def take(cls) -> None:
        from django.db import connection

        cls._remove_file()  # a run that was killed left its snapshot behind
        quote = connection.ops.quote_name
        cls.tables = sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP SCHEMA IF EXISTS {cls.SCHEMA} CASCADE")
                cursor.execute(f"CREATE SCHEMA {cls.SCHEMA}")
            cls._attach(cursor)
            try:
                for table in cls.tables:
                    cursor.execute(f"CREATE TABLE {cls.SCHEMA}.{quote(table)} AS SELECT * FROM {quote(table)}")
            finally:
                cls._detach(cursor)

    @classmethod
    def discard(cls) -> None:
        """The SQLite snapshot is a file beside the test database, which pytest-django removes
        at the end of the session; the snapshot goes with it (PostgreSQL's schema is dropped
        with the test database)."""
        cls._remove_file()

    @classmethod
    def restore(cls) -> None:
        from django.apps import apps
        from django.core.cache import caches
        from django.core.management.color import no_style
        from django.db import connection, transaction

        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cls._attach(cursor)  # outside the transaction: SQLite attaches only there
            try:
                with transaction.atomic():
                    # Emptied by the last test's flush, then refilled by post_migrate (content
                    # types, permissions), or still holding the untouched demo: emptied either way.
                    for sql in connection.ops.sql_flush(no_style(), cls.tables, allow_cascade=True):
                        cursor.execute(sql)
                    for table in cls.tables:
                        cursor.execute(f"INSERT INTO {quote(table)} SELECT * FROM {cls.SCHEMA}.{quote(table)}")
                    for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models(include_auto_created=True)):
                        cursor.execute(sql)
            finally:
                cls._detach(cursor)
        for cache in caches.all():
            cache.clear()  # throttles and memoised reads of the previous test's rows


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])):
        return True
    return "transactional_db" in request.fixturenames


def _preloaded_handles() -> dict:
    """Fresh objects for the preloaded demo rows (three queries instead of a reload)."""
    from workflows.org.models import Community, Street, User

    communities = Community.objects.in_bulk(_PRELOADED["communities"].values())
    users = User.objects.in_bulk(_PRELOADED["users"].values())
    return {
        "street": Street.objects.get(pk=_PRELOADED["street"]),
        "communities": {code: communities[pk] for code, pk in _PRELOADED["communities"].items()},
        "users": {name: users[pk] for name, pk in _PRELOADED["users"].items()},
    }


@pytest.fixture
def demo(request, db):
    """The whole Shaping Street demo (org, users, and every area's demo step), fresh objects."""
    if _PRELOADED and not _transactional(request):
        return _preloaded_handles()
    if _PRELOADED:
        # A transactional test empties the database when it ends: the next one gets the demo's
        # rows back from the snapshot the session took (the same rows, ids included).
        _DemoSnapshot.restore()
        return _preloaded_handles()
    from notifications import transports

    context = load_demo(DEMO_TEST_PASSWORD)
    transports.flush(timeout=30)  # the demo's own pushes go now, not into the test's sockets
    return context


@pytest.fixture
def org_only(transactional_db):
    """Only the street and its people (no demo income, forms or expenses), for tests that count
    every ledger line they post. The session preloads the whole demo and posted lines cannot be
    deleted, so the database is emptied first; the test is transactional and ends with a flush."""
    from django.core.management import call_command

    from fixtures.loader import load_org

    call_command("flush", verbosity=0, interactive=False)
    return load_org(DEMO_TEST_PASSWORD)


@pytest.fixture
def users(demo):
    return demo["users"]


@pytest.fixture
def communities(demo):
    return demo["communities"]


@pytest.fixture(autouse=True)
def _fresh_channel_layer():
    """Every test gets its own channel-layer instance.

    The layer is a process-wide singleton. The in-memory one would leak groups from one test into
    the next; channels-redis keeps receive state (count, lock, the event loop that owns them) on
    the instance, and a consumer a test left connected when its event loop closed leaves that
    state behind for the next test's loop ("Two event loops are trying to receive()", or a receive
    waiting on a lock nobody will release).
    """
    from channels.layers import channel_layers

    from notifications import transports

    channel_layers.backends.clear()
    yield
    # Pushes leave from one sender loop after commit: send what this test queued before the next
    # test's sockets join the same groups, so nothing of this test reaches them.
    transports.flush(timeout=10)
    channel_layers.backends.clear()


@pytest.fixture(autouse=True)
def _close_connections_of_the_consumer_thread():
    """channels.testing disables close_old_connections while it drives a consumer, so asgiref's
    shared sync thread keeps its database connection across tests; close it after each test, or a
    later flush (TRUNCATE) or the final DROP DATABASE on PostgreSQL waits on it."""
    yield
    from asgiref.sync import SyncToAsync
    from django.db import connections

    SyncToAsync.single_thread_executor.submit(connections.close_all).result(timeout=60)


@pytest.fixture
def api_for():
    """api_for(user) → an APIClient authenticated as that user (force_authenticate)."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user=user)
        return client

    return make


@pytest.fixture
def anon_api():
    return APIClient()


# Browser fixtures (live_server_url, browser_page) live in browser_support; importing them
# here makes them available to every test package.
from tests.browser_support import _chromium, browser_page, live_server_url  # noqa: E402,F401
