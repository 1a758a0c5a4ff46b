"""What every benchmark sets up before Django starts: settings for a scratch database that is
created and dropped around the run (a temporary file on SQLite, BENCH_DATABASE_NAME or
bench_gongying_<name> on PostgreSQL), so the development data is never touched."""

import contextlib
import os
import shutil
import tempfile
from pathlib import Path


def configure(name: str) -> str:
    """Set up Django for benchmark `name`; returns the scratch folder (the caller removes it)."""
    scratch = tempfile.mkdtemp(prefix=f"gongying-bench-{name}-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "project.settings")
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-not-for-any-deployment-0123456789")
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECURE_HTTPS", "0")  # in-process clients speak plain HTTP
    # A file, not SQLite's in-memory test default: journal and fsync costs are part of what is measured.
    os.environ["TEST_SQLITE_PATH"] = str(Path(scratch) / "bench.sqlite3")
    os.environ["TEST_DATABASE_NAME"] = os.environ.get("BENCH_DATABASE_NAME", f"bench_gongying_{name}")
    import django

    django.setup()
    from django.conf import settings

    # Logins in a benchmark measure the code around them, not the password hash.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return scratch


@contextlib.contextmanager
def database(name: str, *, web: bool = False):
    """Django set up for benchmark `name` on its scratch database, created now and dropped (with
    the scratch folder) when the block ends; yields the connection. `web`: the in-process test
    client may send requests."""
    if web:
        os.environ.setdefault("STATIC_MANIFEST", "0")  # pages render without collectstatic
    scratch = configure(name)
    from django.conf import settings
    from django.db import connection

    if web:
        settings.ALLOWED_HOSTS = ["testserver"]
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        yield connection
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(scratch, ignore_errors=True)
