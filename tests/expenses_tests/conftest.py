import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo loader sets a password for ~35 people; the production hasher makes that seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
