"""The suite's settings: the project's one settings module, read with production-like
environment defaults (DEBUG off). HTTPS redirects are off because the test client and the
browser tests speak plain HTTP on loopback; static files are served from the apps.
Explicitly set variables (DATABASE_URL, REDIS_URL, ...) still win.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-for-the-gongying-suite-0123456789")
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")

from project.settings import *  # noqa: E402,F403

# Hashing is deliberately slow; the suite logs in hundreds of times.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# The approval engine's own test process (tests/approvals_tests/engine_process): installed only
# here, so the engine is tested end to end without the expense process and without a test model
# in project.settings (makemigrations --check must not see it).
INSTALLED_APPS = [*INSTALLED_APPS, "tests.approvals_tests.engine_process"]  # noqa: F405
