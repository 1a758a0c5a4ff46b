import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The demo loader sets a password for ~35 people; the production hasher makes that seconds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def static_files_without_collectstatic(settings):
    # The manifest storage needs `collectstatic`; pages under test read files from the apps.
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
