"""What every benchmark sets up before Django starts: settings for a scratch database that is
created and dropped around the run (a temporary file on SQLite, BENCH_DATABASE_NAME or
bench_gongying_<name> on PostgreSQL), so the development data is never touched."""

import os
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
