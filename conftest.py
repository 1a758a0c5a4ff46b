"""Loaded by pytest before Django settings: give the suite production-like settings.

DEBUG stays off (as in production); HTTPS redirects are off because the test client speaks
plain HTTP.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key-for-the-gongying-suite-0123456789")
os.environ.setdefault("SECURE_HTTPS", "0")
os.environ.setdefault("DEBUG", "0")
